/** descent's public surface: re-exported by name. Subpaths (descent/optim, ...) give each layer alone. */
export { DescentError, inputError, runError } from './errors.js';
export { makeObjective, objectives } from './objectives/index.js';
export type { Objective, ObjectiveSpec } from './objectives/index.js';
export { createOptimizer, Optimizer, optimizers, resolveOptions, runFirstOrder } from './optim/index.js';
export type { FloatArray, OptimizerName, OptimizerStateDict, ParamGroupSpec } from './optim/index.js';
export { createSchedule, parseScheduleArg } from './schedule/index.js';
export type { Schedule, ScheduleSpec } from './schedule/index.js';
