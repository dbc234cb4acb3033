// Issue 19, items 6 and 10-14, and issue 15's honest CLI (items 6-7): bounded memory, validated checkpoints,
// advice only where it applies, strict specs, no silent acceptance, a quiet EPIPE, the lab server by RFC 9112,
// --version, typed help, --resume and transfer runs that say what they do, --plot-convergence showing divergence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { bin, repo, runDescent } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { parseSafetensorsWithMetadata, serializeSafetensors } from '../../src/io/safetensors.js';
import { parseStrictJson } from '../../src/io/strict-json.js';
import { DescentError } from '../../src/errors.js';
import { startLabServer } from '../../src/cli/lab-server.js';
import { MAX_PATH_POINTS } from '../../src/search/optimize-run.js';
import { makeObjective } from '../../src/objectives/index.js';
import { minimize } from '../../src/search/minimize.js';

const dir = scratchDir('descent-adv-runs-');
const CSV = 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n';
writeFileSync(join(dir, 'good.csv'), CSV);
const train = ['train', '--data', 'good.csv', '--batch', '2'];
const run = (args: string[]) => runDescent(args, { cwd: dir, timeout: 120_000 });

function refused(r: { status: number; stdout: string; stderr: string }, says: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, says);
}

/** A copy of checkpoint `from` with its descent metadata changed by `edit`, written to `to`. */
function tamper(from: string, to: string, edit: (meta: Record<string, any>) => void): void {
  const { tensors, metadata } = parseSafetensorsWithMetadata(new Uint8Array(readFileSync(join(dir, from))));
  const meta = JSON.parse(metadata!.descent);
  edit(meta);
  writeFileSync(join(dir, to), serializeSafetensors(tensors, { descent: JSON.stringify(meta) }));
}

test('item 6: optimize --steps 2e6 --json runs in bounded memory, the path thinned and --json saying so', () => {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, 'optimize', '--fn', 'rosenbrock', '--x0', '-1,1', '--opt', 'adam', '--lr', '0.001', '--steps', '2000000', '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(out.path.length <= 10_001, `${out.path.length} points`);
  assert.equal(out.pathThinned.kept, out.path.length);
  assert.equal(out.pathThinned.steps[out.pathThinned.steps.length - 1], 2_000_000, 'the last iterate is kept');
  assert.equal(out.pathThinned.steps[1], out.pathThinned.stride);
  const kb = Number(r.stderr.trim().split('\n').pop());
  assert.ok(kb < 400_000, `${kb} KB RSS (the unthinned path would take ~1 GB)`);
});

test('item 6: the line-search paths of optimize are thinned by the same rule, --json and the summary saying so', () => {
  // gd-backtracking with gtol 0 runs 33,768 iterations on Rosenbrock before its line search fails: over the cap
  const args = ['optimize', '--fn', 'rosenbrock', '--x0', '-1.2,1', '--opt', 'gd-backtracking', '--gtol', '0', '--steps', '100000'];
  const r = run([...args, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const full = minimize(makeObjective('rosenbrock', 2), [-1.2, 1], { method: 'gd-backtracking', gtol: 0, maxIter: 100000 });
  assert.ok(full.nit > MAX_PATH_POINTS, `${full.nit} iterations`);
  assert.equal(out.reason, full.reason);
  assert.ok(out.path.length <= MAX_PATH_POINTS, `${out.path.length} points`);
  assert.equal(out.pathThinned.kept, out.path.length);
  assert.equal(out.pathThinned.steps[out.pathThinned.steps.length - 1], full.nit, 'the last iterate is kept');
  const stride = out.pathThinned.stride;
  assert.ok(stride > 1 && (stride & (stride - 1)) === 0, `stride ${stride}`);
  out.pathThinned.steps.forEach((s: number, i: number) => {
    assert.ok(s % stride === 0 || i === out.path.length - 1);
    assert.deepEqual(out.path[i], full.path[s]);
    assert.equal(out.values[i], full.values[s]);
  });
  const text = run(args);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`gd-backtracking on rosenbrock \\(n = 2\\), ${full.nit} steps`));
  assert.match(text.stdout, new RegExp(`path: ${out.path.length} of the iterates kept \\(every ${stride}th step and the last`));
  // newton, bfgs, lbfgs and cg converge in far fewer iterations than the cap: their paths stay whole
  for (const opt of ['newton', 'bfgs', 'lbfgs', 'cg']) {
    const o = JSON.parse(run(['optimize', '--fn', 'rosenbrock', '--x0', '-1.2,1', '--opt', opt, '--steps', '100000', '--json']).stdout);
    assert.equal(o.pathThinned, undefined, opt);
  }
});

test('item 6: ensemble --bagging, compare --seeds and kmeans --seeds are bounded by the memory budget, naming the flag', () => {
  refused(run(['ensemble', '--data', 'iris', '--val', '0.2', '--bagging', '60000']), /^descent: error: --bagging 60000: .* expected --bagging \d+ or fewer$/m);
  refused(run(['compare', '--data', 'iris', '--opt', 'adam', '--seeds', '100000000', '--out', 'rep']), /^descent: error: --seeds 100000000: .*expected --seeds \d+ or fewer$/m);
  refused(run(['kmeans', '--data', 'iris', '--k', '3', '--seeds', '100000000']), /^descent: error: --seeds 100000000, --k 3: .*fewer --seeds/m);
});

test('item 6: kmeans --seeds past the JavaScript heap is refused up front, not run into "heap out of memory"', () => {
  // The runs are kept as JavaScript objects, so V8's heap limit bounds them before the machine's memory
  // does. Before the check used it, 15,000 seeds x 3 methods under a 256 MiB heap (an estimated 765 MB,
  // within half of any machine's memory) ran for 53 s and died: "JavaScript heap out of memory", a native
  // trace, exit 134. A small heap makes the case the same on any machine
  const r = spawnSync(process.execPath, ['--max-old-space-size=256', bin, 'kmeans', '--data', 'iris', '--k', '3', '--seeds', '15000'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  refused({ status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr },
    /^descent: error: --seeds 15000, --k 3: 45000 runs .* over the limit of \d+ bytes \((the JavaScript heap's limit of 0\.\d+ GiB, less \d+ MiB in use \(node --max-old-space-size raises it\)|half of this machine's [\d.]+ GiB)\); use a smaller --k, fewer --seeds or one --method$/m);
  // 1,000 seeds of one method fit and run
  const ok = spawnSync(process.execPath, ['--max-old-space-size=256', bin, 'kmeans', '--data', 'iris', '--k', '3', '--seeds', '1000', '--method', 'batch', '--json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).runs.length, 1000);
});

test('item 10: checkpoint metadata is range-checked, errors name the --resume file; a changed data file is noticed', () => {
  assert.equal(run([...train, '--epochs', '2', '--checkpoint', 'ck.st']).status, 0);
  const bad: [string, (m: Record<string, any>) => void, RegExp][] = [
    ['batch.st', (m) => (m.trainer.batchInEpoch = 1e9), /checkpoint field trainer\.batchInEpoch: expected an integer in \[0, 1\], got '1000000000'/],
    ['step.st', (m) => (m.optimizer.scalars[0].step = -1), /checkpoint field optimizer\.state\[0\]\.step: expected an integer in \[0, \d+\], got '-1'/],
    ['epoch.st', (m) => (m.trainer.epoch = -5), /checkpoint field trainer\.epoch: expected an integer in \[0, 1000000000\], got '-5'/],
    ['lr.st', (m) => (m.optimizer.paramGroups[0].options.lr = -1), /checkpoint field optimizer\.paramGroups\[0\]\.options\.lr: expected a finite number >= 0/],
    ['rng.st', (m) => (m.trainer.shuffleRng = { s: [0, 0, 0, 0], spare: null }), /rng state: s: the all-zero state is not valid/],
    ['format.st', (m) => delete m.format, /checkpoint format missing, expected 'descent-checkpoint-1'/],
  ];
  for (const [file, edit, says] of bad) {
    tamper('ck.st', file, edit);
    const r = run([...train, '--epochs', '4', '--resume', file]);
    refused(r, says);
    assert.match(r.stderr, new RegExp(`^descent: error: --resume ${file.replace('.', '\\.')}: `), 'the message names the file');
    assert.doesNotMatch(r.stderr, /diverged|try --lr|undefined/);
  }
  // the data changed under the same name
  writeFileSync(join(dir, 'changing.csv'), CSV);
  assert.equal(run(['train', '--data', 'changing.csv', '--batch', '2', '--epochs', '1', '--checkpoint', 'ck2.st']).status, 0);
  writeFileSync(join(dir, 'changing.csv'), CSV.replace('7,8,1', '7,9,1'));
  refused(run(['train', '--data', 'changing.csv', '--batch', '2', '--epochs', '2', '--resume', 'ck2.st']), /--resume ck2\.st: the data file changed since the checkpoint was written: same size \(\d+ bytes\), but the contents differ/);
  writeFileSync(join(dir, 'changing.csv'), CSV + '9,10,0\n');
  refused(run(['train', '--data', 'changing.csv', '--batch', '2', '--epochs', '2', '--resume', 'ck2.st']), /it had \d+ bytes, now \d+/);
});

test('item 11: lr advice only where a step with lr > 0 produced the divergence', () => {
  // NaN weights in --init are refused as input, naming the tensor
  assert.equal(run([...train, '--epochs', '0', '--save', 'w.st']).status, 0);
  const { tensors, metadata } = parseSafetensorsWithMetadata(new Uint8Array(readFileSync(join(dir, 'w.st'))));
  tensors['0.weight'].data[1] = NaN;
  writeFileSync(join(dir, 'nan.st'), serializeSafetensors(tensors, metadata ?? undefined));
  refused(run([...train, '--epochs', '1', '--init', 'nan.st']), /--init nan\.st: tensor '0\.weight' holds NaN at index 1; expected finite weights/);
  // targets of 1e300 with lr 0: mse overflows, no update happened
  writeFileSync(join(dir, 'huge.csv'), 'a,y\n1,1e300\n2,1e300\n');
  let r = run(['train', '--data', 'huge.csv', '--model', 'linear', '--opt', 'sgd', '--lr', '0', '--epochs', '1', '--batch', '2']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /diverged at step 1 .*before any update, so the initial weights \(--init\) or the data give it/);
  assert.doesNotMatch(r.stderr, /try --lr/);
  r = run(['train', '--data', 'huge.csv', '--model', 'linear', '--opt', 'sgd', '--lr', '0', '--epochs', '1', '--batch', '1']);
  assert.doesNotMatch(r.stderr, /try --lr/);
  // a first-order run at x0 where f is not finite: step 0, no lr advice
  r = run(['optimize', '--fn', 'rosenbrock', '--x0', '1e200,1', '--opt', 'sgd', '--lr', '0.1', '--steps', '3']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /diverged at step 0: f is Infinity; f is not finite at the start point; try another --x0/);
  // a real lr divergence keeps its advice
  r = run(['optimize', '--fn', 'rosenbrock', '--x0', '1,2', '--opt', 'sgd', '--lr', '1', '--steps', '50']);
  assert.match(r.stderr, /diverged at step \d+: f is Infinity; try --lr 0\.1 or lower/);
  // a class index of 1e8 in a column of 4 rows is a numeric target, not 10^8 classes
  writeFileSync(join(dir, 'class.csv'), 'a,y\n1,0\n2,1\n3,100000000\n4,1\n');
  refused(run(['train', '--data', 'class.csv', '--model', 'softmax']), /--loss ce: target 'y' holds class index 100000000 \(row 3\), more classes than the 4 rows/);
});

test('item 12: duplicate keys, __proto__ and constructor refused in specs and --schedule; a BOM accepted', () => {
  const spec = (name: string, text: string) => writeFileSync(join(dir, name), text);
  spec('dup.json', '{"function": "rosenbrock", "x0": [1, 2], "optimizer": {"name": "sgd", "lr": -1, "lr": 0.001}, "steps": 3}');
  refused(run(['optimize', '--spec', 'dup.json']), /--spec dup\.json: 'optimizer\.lr' is given twice; expected each key once/);
  spec('proto.json', '{"function": "rosenbrock", "x0": [1, 2], "optimizer": {"name": "sgd", "lr": 0.001, "__proto__": {"lr": -1}}, "steps": 3}');
  refused(run(['optimize', '--spec', 'proto.json']), /'optimizer\.__proto__': the key '__proto__' is not allowed/);
  spec('compare-dup.json', '{"function": "beale", "x0": [1, 1], "optimizers": ["adam"], "steps": 3, "steps": 4}');
  refused(run(['compare', '--spec', 'compare-dup.json', '--out', 'c']), /'steps' is given twice/);
  spec('bom.json', '\uFEFF{"function": "rosenbrock", "x0": [1, 2], "optimizer": {"name": "sgd", "lr": 0.001}, "steps": 3}');
  assert.equal(run(['optimize', '--spec', 'bom.json']).status, 0);
  refused(run([...train, '--schedule', 'step:step_size=2,step_size=3']), /--schedule step: 'step_size' is given twice/);
  refused(run([...train, '--schedule', 'step:step_size=2,__proto__=1']), /--schedule step: the key '__proto__' is not allowed/);
  refused(run([...train, '--schedule', 'step:step_size=2,constructor=1']), /the key 'constructor' is not allowed/);
  assert.throws(() => parseStrictJson('['.repeat(100) + ']'.repeat(100), 'x'), (e: unknown) => e instanceof DescentError && /nested deeper than 64/.test(e.message));
});

test('item 12: --init beside --resume, --dropout/--activation without hidden layers, and eval\'s bad metadata are refused', () => {
  assert.equal(run([...train, '--epochs', '1', '--checkpoint', 'c12.st', '--save', 'm12.st']).status, 0);
  refused(run([...train, '--epochs', '2', '--resume', 'c12.st', '--init', 'm12.st']), /--init: not used with --resume/);
  refused(run([...train, '--model', 'softmax', '--dropout', '0.5']), /--dropout: the softmax model has no hidden layers/);
  refused(run([...train, '--model', 'linear', '--loss', 'mse', '--activation', 'tanh']), /--activation: the linear model has no hidden layers/);
  const { tensors, metadata } = parseSafetensorsWithMetadata(new Uint8Array(readFileSync(join(dir, 'm12.st'))));
  const meta = JSON.parse(metadata!.descent);
  meta.standardize = { mean: [0, 0], std: [1, 0] };
  writeFileSync(join(dir, 'std0.st'), serializeSafetensors(tensors, { descent: JSON.stringify(meta) }));
  refused(run(['eval', '--model', 'std0.st', '--data', 'good.csv']), /--model std0\.st: metadata field standardize\.std\[1\]: expected a number > 0/);
  meta.standardize = { mean: ['a', 0], std: [1, 1] };
  writeFileSync(join(dir, 'stdstr.st'), serializeSafetensors(tensors, { descent: JSON.stringify(meta) }));
  refused(run(['eval', '--model', 'stdstr.st', '--data', 'good.csv']), /metadata field standardize\.mean: expected a list of finite numbers/);
  const nan = { ...tensors, '0.weight': { ...tensors['0.weight'], data: tensors['0.weight'].data.map(() => NaN) } };
  writeFileSync(join(dir, 'nanw.st'), serializeSafetensors(nan, metadata ?? undefined));
  const r = run(['eval', '--model', 'nanw.st', '--data', 'good.csv', '--json']);
  refused(r, /tensor '0\.weight' holds NaN/);
  assert.doesNotMatch(r.stdout, /null/);
});

test('item 13: a closed stdout (| head -1) ends the run quietly, no EPIPE stack trace', () => {
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" train --data iris --epochs 200 --json | head -1`], { encoding: 'utf8', cwd: dir });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^\{"epoch":1,/);
  assert.equal(r.stderr, '', r.stderr);
});

/** Raw bytes to the server; the response text once `responses` status lines arrived, the server closed, or 5 s passed (then a short wait for any extra). */
function raw(port: number, text: string, responses = 1): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(text));
    let got = '';
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      c.destroy();
      resolve(got);
    };
    c.on('data', (b) => {
      got += b;
      // a response beyond those expected would show within a moment: wait a little before answering
      if ((got.match(/HTTP\/1\.1 \d+/g) ?? []).length >= responses) {
        clearTimeout(timer);
        timer = setTimeout(done, 300);
      }
    });
    c.on('close', done);
    c.on('error', () => {});
    timer = setTimeout(done, 5000);
  });
}

test('item 14: the lab server refuses a duplicate Host with 400 and answers every pipelined keep-alive request', async () => {
  const root = join(dir, 'www');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>lab</title>');
  const lab = await startLabServer({ port: 0, root });
  try {
    const host = `Host: 127.0.0.1:${lab.port}`;
    const dup = await raw(lab.port, `GET / HTTP/1.1\r\n${host}\r\nHost: evil.example\r\n\r\n`);
    assert.deepEqual(dup.match(/HTTP\/1\.1 \d+/g), ['HTTP/1.1 400']);
    const noHost = await raw(lab.port, 'GET / HTTP/1.1\r\n\r\n');
    assert.deepEqual(noHost.match(/HTTP\/1\.1 \d+/g), ['HTTP/1.1 400']);
    const two = await raw(lab.port, `GET / HTTP/1.1\r\n${host}\r\n\r\nGET /index.html HTTP/1.1\r\n${host}\r\n\r\n`, 2);
    assert.deepEqual(two.match(/HTTP\/1\.1 \d+/g), ['HTTP/1.1 200', 'HTTP/1.1 200']);
    const afterRefusal = await raw(lab.port, `GET /missing HTTP/1.1\r\n${host}\r\n\r\nGET / HTTP/1.1\r\n${host}\r\n\r\n`, 2);
    assert.deepEqual(afterRefusal.match(/HTTP\/1\.1 \d+/g), ['HTTP/1.1 404', 'HTTP/1.1 200']);
  } finally {
    await lab.close();
  }
});

test('issue 15 item 7: --version, typed help, ensemble --help without line-search flags', () => {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
  const v = runDescent(['--version']);
  assert.equal(v.status, 0);
  assert.equal(v.stdout, `${pkg.version}\n`);
  const help = runDescent(['train', '--help']).stdout;
  assert.doesNotMatch(help, /\[value\]/);
  assert.match(help, /--momentum <number>/);
  assert.match(help, /--betas <n1,n2>/);
  assert.match(help, /--nesterov \[bool\]/);
  assert.match(help, /--history-size <int>/);
  const ens = runDescent(['ensemble', '--help']).stdout;
  for (const flag of ['--c1', '--c2', '--line-search', '--line-search-fn', '--history-size', '--gtol', '--ftol']) assert.ok(!ens.includes(`${flag} `), `ensemble --help offers ${flag}`);
  assert.match(ens, /--momentum <number>/);
});

test('issue 15 item 7: --resume without an output says nothing is written; transfer runs say what they loaded and froze', () => {
  assert.equal(run(['train', '--data', 'iris', '--model', 'mlp:8', '--epochs', '1', '--checkpoint', 'r.st', '--save', 'body.st']).status, 0);
  const before = readFileSync(join(dir, 'r.st'));
  let r = run(['train', '--data', 'iris', '--model', 'mlp:8', '--epochs', '2', '--resume', 'r.st']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^descent: note: no --checkpoint, --save or --out: this run writes no file \(r\.st stays as it was\); add --checkpoint r\.st to keep it updated$/m);
  assert.deepEqual(readFileSync(join(dir, 'r.st')), before);
  r = run(['train', '--data', 'iris', '--model', 'mlp:8', '--epochs', '1', '--init', 'body.st', '--new-head', '--freeze', '0']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^init: loaded 2 tensors from body\.st \(0\.weight, 0\.bias\); new head, initialized fresh: 2\.weight, 2\.bias$/m);
  assert.match(r.stdout, /^frozen: 0\.weight, 0\.bias \(40 parameters kept fixed\)$/m);
  r = run(['train', '--data', 'iris', '--model', 'mlp:8', '--epochs', '1', '--init', 'body.st', '--json']);
  const done = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(done.transfer, ['init: loaded 4 tensors from body.st (0.weight, 0.bias, 2.weight, 2.bias)']);
});

test('issue 15 item 6: --plot-convergence shows sgd as diverged (was dropped by a silent catch)', () => {
  const r = run(['optimize', '--plot-convergence', 'conv.svg', '--fn', 'rosenbrock', '--x0', '-1,1', '--lr', '0.1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^sgd \(lr 0\.1\), diverged at step 6: f or the iterate became non-finite at step 6/m);
  assert.match(readFileSync(join(dir, 'conv.svg'), 'utf8'), /sgd \(lr 0\.1\), diverged at step 6/);
});
