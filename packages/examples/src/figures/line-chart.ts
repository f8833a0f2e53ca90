// A small rasterized line chart (axes, ticks, tick labels, title, legend) written as PNG.
import { textWidth, GLYPH_H } from './font.ts';
import { Raster, type Rgb } from './raster.ts';

export interface ChartSeries {
  name: string;
  values: readonly number[];
  /** '#rrggbb'; default from a built-in palette. */
  color?: string;
}

export interface LineChartOptions {
  /** Logarithmic y axis (non-positive values are skipped). */
  logY?: boolean;
  title?: string;
  width?: number;
  height?: number;
  /** x of values[0] (default 0) and the x step between values (default 1). */
  xStart?: number;
  xStep?: number;
  /** Labels under the x axis and beside the y axis. */
  xLabel?: string;
  yLabel?: string;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const BLACK: Rgb = [0, 0, 0];
const GRID: Rgb = [225, 225, 225];
const FONT = 2; // font scale: glyphs are 6×10 pixels

function parseColor(c: string): Rgb {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  if (!m) throw new RangeError(`writeLineChartPng: color must be '#rrggbb', got '${c}'`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

/** A 1, 2 or 5 × 10^k step giving about `count` intervals over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/** Compact number text: fixed decimals matching the step, or mantissa-E-exponent when long. */
export function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const fixed = v.toFixed(decimals);
  if (fixed.length <= 6) return fixed;
  return v.toExponential(decimals > 0 ? 1 : 0).replace('e+', 'E').replace('e', 'E');
}

interface Axis { lo: number; hi: number; ticks: { at: number; label: string }[] }

function linearAxis(min: number, max: number, count: number): Axis {
  if (!(max > min)) { const d = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1; min -= d; max += d; }
  const step = niceStep(max - min, count);
  const lo = Math.floor(min / step + 1e-9) * step, hi = Math.ceil(max / step - 1e-9) * step;
  const ticks = [];
  for (let k = Math.round(lo / step); k * step <= hi + step * 1e-9; k++) ticks.push({ at: k * step, label: formatTick(k * step, step) });
  return { lo, hi, ticks };
}

/** Log axis in decades: positions are log10(value). */
function logAxis(minPos: number, maxPos: number): Axis {
  let lo = Math.floor(Math.log10(minPos)), hi = Math.ceil(Math.log10(maxPos));
  if (hi === lo) hi = lo + 1;
  const every = Math.max(1, Math.ceil((hi - lo) / 8));
  const ticks = [];
  for (let e = lo; e <= hi; e += every) ticks.push({ at: e, label: e === 0 ? '1' : e === 1 ? '10' : `1E${e}` });
  return { lo, hi, ticks };
}

/** Draws the chart into a Raster (exported for tests; writeLineChartPng saves it). */
export function renderLineChart(series: readonly ChartSeries[], options: LineChartOptions = {}): Raster {
  const width = options.width ?? 640, height = options.height ?? 400;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 160 || height < 120) {
    throw new RangeError(`writeLineChartPng: width and height must be integers of at least 160×120, got ${width}×${height}`);
  }
  const xStart = options.xStart ?? 0, xStep = options.xStep ?? 1;
  const logY = options.logY ?? false;
  const ok = (v: number) => Number.isFinite(v) && (!logY || v > 0);

  let yMin = Infinity, yMax = -Infinity, n = 0;
  for (const s of series) {
    n = Math.max(n, s.values.length);
    for (const v of s.values) if (ok(v)) { yMin = Math.min(yMin, v); yMax = Math.max(yMax, v); }
  }
  if (!Number.isFinite(yMin)) { yMin = logY ? 0.1 : 0; yMax = logY ? 1 : 1; }
  const yAxis = logY ? logAxis(yMin, yMax) : linearAxis(yMin, yMax, 5);
  const xAxis = linearAxis(xStart, xStart + Math.max(n - 1, 1) * xStep, 6);

  const charH = GLYPH_H * FONT;
  const labelW = Math.max(...yAxis.ticks.map((t) => textWidth(t.label, FONT)));
  const left = labelW + 14 + (options.yLabel ? charH + 8 : 0);
  const top = options.title ? charH + 16 : 12;
  const bottom = charH + 16 + (options.xLabel ? charH + 8 : 0);
  const right = 16;
  const pw = width - left - right, ph = height - top - bottom;
  const img = new Raster(width, height);

  const px = (x: number) => left + ((x - xAxis.lo) / (xAxis.hi - xAxis.lo)) * pw;
  const py = (y: number) => top + ph - (((logY ? Math.log10(y) : y) - yAxis.lo) / (yAxis.hi - yAxis.lo)) * ph;
  const pyAxis = (a: number) => top + ph - ((a - yAxis.lo) / (yAxis.hi - yAxis.lo)) * ph;

  // grid, ticks and their labels
  for (const t of yAxis.ticks) {
    const y = Math.round(pyAxis(t.at));
    img.line(left, y, left + pw, y, GRID);
    img.line(left - 4, y, left, y, BLACK);
    img.text(t.label, left - 7 - textWidth(t.label, FONT), y - charH / 2, BLACK, FONT);
  }
  for (const t of xAxis.ticks) {
    const x = Math.round(px(t.at));
    img.line(x, top, x, top + ph, GRID);
    img.line(x, top + ph, x, top + ph + 4, BLACK);
    img.text(t.label, x - textWidth(t.label, FONT) / 2, top + ph + 8, BLACK, FONT);
  }
  img.line(left, top, left, top + ph, BLACK);
  img.line(left, top + ph, left + pw, top + ph, BLACK);
  if (options.title) img.text(options.title, left + (pw - textWidth(options.title, FONT)) / 2, 6, BLACK, FONT);
  if (options.xLabel) img.text(options.xLabel, left + (pw - textWidth(options.xLabel, FONT)) / 2, height - charH - 4, BLACK, FONT);
  if (options.yLabel) {
    // vertical text: one character per row
    const x = 4, y0 = top + (ph - options.yLabel.length * (charH + 2)) / 2;
    [...options.yLabel].forEach((ch, i) => img.text(ch, x, y0 + i * (charH + 2), BLACK, FONT));
  }

  // series (a gap wherever a value is skipped), then the legend
  series.forEach((s, k) => {
    const color = parseColor(s.color ?? PALETTE[k % PALETTE.length]);
    let prev: [number, number] | null = null;
    s.values.forEach((v, i) => {
      if (!ok(v)) { prev = null; return; }
      const p: [number, number] = [px(xStart + i * xStep), py(v)];
      if (prev) img.line(prev[0], prev[1], p[0], p[1], color, 2);
      else img.fillRect(p[0] - 1, p[1] - 1, 2, 2, color);
      prev = p;
    });
    const ly = top + 8 + k * (charH + 6);
    const lx = left + pw - 12 - Math.max(...series.map((q) => textWidth(q.name, FONT))) - 24;
    img.line(lx, ly + charH / 2, lx + 16, ly + charH / 2, color, 2);
    img.text(s.name, lx + 22, ly, BLACK, FONT);
  });
  return img;
}

/** Writes a line chart of `series` (values against their index) as a PNG at `path` (atomically). */
export function writeLineChartPng(path: string, series: readonly ChartSeries[], options: LineChartOptions = {}): void {
  renderLineChart(series, options).save(path);
}
