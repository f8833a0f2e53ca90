// 2-D pooling over the last two dims ([..., H, W], usually [N, C, H, W]): maxPool2d and avgPool2d with
// PyTorch's options, and the shared forward/backward nodes the adaptive pools (adaptive-pool.ts) reuse.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { avgPool2dAdjoint, avgPool2dForward, maxPool2dForward, type Pool2dGeometry, type PoolAxis } from '../kernels/pool.ts';
import { getBackend } from '../kernels/backend.ts';
import { allocate, allocateEmpty, Tensor } from '../tensor.ts';
import { checkOptions, checkTensor, fmtArg } from '../validate.ts';
import { checkRankAtLeast, pairArg } from './conv-args.ts';
import { scatterAdd } from './indexing.ts';
import { firstEmpty, slidingAxis } from './pool-windows.ts';

export interface MaxPool2dOptions {
  /** Step of the window: a number or [h, w]; default = kernel (non-overlapping windows). */
  stride?: number | readonly number[];
  /** Implicit padding on each side (never wins a max): a number or [h, w], at most half the kernel; default 0. */
  padding?: number | readonly number[];
  /** Spacing between window taps: a number or [h, w]; default 1. */
  dilation?: number | readonly number[];
  /** Output size rounded up, keeping only windows that start inside the input or its left/top padding (PyTorch). Default false. */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[];
  ceilMode?: boolean;
  /** Padding counts in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** A fixed non-zero integer divisor instead of the window size. */
  divisorOverride?: number;
}

/** Either pool's options (stride and padding are common). */
export type Pool2dOptions = MaxPool2dOptions & AvgPool2dOptions;

const MAX_OPTIONS = ['stride', 'padding', 'dilation', 'ceilMode'];
const AVG_OPTIONS = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'];

function boolArg(v: unknown, fallback: boolean, name: string, op: string): boolean {
  check(v === undefined || typeof v === 'boolean', op, () => `${name} must be a boolean, got ${fmtArg(v)}`);
  return (v as boolean | undefined) ?? fallback;
}

/** The input's checks and its [planes, H, W] layout. */
export function poolInput(x: Tensor, op: string): PoolInput {
  checkTensor(x, op);
  checkRankAtLeast(x, 2, op);
  const h = x.shape[x.rank - 2], w = x.shape[x.rank - 1];
  check(h > 0 && w > 0, op, () => `input ${fmtShape(x.shape)} has an empty spatial size`);
  return { planes: x.size / (h * w), h, w };
}

/** An input's [planes, H, W] layout, already checked (poolInput). */
export interface PoolInput { planes: number; h: number; w: number }

/**
 * The windows of a sliding pool over an input of layout `dims` (its shape for messages), and its settings
 * as the graph node records them for toDot and ONNX export (pairs, defaults filled in).
 */
function slidingGeometry(dims: PoolInput, shape: readonly number[], kernel: number | readonly number[], options: Pool2dOptions, kind: 'max' | 'avg', op: string): { g: Pool2dGeometry; attrs: Record<string, unknown> } {
  checkOptions(options, op, kind === 'max' ? MAX_OPTIONS : AVG_OPTIONS);
  const { planes, h, w } = dims;
  check(kernel !== undefined, op, () => `kernel size is required (a positive integer or an [h, w] pair), got ${fmtArg(kernel)}`);
  const [kh, kw] = pairArg(kernel, 1, 'kernel', op, 1);
  const [sh, sw] = options.stride === undefined ? [kh, kw] : pairArg(options.stride, 1, 'stride', op, 1);
  const [ph, pw] = pairArg(options.padding, 0, 'padding', op, 0);
  const [dh, dw] = pairArg(options.dilation, 1, 'dilation', op, 1);
  const ceil = boolArg(options.ceilMode, false, 'ceilMode', op);
  const countIncludePad = boolArg(options.countIncludePad, true, 'countIncludePad', op);
  const div = options.divisorOverride;
  check(div === undefined || (Number.isInteger(div) && div !== 0), op, () => `divisorOverride must be a non-zero integer, got ${fmtArg(div)}`);
  check(2 * ph <= kh && 2 * pw <= kw, op, () => `padding [${ph}, ${pw}] must be at most half the kernel [${kh}, ${kw}]`);
  const ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
  const rows = slidingAxis(h, kh, sh, ph, dh, ceil, kind, countIncludePad);
  const cols = slidingAxis(w, kw, sw, pw, dw, ceil, kind, countIncludePad);
  check(rows.start.length >= 1 && cols.start.length >= 1, op,
    () => `kernel [${kh}, ${kw}]${dh > 1 || dw > 1 ? ` (dilated: ${ekh}×${ekw})` : ''} is larger than the padded input ${h + 2 * ph}×${w + 2 * pw} (input ${fmtShape(shape)}, padding [${ph}, ${pw}])`);
  if (div !== undefined) {
    rows.weight.fill(1);
    cols.weight.fill(1 / div);
  }
  if (kind === 'max') checkNoEmptyWindow(rows, cols, op);
  // the geometry of the kernels' 2×2 fast path (max pooling's; average pooling does not read it)
  const plain2x2 = kh === 2 && kw === 2 && sh === 2 && sw === 2 && ph === 0 && pw === 0 && dh === 1 && dw === 1
    && 2 * rows.start.length <= h && 2 * cols.start.length <= w;
  const common = { kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], ceilMode: ceil };
  const attrs = kind === 'max' ? { ...common, dilation: [dh, dw] } : { ...common, countIncludePad, divisorOverride: div ?? null };
  return { g: { planes, h, w, rows, cols, plain2x2 }, attrs };
}

/** A max over no element is undefined (a dilated window whose taps all fall in the padding): refused. */
export function checkNoEmptyWindow(rows: PoolAxis, cols: PoolAxis, op: string): void {
  const r = firstEmpty(rows), c = firstEmpty(cols);
  check(r < 0 && c < 0, op, () => `the window of output ${r >= 0 ? `row ${r}` : `column ${c}`} has no tap inside the input (all in the padding)`);
}


/** The output shape of a pool over an input of shape `shape`. */
export const poolOutShape = (shape: readonly number[], g: Pool2dGeometry) => [...shape.slice(0, -2), g.rows.start.length, g.cols.start.length];
const outShape = (x: Tensor, g: Pool2dGeometry) => poolOutShape(x.shape, g);

/**
 * Max over each kernel window. The gradient goes to the window's argmax (the first maximum in
 * row-major window order on ties, as PyTorch), through a scatter whose own backward is a gather — both linear.
 */
export function maxPool2d(x: Tensor, kernel: number | readonly number[], options: MaxPool2dOptions = {}): Tensor {
  const { g, attrs } = slidingGeometry(poolInput(x, 'maxPool2d'), x.shape, kernel, options, 'max', 'maxPool2d');
  return maxPoolWith(x, g, 'maxPool2d', attrs);
}

/** maxPool2d's windows and settings over an input of layout `dims` and shape `shape` (conv-pool.ts: the conv's output, never stored). */
export function maxPoolGeometry(dims: PoolInput, shape: readonly number[], kernel: number | readonly number[], options: MaxPool2dOptions): { g: Pool2dGeometry; attrs: Record<string, unknown> } {
  return slidingGeometry(dims, shape, kernel, options, 'max', 'maxPool2d');
}

/** Mean over each kernel window (PyTorch's divisor rules: count_include_pad, ceil-mode windows cut at H + P, divisor_override). */
export function avgPool2d(x: Tensor, kernel: number | readonly number[], options: AvgPool2dOptions = {}): Tensor {
  const { g, attrs } = slidingGeometry(poolInput(x, 'avgPool2d'), x.shape, kernel, options, 'avg', 'avgPool2d');
  return avgPoolWith(x, g, 'avgPool2d', attrs);
}

/** The max-pool node over given windows. */
export function maxPoolWith(x: Tensor, g: Pool2dGeometry, op: string, attrs: Record<string, unknown>): Tensor {
  const shape = outShape(x, g);
  const n = g.planes * g.rows.start.length * g.cols.start.length;
  const out = allocateEmpty(x.dtype, n);
  const argmax = new Int32Array(n);
  if (n > 0 && !getBackend().maxPool2dForward?.(x.data, g, out, argmax)) maxPool2dForward(x.data, g, out, argmax);
  return record(new Tensor(out, shape), op, [x], (dy) => [scatterAdd(dy, argmax, x.shape)], attrs, []);
}

/** The average-pool node over given windows; its backward is the adjoint, whose own backward is this again. */
export function avgPoolWith(x: Tensor, g: Pool2dGeometry, op: string, attrs: Record<string, unknown>): Tensor {
  const out = allocateEmpty(x.dtype, g.planes * g.rows.start.length * g.cols.start.length);
  if (out.length > 0 && !getBackend().avgPool2dForward?.(x.data, g, out)) avgPool2dForward(x.data, g, out);
  return record(new Tensor(out, outShape(x, g)), op, [x], (dy) => [avgPoolAdjointWith(dy, g, x.shape, op, attrs)], attrs, []);
}

/** The adjoint of avgPoolWith (spreads each output gradient over its window, weighted). */
function avgPoolAdjointWith(dy: Tensor, g: Pool2dGeometry, inShape: readonly number[], op: string, attrs: Record<string, unknown>): Tensor {
  const dx = allocate(dy.dtype, g.planes * g.h * g.w);
  if (!getBackend().avgPool2dAdjoint?.(dy.data, g, dx)) avgPool2dAdjoint(dy.data, g, dx);
  return record(new Tensor(dx, inShape), `${op}Grad`, [dy], (gg) => [avgPoolWith(gg, g, op, attrs)], attrs, []);
}
