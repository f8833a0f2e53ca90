// interpolate / upsample over the last two dims of [N, C, H, W]: 'nearest', 'bilinear' (alignCorners)
// and 'area' (= adaptiveAvgPool2d), with PyTorch 1.13's source-index formulas. Nearest and bilinear are
// separable linear maps (kernels/resample.ts); the backward is the adjoint, whose backward is the map again.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { resampleAdjoint, resampleForward, type ResampleAxis } from '../kernels/resample.ts';
import { allocate, Tensor } from '../tensor.ts';
import { adaptiveAvgPool2d } from './adaptive-pool.ts';
import { fmtArg } from '../validate.ts';
import { checkOptions } from './dim-args.ts';

export type InterpolateMode = 'nearest' | 'bilinear' | 'area';

export interface InterpolateOptions {
  /** Output size: a number or [h, w]. Exactly one of size and scaleFactor. */
  size?: number | readonly number[];
  /** Output = ⌊input · scaleFactor⌋: a number or [h, w]. */
  scaleFactor?: number | readonly number[];
  /** Default 'nearest'. */
  mode?: InterpolateMode;
  /** Bilinear only: corners of input and output aligned (source = dst·(in−1)/(out−1)); default false (half-pixel centers). */
  alignCorners?: boolean;
  /** Compute the kernel's scale from the sizes instead of using 1/scaleFactor (PyTorch's recompute_scale_factor). */
  recomputeScaleFactor?: boolean;
  /** Only false (PyTorch's default) is implemented. */
  antialias?: boolean;
}

const OPTIONS = ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor', 'antialias'];
const MODES: readonly string[] = ['nearest', 'bilinear', 'area'];

function pair(v: number | readonly number[], name: string, integer: boolean): [number, number] {
  const p = (typeof v === 'number' ? [v, v] : v) as readonly number[];
  check(Array.isArray(p) && p.length === 2 && p.every((d) => Number.isFinite(d) && d > 0 && (!integer || Number.isInteger(d))), 'interpolate',
    () => `${name} must be a positive ${integer ? 'integer' : 'number'} or an [h, w] pair of them, got ${fmtArg(v)}`);
  return [p[0], p[1]];
}

/** Resizes x [N, C, H, W] (PyTorch's F.interpolate for 4-D inputs). */
export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  const op = 'interpolate';
  checkOptions(options, op, OPTIONS);
  check(x instanceof Tensor, op, 'input must be a Tensor');
  check(x.rank === 4, op, () => `input must be [N, C, H, W] (rank 4), got ${fmtShape(x.shape)}`);
  const o = options ?? {};
  const mode = o.mode ?? 'nearest';
  check(MODES.includes(mode), op, () => `mode ${fmtArg(mode)} is not implemented (implemented: 'nearest', 'bilinear', 'area')`);
  check(o.antialias === undefined || o.antialias === false, op, () => `antialias ${fmtArg(o.antialias)} is not implemented (only false)`);
  check(o.alignCorners === undefined || typeof o.alignCorners === 'boolean', op, () => `alignCorners must be a boolean, got ${fmtArg(o.alignCorners)}`);
  check(o.alignCorners === undefined || mode === 'bilinear', op, () => `alignCorners can only be set with mode 'bilinear' (mode is '${mode}'), as in PyTorch`);
  check(o.recomputeScaleFactor === undefined || typeof o.recomputeScaleFactor === 'boolean', op, () => `recomputeScaleFactor must be a boolean, got ${fmtArg(o.recomputeScaleFactor)}`);
  check((o.size === undefined) !== (o.scaleFactor === undefined), op, () => `exactly one of size and scaleFactor must be given, got ${o.size === undefined ? 'neither' : 'both'}`);
  const [h, w] = [x.shape[2], x.shape[3]];
  check(h > 0 && w > 0, op, () => `input ${fmtShape(x.shape)} has an empty spatial size`);
  let out: [number, number], scales: [number, number] | null = null;
  if (o.size !== undefined) out = pair(o.size, 'size', true);
  else {
    const sf = pair(o.scaleFactor!, 'scaleFactor', false);
    out = [Math.floor(h * sf[0]), Math.floor(w * sf[1])];
    check(out[0] > 0 && out[1] > 0, op, () => `scaleFactor ${fmtArg(o.scaleFactor)} gives an empty output ${out[0]}×${out[1]} for input ${fmtShape(x.shape)}`);
    if (!o.recomputeScaleFactor) scales = sf;
  }
  if (mode === 'area') return adaptiveAvgPool2d(x, out);
  const align = o.alignCorners ?? false;
  const axis = (a: 0 | 1, size: number) => (mode === 'nearest' ? nearestAxis(size, out[a], scales?.[a]) : bilinearAxis(size, out[a], align, scales?.[a]));
  return resampleWith(x, axis(0, h), axis(1, w), { mode, size: out, alignCorners: align });
}

/** PyTorch's deprecated alias of interpolate. */
export const upsample = interpolate;

/**
 * PyTorch's nearest_idx: identity when sizes match, dst >> 1 when doubling, else
 * min(⌊dst · scale⌋, in − 1) in float32 with scale = 1/scaleFactor if given, else in/out.
 */
function nearestAxis(size: number, n: number, scaleFactor: number | undefined): ResampleAxis {
  const index = new Int32Array(n);
  const scale = Math.fround(scaleFactor !== undefined ? 1 / scaleFactor : size / n);
  // Stryker disable next-line EqualityOperator: i <= n only writes index[n], past the end of this length-n array, which a typed array drops
  for (let i = 0; i < n; i++) {
    index[i] = n === size ? i : n === 2 * size ? i >> 1 : Math.min(Math.floor(Math.fround(i * scale)), size - 1);
  }
  return { taps: 1, index, weight: new Float64Array(n).fill(1) };
}

/**
 * PyTorch's bilinear source index: alignCorners: dst · (in−1)/(out−1) (0 for out = 1); else
 * max((dst + ½) · scale − ½, 0) with scale = 1/scaleFactor if given, else in/out. Taps ⌊src⌋ and
 * ⌊src⌋ + 1 (the same row at the last one) with weights 1 − λ and λ, λ = src − ⌊src⌋.
 */
function bilinearAxis(size: number, n: number, align: boolean, scaleFactor: number | undefined): ResampleAxis {
  const index = new Int32Array(2 * n), weight = new Float64Array(2 * n);
  const scale = align ? (n > 1 ? (size - 1) / (n - 1) : 0) : scaleFactor !== undefined ? 1 / scaleFactor : size / n;
  // Stryker disable next-line EqualityOperator: i <= n only writes index[2n…] and weight[2n…], past the ends of these length-2n arrays, which a typed array drops
  for (let i = 0; i < n; i++) {
    const src = align ? scale * i : Math.max(scale * (i + 0.5) - 0.5, 0);
    const i0 = Math.floor(src), lambda = src - i0;
    index[2 * i] = i0;
    index[2 * i + 1] = i0 < size - 1 ? i0 + 1 : i0;
    weight[2 * i] = 1 - lambda;
    weight[2 * i + 1] = lambda;
  }
  return { taps: 2, index, weight };
}

function resampleWith(x: Tensor, rows: ResampleAxis, cols: ResampleAxis, attrs: Record<string, unknown>): Tensor {
  const [n, c, h, w] = x.shape;
  const oh = rows.index.length / rows.taps, ow = cols.index.length / cols.taps;
  const out = allocate(x.dtype, n * c * oh * ow);
  resampleForward(x.data, n * c, h, w, rows, cols, out);
  return record(new Tensor(out, [n, c, oh, ow]), 'interpolate', [x], (g) => [resampleAdjointWith(g, rows, cols, x.shape, attrs)], attrs);
}

function resampleAdjointWith(g: Tensor, rows: ResampleAxis, cols: ResampleAxis, inShape: readonly number[], attrs: Record<string, unknown>): Tensor {
  const [n, c, h, w] = inShape;
  const dx = allocate(g.dtype, n * c * h * w);
  resampleAdjoint(g.data, n * c, h, w, rows, cols, dx);
  return record(new Tensor(dx, inShape), 'interpolateGrad', [g], (gg) => [resampleWith(gg, rows, cols, attrs)], attrs);
}
