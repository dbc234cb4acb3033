// The library tour of the README, runnable: `npx tsx examples/library.ts`.
// test/readme/readme.test.ts runs it and checks the numbers it prints against closed forms.
import { readFileSync } from 'node:fs';
import {
  makeObjective, expressionObjective, createOptimizer, createSchedule, minimize,
  buildModel, Rng, Trainer, evaluate, parseCsv, splitTail, fitStandardizer, applyStandardizer,
  serializeSafetensors,
} from '../src/index.js';

// 1. An optimizer over a flat buffer, exactly as torch.optim.Adam would move it.
const rosenbrock = makeObjective('rosenbrock', 2);
const x = Float64Array.of(-1.5, 2), g = new Float64Array(2);
const adam = createOptimizer('adam', { params: x, grads: g }, { lr: 0.01 });
for (let step = 0; step < 2000; step++) {
  adam.zeroGrad();
  rosenbrock.valueAndGrad(x, g); // f and its gradient in one call
  adam.step();
}
console.log(`adam: rosenbrock after 2000 steps at (${x[0].toFixed(4)}, ${x[1].toFixed(4)})`);

// 2. A quasi-Newton method, in the spirit of scipy.optimize.minimize.
const res = minimize(rosenbrock, [-1.2, 1], { method: 'bfgs', gtol: 1e-8 });
console.log(`bfgs: f = ${res.fun.toExponential(2)} at (${res.x[0].toFixed(6)}, ${res.x[1].toFixed(6)}) after ${res.nit} iterations, ${res.evaluations} evaluations, stopped by ${res.reason}`);

// Newton on any f written once over Scalars: its Hessian comes from automatic differentiation.
const curved = expressionObjective(2, ([u, v]) => u.square().add(v.sub(u.sin()).square().mul(10)));
const nt = minimize(curved, [1.5, -1], { method: 'newton', gtol: 1e-10 });
console.log(`newton: at (${nt.x[0].toExponential(1)}, ${nt.x[1].toExponential(1)}) after ${nt.nit} iterations, ${nt.hessianEvaluations} Hessians, stopped by ${nt.reason}`);

// 3. Softmax regression on the built-in digits (a CSV with a header), trained with minibatch SGD.
const all = parseCsv(readFileSync(new URL('../data/digits.csv', import.meta.url)), { source: 'digits.csv' });
const { train, val } = splitTail(all, 0.2); // the last 20% of the rows, in file order, held out
const scaler = fitStandardizer(train); // fitted on the training rows only
applyStandardizer(train, scaler);
applyStandardizer(val!, scaler);
const model = buildModel({ kind: 'softmax', inFeatures: train.d, outFeatures: 10, rng: new Rng(0) });
const sgd = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.1, momentum: 0.9, nesterov: true });
const trainer = new Trainer({
  model, loss: 'ce', optimizer: sgd, train, val, batch: 32, shuffle: true, rng: new Rng(0),
  schedule: createSchedule('cosine:tMax=10', 0.1), l2: 1e-4,
});
for (let epoch = 0; epoch < 10; epoch++) {
  for (let b = 0; b < trainer.batchesPerEpoch; b++) trainer.step();
  const { metrics } = trainer.endEpoch();
  if (epoch === 9) console.log(`softmax: epoch ${metrics.epoch} trainLoss ${metrics.trainLoss.toFixed(4)} valAccuracy ${metrics.valAccuracy!.toFixed(4)}`);
}
const { accuracy } = evaluate(model, 'ce', val!);
// torch.load_file-compatible weights: names as torch.nn.Sequential's state_dict names them
const bytes = serializeSafetensors(model.stateDict());
console.log(`held-out accuracy ${accuracy!.toFixed(4)}; safetensors ${bytes.length} bytes`);
