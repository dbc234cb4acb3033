// Type-level tests of createOptimizer (issue 15 item 5), checked by `npm run typecheck` / test/arch/typecheck.test.ts:
// literal names, per-optimizer option types derived from the defaults objects, unknown keys and typos are
// compile errors. Each `@ts-expect-error` line must be an error, or tsc reports the directive as unused.
import { createOptimizer, type OptionsOf, type OptimizerOptions } from '../../src/optim/index.js';

const g = { params: new Float64Array(2), grads: new Float64Array(2) };

// the right keys and types compile, for every kind of value
createOptimizer('adam', g, { lr: 0.01, betas: [0.9, 0.99], amsgrad: true, decoupledWeightDecay: true });
createOptimizer('sgd', g, { momentum: 0.9, nesterov: true });
createOptimizer('sgd', g);
createOptimizer('adafactor', g, { eps: [null, 1e-3], beta2Decay: -0.8 });
createOptimizer('muon', g, { nsCoefficients: [3.4445, -4.775, 2.0315], adjustLrFn: 'match_rms_adamw' });
createOptimizer('nadam', g, { torch113: true });
createOptimizer('sparse-adam', g, { betas: [0.9, 0.999] });
createOptimizer('rmsprop-nesterov', g, { epsInside: false });

// a name known only at run time is accepted (checked then), with loosely typed options
const fromFlag: string = 'adam';
createOptimizer(fromFlag, g, { lr: 0.1, anything: 1 });

// @ts-expect-error: a typo in the name
createOptimizer('adamm', g);
// @ts-expect-error: an unknown key
createOptimizer('adam', g, { lrr: 0.1 });
// @ts-expect-error: another optimizer's key (adam has no momentum)
createOptimizer('adam', g, { momentum: 0.9 });
// @ts-expect-error: a wrong value type
createOptimizer('adam', g, { amsgrad: 1 });
// @ts-expect-error: a pair where betas has two numbers
createOptimizer('adam', g, { betas: [0.9] });
// @ts-expect-error: muon's adjustLrFn is one of two names or null
createOptimizer('muon', g, { adjustLrFn: 'orginal' });
// @ts-expect-error: adafactor's eps2 is a number, not null
createOptimizer('adafactor', g, { eps: [1e-30, null] });
// @ts-expect-error: sgd has no betas
createOptimizer('sgd', g, { betas: [0.9, 0.999] });

// the option types are the defaults objects' types
const adamOptions: OptionsOf<'adam'> = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, biasCorrection: true, decoupledWeightDecay: false };
const partial: OptimizerOptions<'asgd'> = { t0: 100, lambd: 1e-4 };
void adamOptions; void partial;
