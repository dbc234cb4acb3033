// Issue 19, items 1-5 and 7: nothing a user owns is destroyed by an output. Each case runs the built CLI
// (bin/descent.js) and checks the exit code, the one-line message and that the file at stake is unchanged.
// The output policy: src/io/output-policy.ts (enforced in atomicWrite) and src/cli/output-paths.ts (up front).
// The device-file and bind-mount cases need a private mount namespace: test/cli/adversarial-namespace.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, runDescent } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { atomicWrite, tempPathFor } from '../../src/io/atomic-write.js';
import { DescentError } from '../../src/errors.js';

const dir = scratchDir('descent-adv-out-');
const CSV = 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n';
let k = 0;
/** A fresh folder holding good.csv. */
function folder(): string {
  const d = join(dir, `case-${k++}`);
  mkdirSync(d);
  writeFileSync(join(d, 'good.csv'), CSV);
  return d;
}
const base = ['train', '--data', 'good.csv', '--batch', '2'];
const train = [...base, '--epochs', '1'];

/** Exit 2, one `descent: error:` line matching `says`, nothing on stdout. */
function refused(r: { status: number; stdout: string; stderr: string }, says: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^descent: error: /);
  assert.match(lines[0], says);
}

test('item 1: a FIFO named as --save, --checkpoint or --plot is refused before training, and stays a FIFO', () => {
  const d = folder();
  const fifo = join(d, 'pipe');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  for (const flag of ['--save', '--checkpoint']) {
    refused(runDescent([...train, flag, 'pipe'], { cwd: d, timeout: 30_000 }), new RegExp(`^descent: error: ${flag}: 'pipe' is a FIFO \\(named pipe\\); only regular files are replaced$`));
  }
  assert.equal(spawnSync('mkfifo', [join(d, 'pipe.svg')]).status, 0);
  refused(runDescent(['optimize', '--fn', 'rosenbrock', '--x0', '1,2', '--opt', 'adam', '--steps', '3', '--plot', 'pipe.svg'], { cwd: d, timeout: 30_000 }), /--plot: 'pipe\.svg' is a FIFO/);
  assert.ok(statSync(fifo).isFIFO() && statSync(join(d, 'pipe.svg')).isFIFO());
});

test('item 1: atomicWrite itself refuses a character device, a FIFO and a folder (the policy holds for every writer)', () => {
  const d = folder();
  spawnSync('mkfifo', [join(d, 'f')]);
  mkdirSync(join(d, 'sub'));
  const refuses = (path: string, says: RegExp) =>
    assert.throws(() => atomicWrite(path, 'x'), (e: unknown) => e instanceof DescentError && e.kind === 'input' && says.test(e.message));
  refuses('/dev/null', /'\/dev\/null' is a character device; only regular files are replaced/);
  refuses(join(d, 'f'), /is a FIFO/);
  refuses(join(d, 'sub'), /is a directory/);
  assert.ok(statSync('/dev/null').isCharacterDevice());
  assert.deepEqual(readdirSync(d).sort(), ['f', 'good.csv', 'sub'], 'no temporary file left');
});

test('item 2: an output that is the same file as an input is refused (exit 2), the input kept byte for byte', () => {
  const d = folder();
  assert.equal(runDescent([...train, '--save', 'pre.st'], { cwd: d }).status, 0);
  assert.equal(runDescent([...train, '--checkpoint', 'ck.st'], { cwd: d }).status, 0);
  const before = (f: string) => readFileSync(join(d, f));
  const csv = before('good.csv'), pre = before('pre.st'), ck = before('ck.st');
  refused(runDescent([...train, '--save', 'good.csv'], { cwd: d }), /^descent: error: --save 'good\.csv': is the same file as --data 'good\.csv'/);
  refused(runDescent([...train, '--init', 'pre.st', '--checkpoint', 'pre.st'], { cwd: d }), /--checkpoint 'pre\.st': is the same file as --init 'pre\.st'/);
  refused(runDescent([...base, '--epochs', '2', '--resume', 'ck.st', '--save', 'ck.st'], { cwd: d }), /--save 'ck\.st': is the same file as --resume 'ck\.st'/);
  refused(runDescent([...train, '--checkpoint', 'X', '--save', 'X'], { cwd: d }), /--checkpoint 'X': is the same file as --save 'X'; expected a separate file for each output/);
  // through a symbolic link and a hard link: the same inode
  symlinkSync(join(d, 'good.csv'), join(d, 'link.csv'));
  refused(runDescent([...train, '--save', 'link.csv'], { cwd: d }), /is the same file as --data/);
  linkSync(join(d, 'good.csv'), join(d, 'hard.csv'));
  refused(runDescent([...train, '--save', 'hard.csv'], { cwd: d }), /is the same file as --data/);
  assert.deepEqual(before('good.csv'), csv);
  assert.deepEqual(before('pre.st'), pre);
  assert.deepEqual(before('ck.st'), ck);
  // continuing a checkpoint is what --resume ck --checkpoint ck is for
  const r = runDescent([...base, '--epochs', '2', '--resume', 'ck.st', '--checkpoint', 'ck.st'], { cwd: d });
  assert.equal(r.status, 0, r.stderr);
  assert.notDeepEqual(before('ck.st'), ck);
});

test('item 2: compare, ensemble and kmeans refuse an output that is the same file as an input up front, before any work', () => {
  const d = folder();
  // kmeans: --plot is a second name of --data. Up front means before the data is read: --k 99 (more than
  // the 4 rows, an error found only once the data is loaded) is not reached
  linkSync(join(d, 'good.csv'), join(d, 'plot.svg'));
  const csv = readFileSync(join(d, 'good.csv'));
  refused(runDescent(['kmeans', '--data', 'good.csv', '--k', '99', '--plot', 'plot.svg'], { cwd: d }), /^descent: error: --plot 'plot\.svg': is the same file as --data 'good\.csv'/);
  symlinkSync('good.csv', join(d, 'plot-link.png'));
  refused(runDescent(['kmeans', '--data', 'good.csv', '--k', '2', '--plot', 'plot-link.png'], { cwd: d }), /--plot 'plot-link\.png': is the same file as --data 'good\.csv'/);
  assert.deepEqual(readFileSync(join(d, 'good.csv')), csv);

  // ensemble: rerun with --init out/model-1.safetensors into the same --out. Before the check the two
  // members were trained and model-1 refused at its write; now nothing is trained: no --val is given,
  // which the library reports only once the data is loaded, and model-2 is never written
  const iris = join(d, 'ens');
  assert.equal(runDescent(['ensemble', '--data', 'iris', '--val', '0.2', '--bagging', '1', '--epochs', '1', '--model', 'softmax', '--out', iris], { cwd: d }).status, 0);
  const member = readFileSync(join(iris, 'model-1.safetensors'));
  refused(runDescent(['ensemble', '--data', 'good.csv', '--bagging', '2', '--epochs', '1', '--init', join(iris, 'model-1.safetensors'), '--out', iris], { cwd: d }),
    /^descent: error: --out '.*ens': its 'model-1\.safetensors' is the same file as --init '.*model-1\.safetensors'; writing it would destroy that input/);
  assert.deepEqual(readFileSync(join(iris, 'model-1.safetensors')), member);
  assert.ok(!existsSync(join(iris, 'model-2.safetensors')));
  // the data as ensemble.json (a hard link): refused too, while a member number past --bagging is not an output
  const ens2 = join(d, 'ens2');
  mkdirSync(ens2);
  linkSync(join(d, 'good.csv'), join(ens2, 'ensemble.json'));
  refused(runDescent(['ensemble', '--data', 'good.csv', '--bagging', '2', '--out', ens2], { cwd: d }), /its 'ensemble\.json' is the same file as --data 'good\.csv'/);
  const ens3 = join(d, 'ens3');
  mkdirSync(ens3);
  linkSync(join(d, 'good.csv'), join(ens3, 'model-3.safetensors'));
  const past = runDescent(['ensemble', '--data', 'good.csv', '--bagging', '2', '--out', ens3], { cwd: d });
  assert.doesNotMatch(past.stderr, /same file/);
  assert.deepEqual(readFileSync(join(d, 'good.csv')), csv);

  // compare: the --spec file is the report folder's summary.json. Before the check every race ran and
  // its figures were written before summary.json was refused; now the folder gains nothing
  const rep = join(d, 'rep');
  mkdirSync(rep);
  const spec = '{"function": "beale", "x0": [1, 1], "optimizers": ["adam"], "steps": 3}\n';
  writeFileSync(join(d, 'spec.json'), spec);
  linkSync(join(d, 'spec.json'), join(rep, 'summary.json'));
  refused(runDescent(['compare', '--spec', 'spec.json', '--out', rep, '--no-progress'], { cwd: d }), /^descent: error: --out '.*rep': its 'summary\.json' is the same file as --spec 'spec\.json'/);
  assert.deepEqual(readdirSync(rep), ['summary.json']);
  assert.equal(readFileSync(join(d, 'spec.json'), 'utf8'), spec);
  // the data file as a figure name of the report
  const rep2 = join(d, 'rep2');
  mkdirSync(rep2);
  symlinkSync(join(d, 'good.csv'), join(rep2, 'training-loss-vs-epoch.png'));
  refused(runDescent(['compare', '--data', 'good.csv', '--opt', 'adam', '--seeds', '1', '--epochs', '1', '--out', rep2, '--no-progress'], { cwd: d }),
    /its 'training-loss-vs-epoch\.png' is the same file as --data 'good\.csv'/);
  assert.deepEqual(readdirSync(rep2), ['training-loss-vs-epoch.png']);
  // with --landscape, the landscape file a training run writes into the folder
  const rep3 = join(d, 'rep3');
  mkdirSync(rep3);
  symlinkSync(join(d, 'good.csv'), join(rep3, 'landscape-adam.json'));
  refused(runDescent(['compare', '--data', 'good.csv', '--opt', 'adam', '--seeds', '1', '--epochs', '1', '--landscape', '--out', rep3, '--no-progress'], { cwd: d }),
    /its 'landscape-adam\.json' is the same file as --data 'good\.csv'/);
  assert.deepEqual(readFileSync(join(d, 'good.csv')), csv);
});

test('item 3: a replaced file keeps its mode (0600 stays 0600); a read-only file (0444) is refused, not replaced', () => {
  const d = folder();
  writeFileSync(join(d, 'm.st'), 'old');
  chmodSync(join(d, 'm.st'), 0o600);
  assert.equal(runDescent([...train, '--save', 'm.st'], { cwd: d }).status, 0);
  assert.equal(statSync(join(d, 'm.st')).mode & 0o777, 0o600);
  writeFileSync(join(d, 'ro.st'), 'keep me');
  chmodSync(join(d, 'ro.st'), 0o444);
  refused(runDescent([...train, '--save', 'ro.st'], { cwd: d }), /^descent: error: --save: 'ro\.st' is read-only \(mode 0444\)/);
  assert.equal(readFileSync(join(d, 'ro.st'), 'utf8'), 'keep me');
  assert.equal(statSync(join(d, 'ro.st')).mode & 0o777, 0o444);
  // a link is followed: the file it names is replaced, the link stays a link
  symlinkSync('m.st', join(d, 'via-link.st'));
  assert.equal(runDescent([...train, '--save', 'via-link.st'], { cwd: d }).status, 0);
  assert.ok(statSync(join(d, 'm.st')).isFile());
  assert.equal(readFileSync(join(d, 'via-link.st')).length, readFileSync(join(d, 'm.st')).length);
});

test('item 4: a second trainer on a locked --out folder is refused while the first runs; a stale lock is taken over', async () => {
  const d = folder();
  // a long first run (many epochs of a tiny model) holds the folder
  const first = spawn(process.execPath, [bin, ...base, '--epochs', '100000', '--seed', '1', '--out', 'run'], { cwd: d, stdio: 'ignore' });
  try {
    for (let i = 0; i < 200 && !existsSync(join(d, 'run', 'config.json')); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(join(d, 'run', '.descent.lock')));
    const second = runDescent([...train, '--seed', '2', '--out', 'run'], { cwd: d });
    refused(second, new RegExp(`--out: 'run' is in use by another descent run \\(pid ${first.pid}, lock file \\.descent\\.lock\\)`));
    assert.equal(JSON.parse(readFileSync(join(d, 'run', 'config.json'), 'utf8')).seed, 1, 'config.json is the first run\'s');
  } finally {
    first.kill('SIGKILL');
    await new Promise((r) => first.on('exit', r));
  }
  // the killed run left its lock: stale (its PID is gone), so the next run takes the folder
  assert.ok(existsSync(join(d, 'run', '.descent.lock')));
  const third = runDescent([...train, '--seed', '3', '--out', 'run'], { cwd: d });
  assert.equal(third.status, 0, third.stderr);
  assert.equal(JSON.parse(readFileSync(join(d, 'run', 'config.json'), 'utf8')).seed, 3);
  assert.equal(existsSync(join(d, 'run', '.descent.lock')), false, 'the lock is removed on exit');
});

test('item 5: --out . refuses to replace a config.json that is not a descent run\'s', () => {
  const d = folder();
  writeFileSync(join(d, 'config.json'), '{"name": "my project"}\n');
  refused(runDescent([...train, '--out', '.'], { cwd: d }), /--out: '\.' already holds 'config\.json', not from a descent run/);
  assert.equal(readFileSync(join(d, 'config.json'), 'utf8'), '{"name": "my project"}\n');
  // an earlier run folder may be written again
  assert.equal(runDescent([...train, '--out', 'r'], { cwd: d }).status, 0);
  assert.equal(runDescent([...train, '--out', 'r'], { cwd: d }).status, 0);
});

/** Runs train in `cwd` until its first epoch line, then sends SIGINT; resolves with the exit code and stderr. */
function interrupt(args: string[], cwd: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd });
    let stderr = '', sent = false;
    child.stdout.on('data', (b: Buffer) => {
      // the first epoch line: the SIGINT handler is in place once training runs
      if (!sent && /^epoch 1\//m.test(b.toString())) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('exit', (status) => resolve({ status, stderr }));
  });
}

test('item 5: Ctrl-C without --checkpoint/--out writes beside --save under a free name, never over an earlier one', async () => {
  const d = folder();
  mkdirSync(join(d, 'models'));
  writeFileSync(join(d, 'models', 'descent-interrupted.safetensors'), 'an earlier interrupt');
  const args = [...base, '--epochs', '100000', '--save', 'models/final.st'];
  const r = await interrupt(args, d);
  assert.equal(r.status, 130, r.stderr);
  assert.match(r.stderr, /checkpoint written to .*models\/descent-interrupted-2\.safetensors/);
  assert.equal(readFileSync(join(d, 'models', 'descent-interrupted.safetensors'), 'utf8'), 'an earlier interrupt');
  assert.ok(statSync(join(d, 'models', 'descent-interrupted-2.safetensors')).size > 100);
});

test('item 7: --save newdir/ and a name past 255 bytes are refused before training; a 240-byte name works (its temporary name fits)', () => {
  const d = folder();
  refused(runDescent([...train, '--save', 'newdir/'], { cwd: d }), /--save: 'newdir\/' names a directory \(it ends in '\/'\); expected a file name/);
  assert.equal(existsSync(join(d, 'newdir')), false);
  refused(runDescent([...train, '--save', `${'n'.repeat(250)}.safetensors`], { cwd: d }), /--save: the file name is 262 bytes long; expected at most 255 bytes/);
  const long = `${'a'.repeat(228)}.safetensors`; // 240 bytes: fits, though '.NAME.PID.N.tmp' would not
  const r = runDescent([...train, '--save', long], { cwd: d });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(statSync(join(d, long)).size > 0);
  assert.ok(Buffer.byteLength(join('x', tempPathFor(long, 4194304, 123456)).split('/').pop()!) <= 255);
  refused(runDescent([...train, '--out', 'x'.repeat(300)], { cwd: d }), /--out: a folder name in '.*' is 300 bytes long; expected at most 255 bytes/);
});
