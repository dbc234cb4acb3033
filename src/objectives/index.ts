/**
 * Test functions for optimizers: the registry `objectives` and `makeObjective(spec, n)`.
 */
import { inputError, unknownName } from '../errors.js';
import type { Objective, ObjectiveFamily, ObjectiveSpec } from './objective.js';
import { square, xcos, quadratic, rosenbrock, beale, booth, himmelblau, saddle, valley, plateau } from './functions.js';

export type { Objective, ObjectiveFamily, ObjectiveSpec } from './objective.js';
export { XCOS_C } from './functions.js';
export { expressionObjective, withTapedHessian } from './objective.js';

/** Every test function by name: the contract's eight, then the lectures' valley and plateau. */
export const objectives = { square, xcos, quadratic, rosenbrock, beale, booth, himmelblau, saddle, valley, plateau } as const;

/** The name of a test function, a key of {@link objectives} (`descent optimize --function` takes these). */
export type ObjectiveName = keyof typeof objectives;

/**
 * Builds an objective from a spec: a name (`"beale"`) or `{ name, ...parameters }`
 * (`{ name: "quadratic", A: [[2, 0], [0, 1]], b: [1, 1] }`). `n` is the dimension wanted
 * (the length of x0); it must fit the function (beale: 2, rosenbrock: ≥ 2, quadratic: A's size).
 * Unknown names and parameters fail with an input error listing the known ones.
 */
export function makeObjective(spec: ObjectiveSpec, n?: number): Objective {
  let name: string;
  let given: Record<string, unknown> = {};
  if (typeof spec === 'string') name = spec;
  else if (spec !== null && typeof spec === 'object' && typeof spec.name === 'string') {
    name = spec.name;
    given = { ...spec };
    delete given.name;
  } else throw inputError(`function: expected a name or an object with a "name" field`);
  if (!Object.prototype.hasOwnProperty.call(objectives, name)) throw unknownName('function', name, Object.keys(objectives));
  const family: ObjectiveFamily = objectives[name as ObjectiveName];
  const known = Object.keys(family.params);
  const params: Record<string, unknown> = {};
  for (const k of Object.keys(given)) {
    if (!known.includes(k)) {
      throw inputError(`function '${name}': unknown parameter '${k}'; expected ${known.length ? `one of: ${known.join(', ')}` : 'none'}`);
    }
  }
  for (const k of known) {
    const v = k in given ? given[k] : family.params[k];
    if (v === undefined && k !== 'b') throw inputError(`function '${name}': parameter '${k}' is required`);
    params[k] = v;
  }
  if (n !== undefined) {
    if (!Number.isInteger(n) || n < 1) throw inputError(`function '${name}': expected a dimension ≥ 1, got ${n}`);
    if (typeof family.dim === 'number' && n !== family.dim) {
      throw inputError(`function '${name}': expected x0 of length ${family.dim}, got ${n}`);
    }
    if (family.minDim !== undefined && n < family.minDim) {
      throw inputError(`function '${name}': expected x0 of length at least ${family.minDim}, got ${n}`);
    }
  }
  return family.make(n, params);
}
