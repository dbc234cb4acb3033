/** descent's public surface: re-exported by name. Subpaths (descent/optim, ...) give each layer alone. */
export { DescentError, inputError, runError } from './errors.js';
export { makeObjective, objectives } from './objectives/index.js';
export type { Objective, ObjectiveSpec } from './objectives/index.js';
export { createOptimizer, Optimizer, optimizers, resolveOptions, runFirstOrder } from './optim/index.js';
export type { FloatArray, OptimizerName, OptimizerStateDict, ParamGroupSpec } from './optim/index.js';
export { createSchedule, parseScheduleArg } from './schedule/index.js';
export type { Schedule, ScheduleSpec } from './schedule/index.js';
export { minimize, minimizeParams, searchMethods, counted, convergenceSeries } from './search/index.js';
export type { MinimizeOptions, MinimizeResult, SearchObjective, StopReason } from './search/index.js';
export { Tensor, alloc, setAllocator, kernels, setKernels, Rng, Arena } from './tensor/index.js';
export type { DType, FloatArray as TensorData, RngState } from './tensor/index.js';
export { Var, tensor, backward, noGrad, withArena, gradcheck, numericGradient } from './autograd/index.js';
export { Linear, ReLU, Sigmoid, Tanh, Dropout, Sequential, buildModel, parseModelArg, mse, bceWithLogits, crossEntropy, multiclassHinge, l1Penalty, l2Penalty, losses, lossByName } from './nn/index.js';
export type { ModelSpec, ParamInfo, LossName } from './nn/index.js';
export { parseSafetensors, serializeSafetensors } from './io/safetensors.js';
export type { SafetensorsEntry } from './io/safetensors.js';
export { getBackend, initBackend, installWasmKernels, uninstallWasmKernels, setBackendEnabled, setRelaxedSimd, WasmBackend } from './tensor/backend.js';
export { adamUpdateFused, sgdUpdateFused, adamInitFused, sgdInitFused } from './optim/fused.js';
