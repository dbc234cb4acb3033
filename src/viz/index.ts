/**
 * Plots as pure functions from numbers to SVG text (d3-contour, d3-scale, d3-shape; no DOM), shared by the
 * CLI (optimize --plot, train, compare reports) and the browser playground.
 */
export { contourPlotSvg, contourLayerSvg, pathsLayerSvg, contourScales, contourLegendWidth, frameExit, markKeySvg, anyExit, logLevels, polylineD, clampPx } from './contour.js';
export type { ContourPlotOptions, PathSeries } from './contour.js';
export { lineChartSvg, lineChartScales } from './line-chart.js';
export type { LineChartOptions, LineSeries } from './line-chart.js';
export { functionPlotSvg } from './function-plot.js';
export type { FunctionPlotOptions } from './function-plot.js';
export { palette, colorOf, esc, num, fmtValue, legendSvg, legendHtml, legendRoom, logTickText, textWidth, fitText, svgOpen, titleSvg, xAxisSvg, yAxisSvg, yLabelRoom } from './svg.js';
export { pageCss, TYPE, SPACE, FONT, INK } from './theme.js';
export { lossCurveSvg } from './loss-curve.js';
export { kmeansPlotSvg, KMEANS_COLORS } from './kmeans-plot.js';
export { OPTIMIZER_COLORS, optimizerColor, optimizerVariant, runColors, shade } from './optimizer-colors.js';
export { functionValueChart, colorsOf, raceLabel, fmtPoint } from './value-chart.js';
export type { ValueRun, ColoredRun } from './value-chart.js';
export { landscapeSvg, landscapeCharts, landscapeSectionHtml, landscapePageHtml, gridInterpolator } from './landscape.js';
export type { LandscapeData, GridData, LandscapePlotOptions, LandscapeSectionOptions } from './landscape.js';
