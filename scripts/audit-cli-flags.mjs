// Audit of every command's flags with absurd values, run by hand (minutes on two cores; not part of `npm test`):
//   node scripts/audit-cli-flags.mjs [> audit.txt]      (needs the build: npm run build or npx tsc -p tsconfig.json)
// For each flag of each command it runs the command with -1, NaN, 1e309, '', ' ', abc, 1,2, Infinity, -0, 1.5,
// no value, and the flag given twice, plus `--flag=x` for boolean flags, `--help`, a stray operand and a bare
// `descent`. Each run is tagged: ERR2 (the contract's one `descent: error:` line, exit 2), RUN1 (one such line,
// exit 1: a run that failed, e.g. diverged), OK0 (accepted: read the list, a file named 'abc' is fine) or BAD
// (anything else: a stack trace, several lines, output on stdout with an error). Exit status 1 when any is BAD.
// Env: CONC (concurrent runs, default 3). New distinct findings belong in test/cli/bad-input.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const repo = join(import.meta.dirname, '..');
const bin = join(repo, 'bin/descent.js');
const { optimizers } = await import(join(repo, 'dist/optim/index.js'));
const { searchMethods } = await import(join(repo, 'dist/search/index.js'));
const all = { ...Object.fromEntries(Object.entries(optimizers).map(([k, v]) => [k, v.defaults])), ...Object.fromEntries(Object.entries(searchMethods).map(([k, v]) => [k, v.defaults ?? v])) };
const kebab = (k) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
const hyperOpt = {};
for (const [name, d] of Object.entries(all)) for (const k of Object.keys(d ?? {})) if (!(kebab(k) in hyperOpt)) hyperOpt[kebab(k)] = name;
const dir = mkdtempSync(join(tmpdir(), 'descent-audit-'));
spawnSync(process.execPath, [bin, 'train', '--data', 'iris', '--epochs', '1', '--save', join(dir, 'm.safetensors')], { cwd: dir });
const VALS = ['-1', 'NaN', '1e309', '', 'abc', '1,2', 'Infinity', '-0', '1.5', ' '];
const hyperFlags = ['momentum','dampening','nesterov','weight-decay','maximize','lr-decay','initial-accumulator-value','eps','eps-inside','alpha','centered','rho','betas','amsgrad','bias-correction','momentum-decay','etas','step-sizes','c1','shrink','t0','gtol','c2','wolfe','initial-scaling','history-size','line-search','ftol'];
const cmds = {
  optimize: { base: (f) => ['--fn', 'rosenbrock', '--x0', '1,2', '--steps', '5', ...(f === 'opt' ? [] : ['--opt', hyperOpt[f] ?? 'adam']), ...(['sgd'].includes(hyperOpt[f]) && f !== 'lr' ? ['--lr', '0.001'] : [])],
    flags: ['spec','fn','x0','opt','lr','steps','schedule','plot','plot-convergence', ...hyperFlags] },
  train: { base: (f) => ['--data', 'iris', ...(f === 'epochs' ? [] : ['--epochs', '1']), ...(hyperOpt[f] && f !== 'lr' ? ['--opt', hyperOpt[f], ...(hyperOpt[f] === 'sgd' ? ['--lr', '0.01'] : []), ...(searchMethods[hyperOpt[f]] ? ['--batch', 'full'] : [])] : [])],
    flags: ['data','target','val','standardize','model','activation','dropout','loss','l1','l2','opt','lr','schedule','schedule-every','batch','epochs','seed','early-stopping','clip-norm','clip-value','init','freeze','save','out','checkpoint','resume','on-nonfinite', ...hyperFlags] },
  eval: { base: () => ['--model', join(dir, 'm.safetensors'), '--data', 'iris'], flags: ['model','data','target','val','arch','activation','loss','standardize'] },
  ensemble: { base: (f) => ['--data', 'iris', '--val', '0.2', ...(f === 'bagging' || f === 'snapshots' ? [] : ['--bagging', '2']), ...(f === 'epochs' ? [] : ['--epochs', '1']), '--model', 'softmax', ...(hyperOpt[f] && f !== 'lr' && optimizers[hyperOpt[f]] ? ['--opt', hyperOpt[f], '--lr', '0.01'] : [])],
    flags: ['data','target','val','standardize','bagging','snapshots','model','activation','dropout','opt','lr','epochs','batch','seed','init','freeze','out', ...hyperFlags] },
  kmeans: { base: (f) => ['--data', 'iris', ...(f === 'k' ? [] : ['--k', '3']), '--seeds', '1'], flags: ['data','k','method','batch','epochs','iterations','init','seed','seeds','target','plot'] },
  compare: { base: (f) => ['--fn', 'beale', '--x0', '1,1', '--opt', 'adam', '--steps', '5', '--out', join(dir, 'cmp')], flags: ['preset','spec','opt','fn','x0','steps','tol','data','model','epochs','seeds','batch','val','target-loss','out'] },
  lab: { base: () => ['--no-open'], flags: ['port'] },
};
const jobs = [];
for (const [cmd, { base, flags }] of Object.entries(cmds)) {
  for (const f of flags) {
    for (const v of VALS) jobs.push([cmd, ...base(f), `--${f}`, v]);
    jobs.push([cmd, ...base(f), `--${f}`]); // missing value
    jobs.push([cmd, ...base(f), `--${f}`, '1', `--${f}`, '2']); // duplicated
  }
  for (const b of ['json', 'no-shuffle', 'new-head', 'all', 'standardize', 'no-progress']) jobs.push([cmd, ...base(b), `--${b}=x`]);
  jobs.push([cmd, '--help']);
  jobs.push([cmd, 'extra-positional']);
}
jobs.push(['frobnicate'], ['--version'], [], ['--help'], ['help', 'train']);
const run = (args) => new Promise((res) => {
  const c = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  c.stdout.on('data', (s) => (out += s)); c.stderr.on('data', (s) => (err += s));
  const t = setTimeout(() => c.kill('SIGKILL'), args[0] === 'lab' ? 3000 : 40000);
  c.on('close', (code, sig) => { clearTimeout(t); res({ args, code, sig, out, err }); });
});
const results = [];
const N = Number(process.env.CONC ?? 3);
for (let i = 0; i < jobs.length; i += N) results.push(...(await Promise.all(jobs.slice(i, i + N).map(run))));
const counts = {};
for (const r of results) {
  const lines = r.err.split('\n').filter((l) => l !== '');
  const ok2 = r.code === 2 && lines.length === 1 && lines[0].startsWith('descent: error: ') && r.out === '';
  const ok1 = r.code === 1 && lines.length === 1 && lines[0].startsWith('descent: error: ') && !/internal error/.test(lines[0]);
  const tag = r.code === 0 ? 'OK0' : ok2 ? 'ERR2' : ok1 ? 'RUN1' : 'BAD';
  counts[tag] = (counts[tag] ?? 0) + 1;
  console.log(`${tag}\t${r.code}${r.sig ? '/' + r.sig : ''}\t${JSON.stringify(r.args.slice(0, 1).concat(r.args.slice(-4)))}\t${(lines[0] ?? '').slice(0, 200)}${lines.length > 1 ? ` [+${lines.length - 1} lines]` : ''}`);
}
console.log(`# ${results.length} runs: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
process.exitCode = counts.BAD ? 1 : 0;
