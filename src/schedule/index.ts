/** Learning-rate (and hyperparameter) schedules with torch.optim.lr_scheduler 2.13's formulas. */
export { createSchedule, attachSchedule, parseScheduleArg, scheduleLrs, scheduleFamilies, scheduleNames } from './schedule.js';
export type { Schedule, ScheduleSpec, ScheduleState, SchedulableOptimizer } from './schedule.js';
export type { ChainableRule, ScheduleFamily, ScheduleGroup, ScheduleValue } from './lr-schedules.js';
export { plateauDefaults, plateauInit, plateauStep, checkPlateau } from './plateau.js';
export type { PlateauOptions, PlateauState } from './plateau.js';
export { anneal, sutskeverMomentum } from './hyper.js';
export type { AnnealSpec } from './hyper.js';
