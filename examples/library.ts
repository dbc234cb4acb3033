// The library tour of the README, runnable: `npx tsx examples/library.ts`.
// test/readme/readme.test.ts runs it and checks the numbers it prints against closed forms.
import {
  makeObjective, expressionObjective, createOptimizer, attachSchedule, minimize,
  buildModel, Rng, Trainer, evaluate, train, serializeSafetensors,
} from '../src/index.js';
import { loadDataset } from '../src/node/index.js';

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

// 3. Softmax regression on the built-in digits, trained with minibatch SGD. loadDataset reads it by name,
// holds out the last 20% of the rows and standardizes both splits with the training rows' mean and std:
// train and val come back standardized (digits.standardizer holds the statistics for new rows).
const digits = loadDataset('digits');
const { train: rows, val } = digits;
const model = buildModel({ kind: 'softmax', inFeatures: rows.d, outFeatures: 10, rng: new Rng(0) });
const sgd = createOptimizer('sgd', { params: model.params, grads: model.grads }, { lr: 0.1, momentum: 0.9, nesterov: true });
const trainer = new Trainer({
  model, loss: 'ce', optimizer: sgd, train: rows, val, batch: 32, shuffle: true, rng: new Rng(1),
  schedule: attachSchedule(sgd, 'cosine:tMax=10'), l2: 1e-4, // torch's CosineAnnealingLR(sgd, T_max=10): from sgd's lr
});
for (let epoch = 0; epoch < 10; epoch++) {
  for (let b = 0; b < trainer.batchesPerEpoch; b++) trainer.step();
  const { metrics } = trainer.endEpoch();
  if (epoch === 9) console.log(`softmax: epoch ${metrics.epoch} trainLoss ${metrics.trainLoss.toFixed(6)} valAccuracy ${metrics.valAccuracy!.toFixed(4)}`);
}
const { accuracy } = evaluate(model, 'ce', val!);
// torch.load_file-compatible weights: names as torch.nn.Sequential's state_dict names them
const bytes = serializeSafetensors(model.stateDict());
console.log(`held-out accuracy ${accuracy!.toFixed(4)} (${digits.note.split('; ').pop()}); safetensors ${bytes.length} bytes`);

// 4. What `descent train` does, as one call: L2 logistic regression on breast cancer fitted to its optimum by
// lbfgs in float64. scikit-learn's LogisticRegression(C) is the same fit with l2 = 1 / (2·C·n).
const cancer = loadDataset('breast-cancer', { val: 0, float64: true });
const C = 1;
const fit = await train({
  data: cancer, model: 'logistic', l2: 1 / (2 * C * cancer.train.n), optimizer: { name: 'lbfgs', gtol: 1e-10 },
  batch: 'full', epochs: 1000, dtype: 'float64',
});
const fitted = evaluate(fit.model, 'bce', cancer.train);
console.log(`logistic (C = ${C}): train loss ${fitted.loss.toFixed(10)}, accuracy ${fitted.accuracy!.toFixed(4)}, ${fit.search!.evaluations} evaluations, stopped by ${fit.search!.reason}`);
