// W4, descent's side: L-BFGS on the n = 1000 Rosenbrock function (objectives' rosenbrock) through the
// search teammate's `minimize` (src/search/minimize.ts). Prints one JSON object; {note} when src/search has no
// `minimize` yet, and run.mjs reports the skip.
import { existsSync } from 'node:fs';
import { timeIt, stats } from './common.mjs';

const quick = process.argv.includes('--quick');
const url = new URL('../dist/search/minimize.js', import.meta.url);
const mod = existsSync(url) ? await import(url.href) : {};
if (typeof mod.minimize !== 'function') {
  console.log(JSON.stringify({ peer: 'descent', note: 'src/search exports no minimize yet; descent L-BFGS not measured' }));
  process.exit(0);
}
const { makeObjective } = await import('../dist/objectives/index.js');
const n = 1000;
const f = makeObjective('rosenbrock', n);
const x0 = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
let res;
// the same settings as the PyTorch peer: history 10, strong Wolfe, stop at max|∇f| ≤ 1e-8 or 5000 iterations
// (ftol 0: no stop on L-BFGS-B's relative-reduction test, which the peer does not make)
const per = await timeIt(() => { res = mod.minimize(f, x0, { method: 'lbfgs', maxIter: 5000, historySize: 10, gtol: 1e-8, ftol: 0, recordPath: false }); }, { reps: quick ? 2 : 3, target: 0 });
console.log(JSON.stringify({
  peer: 'descent',
  w4: { 'lbfgs rosenbrock 1000': { seconds: stats(per), f: res.fun, iterations: res.nit, evaluations: res.evaluations, reason: res.reason } },
}));
process.exit(0);
