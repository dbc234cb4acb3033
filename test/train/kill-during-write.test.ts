// Kill during write: `descent train --out DIR --checkpoint FILE` is SIGKILLed at moments drawn from a fixed
// seed, over many runs. Epochs are tiny (64 rows, one full batch, ~1–2 ms of which most is writing
// metrics.jsonl and the checkpoint), so the kills land inside writes; some land in the final writes
// (model.safetensors, loss-curve.svg). After every kill each file left behind is either absent or loads
// completely, temporary files are recognisable as such, and the checkpoint resumes to a finished run.
// Needs the build (`npm run build` or `npx tsc -p tsconfig.json`): it spawns bin/descent.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/tensor/rng.js';
import { parseSafetensorsWithMetadata } from '../../src/io/safetensors.js';
import { parseCheckpoint } from '../../src/train/checkpoint.js';

const repo = join(import.meta.dirname, '..', '..');
const bin = join(repo, 'bin', 'descent.js');
const RUNS = 24;
const EPOCHS = 40;
const HIDDEN = 32;
const FEATURES = 4;

/** The results a run folder may hold; anything else must be a temporary file of the atomic writer. */
const RESULTS = new Set(['config.json', 'metrics.jsonl', 'model.safetensors', 'loss-curve.svg', 'checkpoint.safetensors']);
/** atomicWrite's temporary name: `.NAME.PID.COUNTER.tmp` (hidden, never a result name). */
const TEMP = /^\.(.+)\.\d+\.\d+\.tmp$/;

function csv(rng: Rng): string {
  const rows = ['a,b,c,d,y'];
  for (let i = 0; i < 64; i++) {
    const v = Array.from({ length: FEATURES }, () => rng.normal());
    rows.push(`${v.map((t) => t.toFixed(5)).join(',')},${v[0] + v[1] > 0 ? 1 : 0}`);
  }
  return rows.join('\n') + '\n';
}

const trainArgs = (data: string, out: string) => [
  bin, 'train', '--data', data, '--model', `mlp:${HIDDEN}`, '--loss', 'ce', '--batch', 'full', '--epochs', String(EPOCHS),
  '--seed', '3', '--out', out, '--checkpoint', join(out, 'checkpoint.safetensors'), '--json',
];

/**
 * Starts a run and SIGKILLs it `delayMs` after its `afterEpoch`-th epoch line (the writes of that
 * epoch follow the line); resolves once the process is gone.
 */
function runAndKill(data: string, out: string, afterEpoch: number, delayMs: number): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, trainArgs(data, out), { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0, armed = false, buf = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('{"epoch"')) seen++;
      }
      if (!armed && seen >= afterEpoch) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ killed: signal === 'SIGKILL' && code === null });
    });
  });
}

interface Left { files: string[]; temps: string[]; metricsEpochs: number; checkpointEpoch: number | null }

/** Every file in the run folder is a complete result or a recognisable temporary file. */
function checkFolder(out: string, label: string): Left {
  const names = readdirSync(out);
  const temps: string[] = [], files: string[] = [];
  for (const name of names) {
    // a killed run leaves its run-folder lock; it is stale (its PID is gone) and the next run takes it over
    if (name === '.descent.lock') continue;
    const m = TEMP.exec(name);
    if (m) {
      // a leftover temporary names the result it was for, and never looks like that result
      assert.ok(RESULTS.has(m[1]), `${label}: temporary file ${name} is for an unknown result`);
      temps.push(name);
    } else {
      assert.ok(RESULTS.has(name), `${label}: unexpected file ${name}`);
      files.push(name);
    }
  }
  const read = (n: string) => readFileSync(join(out, n));
  if (files.includes('config.json')) {
    const config = JSON.parse(read('config.json').toString('utf8'));
    assert.equal(config.epochs, EPOCHS, `${label}: config.json`);
    assert.equal(config.model, `mlp:${HIDDEN}`);
  }
  let metricsEpochs = 0;
  if (files.includes('metrics.jsonl')) {
    const text = read('metrics.jsonl').toString('utf8');
    assert.ok(text.endsWith('\n'), `${label}: metrics.jsonl has a torn last line`);
    const lines = text.slice(0, -1).split('\n').map((l) => JSON.parse(l));
    lines.forEach((l, i) => {
      assert.equal(l.epoch, i + 1, `${label}: metrics.jsonl line ${i + 1}`);
      assert.ok(Number.isFinite(l.trainLoss) && l.trainLoss > 0, `${label}: metrics.jsonl line ${i + 1} trainLoss`);
    });
    metricsEpochs = lines.length;
  }
  let checkpointEpoch: number | null = null;
  if (files.includes('checkpoint.safetensors')) {
    const c = parseCheckpoint(new Uint8Array(read('checkpoint.safetensors')), label);
    checkpointEpoch = c.trainer.epoch;
    assert.equal(c.model['0.weight'].data.length, HIDDEN * FEATURES);
    assert.ok(c.model['0.weight'].data.every(Number.isFinite));
    // written after metrics.jsonl in each epoch: the same epoch, or one behind when killed between the two
    assert.ok(checkpointEpoch === metricsEpochs || checkpointEpoch === metricsEpochs - 1, `${label}: checkpoint at epoch ${checkpointEpoch}, metrics at ${metricsEpochs}`);
    assert.equal(c.trainer.history.length, checkpointEpoch);
  }
  if (files.includes('model.safetensors')) {
    const { tensors, metadata } = parseSafetensorsWithMetadata(new Uint8Array(read('model.safetensors')), label);
    assert.deepEqual(Object.keys(tensors).sort(), ['0.bias', '0.weight', '2.bias', '2.weight']);
    assert.deepEqual(tensors['2.weight'].shape, [2, HIDDEN]);
    assert.ok(JSON.parse(metadata!.descent).model === `mlp:${HIDDEN}`);
    // the model is written after the last epoch's metrics
    assert.equal(metricsEpochs, EPOCHS, `${label}: model.safetensors before the last epoch`);
  }
  if (files.includes('loss-curve.svg')) {
    const svg = read('loss-curve.svg').toString('utf8');
    assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'), `${label}: loss-curve.svg is incomplete`);
    assert.ok(files.includes('model.safetensors'), `${label}: the SVG is written after the model`);
  }
  return { files, temps, metricsEpochs, checkpointEpoch };
}

test(`SIGKILL at ${RUNS} seeded moments during a training run: every file left behind loads; temporaries are never results`, async () => {
  assert.ok(existsSync(join(repo, 'dist', 'cli', 'main.js')), 'dist/cli/main.js is missing: run `npm run build` first');
  const rng = new Rng(20261130);
  const dir = mkdtempSync(join(tmpdir(), 'descent-kill-'));
  try {
    const data = join(dir, 'data.csv');
    writeFileSync(data, csv(new Rng(5)));
    // a third of the kills after the last epoch line (final writes), the rest after an epoch line drawn at random
    const plans = Array.from({ length: RUNS }, (_, i) => ({
      afterEpoch: i % 3 === 2 ? EPOCHS : 1 + rng.int(EPOCHS),
      delayMs: rng.int(i % 3 === 2 ? 12 : 3),
    }));
    const results: (Left & { killed: boolean })[] = [];
    // three at a time: each run is mostly process start-up
    for (let i = 0; i < RUNS; i += 3) {
      const batch = plans.slice(i, i + 3).map(async (p, j) => {
        const out = join(dir, `run-${i + j}`);
        const { killed } = await runAndKill(data, out, p.afterEpoch, p.delayMs);
        return { killed, ...checkFolder(out, `run ${i + j} (kill ${p.delayMs} ms after epoch ${p.afterEpoch})`) };
      });
      results.push(...(await Promise.all(batch)));
    }
    const killed = results.filter((r) => r.killed).length;
    const midWrite = results.filter((r) => r.temps.length > 0).length;
    const torn = results.filter((r) => r.checkpointEpoch !== null && r.checkpointEpoch < r.metricsEpochs).length;
    const finals = results.filter((r) => r.killed && r.files.includes('model.safetensors')).length;
    process.stdout.write(`# ${killed}/${RUNS} runs killed, ${midWrite} with a temporary file left (killed inside a write), ${torn} between metrics and checkpoint, ${finals} after the model was written\n`);
    assert.ok(killed >= RUNS / 2, `only ${killed} of ${RUNS} runs were killed before finishing`);

    // a checkpoint left by a kill resumes to a finished run; leftover temporaries do not disturb it
    // (one that also left a temporary file when there is one, so the sweep below has something to remove)
    const resumable = results.map((r, i) => ({ r, i })).filter(({ r }) => r.killed && r.checkpointEpoch !== null && r.checkpointEpoch < EPOCHS);
    assert.ok(resumable.length > 0, 'no killed run left a checkpoint to resume');
    const withCheckpoint = (resumable.find(({ r }) => r.temps.length > 0) ?? resumable[0]).i;
    process.stdout.write(`# resuming run ${withCheckpoint}, which left ${results[withCheckpoint].temps.length} temporary file(s)\n`);
    const out = join(dir, `run-${withCheckpoint}`);
    // a hang guard only: about 0.5 s idle, 10x that on a starved machine
    const resumed = spawnSync(process.execPath, [...trainArgs(data, out), '--resume', join(out, 'checkpoint.safetensors')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(resumed.status, 0, resumed.stderr);
    const after = checkFolder(out, 'resumed run');
    assert.equal(after.metricsEpochs, EPOCHS);
    // the resumed run's first write swept the killed run's temporaries (their PID is dead)
    assert.deepEqual(after.temps, [], 'stale temporary files of the killed run are removed');
    assert.ok(after.files.includes('model.safetensors') && after.files.includes('loss-curve.svg'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every file descent writes goes through atomicWrite: no other file-writing call in src/', () => {
  const src = join(repo, 'src');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mts)$/.test(name)) files.push(p);
    }
  };
  walk(src);
  const writers = /\b(writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|writeSync|write|truncateSync|copyFileSync|renameSync|openSync|promises)\s*\(/;
  const offenders: string[] = [];
  for (const file of files) {
    if (file === join(src, 'io', 'atomic-write.ts')) continue;
    const text = readFileSync(file, 'utf8');
    // only modules that import node:fs can write files
    if (!/from 'node:fs(\/promises)?'/.test(text)) continue;
    const imported = /import\s*\{([^}]*)\}\s*from\s*'node:fs(?:\/promises)?'/.exec(text)?.[1] ?? '';
    for (const name of imported.split(',').map((t) => t.trim().split(/\s+as\s+/).pop()!)) {
      if (name && writers.test(`${name}(`) && name !== 'write') offenders.push(`${file.slice(repo.length + 1)} imports ${name}`);
    }
    if (/import\s+\*\s+as\s+\w+\s+from\s+'node:fs/.test(text) || /import\s+\w+\s+from\s+'node:fs/.test(text)) offenders.push(`${file.slice(repo.length + 1)} imports the whole fs module`);
  }
  // reading is fine (openSync is used to read the CSV in chunks): only that module may open files, read-only
  const allowed = new Set(['src/node/csv-file.ts imports openSync']);
  assert.deepEqual(offenders.filter((o) => !allowed.has(o)), []);
  // read-only: 'r', or O_RDONLY (with O_NONBLOCK, so a FIFO named as data is refused instead of waited on)
  assert.match(readFileSync(join(src, 'node', 'csv-file.ts'), 'utf8'), /openSync\(path, (?:'r'|constants\.O_RDONLY(?: \| constants\.O_NONBLOCK)?)\)/);
});
