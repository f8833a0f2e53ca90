// 2-D pooling over the last two dims ([..., H, W], usually [N, C, H, W]): maxPool2d and avgPool2d.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { avgPool2dAdjoint, avgPool2dForward, maxPool2dForward, type Pool2dGeometry } from '../kernels/pool.ts';
import { allocate, Tensor } from '../tensor.ts';
import { checkOptions, fmtArg } from '../validate.ts';
import { checkRankAtLeast, pairArg } from './conv-args.ts';
import { scatterAdd } from './indexing.ts';

export interface Pool2dOptions {
  /** Step of the window: a number or [h, w]; default = kernel (non-overlapping windows). */
  stride?: number | readonly number[];
  /** Implicit padding on each side: a number or [h, w], at most half the kernel; default 0. */
  padding?: number | readonly number[];
}

function geometry(x: Tensor, kernel: number | readonly number[], options: Pool2dOptions, op: string): Pool2dGeometry {
  checkRankAtLeast(x, 2, op);
  checkOptions(options, op, ['stride', 'padding']);
  check(kernel !== undefined, op, () => `kernel size is required (a positive integer or an [h, w] pair), got ${fmtArg(kernel)}`);
  const [kh, kw] = pairArg(kernel, 1, 'kernel', op, 1);
  const [sh, sw] = options.stride === undefined ? [kh, kw] : pairArg(options.stride, 1, 'stride', op, 1);
  const [ph, pw] = pairArg(options.padding, 0, 'padding', op, 0);
  check(2 * ph <= kh && 2 * pw <= kw, op, () => `padding [${ph}, ${pw}] must be at most half the kernel [${kh}, ${kw}]`);
  const h = x.shape[x.rank - 2], w = x.shape[x.rank - 1];
  check(h > 0 && w > 0, op, () => `input ${fmtShape(x.shape)} has an empty spatial size`);
  check(kh <= h + 2 * ph && kw <= w + 2 * pw, op,
    () => `kernel [${kh}, ${kw}] is larger than the padded input ${h + 2 * ph}×${w + 2 * pw} (input ${fmtShape(x.shape)}, padding [${ph}, ${pw}])`);
  return {
    planes: x.size / (h * w), h, w, kh, kw, sh, sw, ph, pw,
    oh: Math.floor((h + 2 * ph - kh) / sh) + 1,
    ow: Math.floor((w + 2 * pw - kw) / sw) + 1,
  };
}

const outShape = (x: Tensor, g: Pool2dGeometry) => [...x.shape.slice(0, -2), g.oh, g.ow];
const attrs = (g: Pool2dGeometry) => ({ kernel: [g.kh, g.kw], stride: [g.sh, g.sw], padding: [g.ph, g.pw] });

/**
 * Max over each kernel window. The gradient goes to the window's argmax (the first maximum in
 * row-major window order on ties), through a scatter whose own backward is a gather — both linear.
 */
export function maxPool2d(x: Tensor, kernel: number | readonly number[], options: Pool2dOptions = {}): Tensor {
  const g = geometry(x, kernel, options, 'maxPool2d');
  const shape = outShape(x, g);
  const n = g.planes * g.oh * g.ow;
  const out = allocate(x.dtype, n);
  const argmax = new Int32Array(n);
  if (n > 0) maxPool2dForward(x.data, g, out, argmax);
  return record(new Tensor(out, shape), 'maxPool2d', [x], (dy) => [scatterAdd(dy, argmax, x.shape)], attrs(g), []);
}

/** Mean over each kernel window, padding counted as zeros (PyTorch's count_include_pad=True). */
export function avgPool2d(x: Tensor, kernel: number | readonly number[], options: Pool2dOptions = {}): Tensor {
  const g = geometry(x, kernel, options, 'avgPool2d');
  const out = allocate(x.dtype, g.planes * g.oh * g.ow);
  if (out.length > 0) avgPool2dForward(x.data, g, out);
  return record(new Tensor(out, outShape(x, g)), 'avgPool2d', [x], (dy) => [avgPool2dGrad(dy, g, x.shape)], attrs(g), []);
}

/** The adjoint of avgPool2d (spreads each output gradient evenly over its window); its own adjoint is avgPool2d. */
function avgPool2dGrad(dy: Tensor, g: Pool2dGeometry, inShape: readonly number[]): Tensor {
  const dx = allocate(dy.dtype, g.planes * g.h * g.w);
  avgPool2dAdjoint(dy.data, g, dx);
  const opts = { stride: [g.sh, g.sw], padding: [g.ph, g.pw] };
  return record(new Tensor(dx, inShape), 'avgPool2dGrad', [dy], (gg) => [avgPool2d(gg, [g.kh, g.kw], opts)], attrs(g), []);
}
