// Figures for the examples: grayscale images and line charts as PNG files.
export { writeGrayPng, encodeGrayPng } from './gray-png.ts';
export type { GrayPngOptions } from './gray-png.ts';
export { writeLineChartPng, renderLineChart, formatTick } from './line-chart.ts';
export type { ChartSeries, LineChartOptions } from './line-chart.ts';
