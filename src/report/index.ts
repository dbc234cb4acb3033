/** The comparison report: optimizer spec parsing, the function race, the animated player, the HTML page. */
export { parseRunSpec, isRaceSearchMethod, raceMethodNames } from './spec.js';
export type { RunSpec } from './spec.js';
export { race } from './function-race.js';
export type { RaceResult, RaceOptions, RaceStopReason } from './function-race.js';
export { playerHtml, playerScript } from './player.js';
export type { PlayerOptions, PlayerPath } from './player.js';
export { reportHtml, REPORT_PLAYER_LAYOUT, hasSearch, functionValueChart, functionContourSvg, trainingCharts, colorsOf, meanStd, firstBelow } from './html.js';
export type { ReportInput, FunctionSection, TrainingSection, TrainingRun, ValueRun, ColoredRun, LandscapeEntry } from './html.js';
export { compare, compareText, compareSummaryJson } from './compare.js';
export type { CompareConfig, CompareTraining, CompareOptimizer, CompareHooks, CompareProgress, CompareSummary, CompareResult } from './compare.js';
