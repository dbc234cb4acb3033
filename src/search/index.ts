/** Line searches and second-order methods: counted objectives, Armijo/strong Wolfe, Newton, BFGS, L-BFGS, CG. */
export { counted } from './counted.js';
export type { CountedObjective, SearchObjective } from './counted.js';
export { backtracking, strongWolfe, cubicMinimizer, LineSearchWork } from './line-search.js';
export type { BacktrackingOptions, LineSearchResult, LineSearchStatus, StrongWolfeOptions } from './line-search.js';
export { minimize, searchMethods, resolveSearchOptions, isSearchMethodName } from './minimize.js';
export type { IterateInfo, MinimizeOptions, MinimizeResult, SearchMethodName, StopReason } from './minimize.js';
export { checkFullBatch, minimizeParams } from './minimize-params.js';
export type { MinimizeParamsOptions } from './minimize-params.js';
export { finiteDifferenceHessian, choleskyShifted } from './newton.js';
export { convergenceSeries, convergenceProblem, expSumObjective } from './convergence.js';
export type { ConvergenceSeries } from './convergence.js';
export { optimizeSearchMethods } from './optimize-adapter.js';
export type { OptimizeSearchMethod, OptimizeSearchResult } from './optimize-adapter.js';
export { LbfgsTorch, lbfgsTorchDefaults, resolveLbfgsTorchOptions, cubicInterpolate as torchCubicInterpolate } from './lbfgs-torch.js';
export type { LbfgsTorchOptions, LbfgsTorchStateDict, LbfgsTorchLineSearch } from './lbfgs-torch.js';
export { runLbfgsTorch, lbfgsTorchFlagDefaults } from './lbfgs-torch-run.js';
export type { LbfgsTorchRun } from './lbfgs-torch-run.js';
