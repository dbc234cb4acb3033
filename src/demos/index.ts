/**
 * The lectures' demonstrations (`descent demo NAME`): sparse features, gradient noise against batch size,
 * sample order and clotting, Hopfield networks, restricted Boltzmann machines. Browser-safe: the datasets
 * come from the caller.
 */
export { demos, demoNames, demoSpec, runDemo, classData, firstRows, VARIANCE_MNIST_ROWS } from './registry.js';
export type { DemoSpec, DemoInputs, DemoOutput, DemoDatasetName } from './registry.js';
export { demoPageHtml, fmt } from './page.js';
export type { DemoPage, DemoSection, DemoTable } from './page.js';
export { imageGridSvg } from './images.js';
export type { ImageGridOptions, ImageTile } from './images.js';
export { softmaxLossGrad, softmaxAccuracy, softmaxParamCount, sigmoid, softplus, iota } from './linear-models.js';
export type { ClassData } from './linear-models.js';
export { mean, sampleStd, fitLine, correlation } from './stats.js';
export { hebbianWeights, hopfieldEnergy, recall, AsyncRecall, corrupt, overlap, randomPatterns, capacityCurve, digitPatterns, HOPFIELD_CAPACITY } from './hopfield.js';
export type { RecallOptions, RecallResult, CapacityOptions, CapacityPoint } from './hopfield.js';
export { runHopfieldDemo, hopfieldPage, recallAt } from './hopfield-demo.js';
export type { HopfieldDemoOptions, HopfieldDemoResult, EnergyTrace } from './hopfield-demo.js';
export { makeSparseData, logisticLoss, logisticBatchGrad, sparseMethods, sparseRun, sparseRace, SPARSE_LR_GRID } from './sparse.js';
export type { SparseData, SparseDataOptions, SparseMethod, SparseRun, SparseRace, SparseRaceOptions } from './sparse.js';
export { runSparseDemo, sparsePage, bestRun } from './sparse-demo.js';
export type { SparseDemoOptions } from './sparse-demo.js';
export { residuals, noiseCurve, defaultDraws, trainSoftmax, budgetRace } from './variance.js';
export type { NoisePoint, NoiseCurve, BudgetRun, BudgetOptions } from './variance.js';
export { runVarianceOn, variancePage, worstZ, NOISE_BATCHES } from './variance-demo.js';
export type { VarianceDataset, VarianceStage, VarianceResult } from './variance-demo.js';
export { firstRowsOf, lastRowsOf } from './rows.js';
export { orderRun, repeatRows, clottingRun, ORDER_KINDS } from './order.js';
export type { OrderKind, OrderRun, OrderOptions, ClotRun } from './order.js';
export { runOrderDemo, orderSummary, orderPage, epochRepeat, CLOT_KS } from './order-demo.js';
export type { OrderDemoOptions, OrderDemoResult } from './order-demo.js';
export { createRbm, rbmParamCount, hiddenProbs, visibleProbs, freeEnergy, logPartition, exactNll, exactGradient, createCd, cdGradient, reconstructionError, pseudoLogLikelihood } from './rbm.js';
export type { Rbm, CdState } from './rbm.js';
export { runBoltzmannDemo, boltzmannPage, trainRbm, rbmFeatures, softmaxProbe, gibbsSamples, binarize, PLL_ROWS } from './boltzmann-demo.js';
export type { BoltzmannDemoOptions, BoltzmannDemoResult, RbmTraining, ClassifierResult } from './boltzmann-demo.js';
