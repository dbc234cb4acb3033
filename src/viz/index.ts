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
export { palette, colorOf, esc, num, fmtValue, legendSvg, legendRoom, logTickText, textWidth, svgOpen, titleSvg } from './svg.js';
export { OPTIMIZER_COLORS, optimizerColor, optimizerVariant, runColors, shade } from './optimizer-colors.js';
