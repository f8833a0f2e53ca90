// var/std, logsumexp, norm and cumsum. var and logsumexp are compositions of ops; std and the 2-norm
// take a square root whose gradient is defined as 0 where the result is 0 (PyTorch's choice, where
// √ has no derivative); cumsum's adjoint is a cumsum from the other end.
import { noGrad, record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { cumsumAxis } from '../kernels/dim-reduce.ts';
import { sizeOf } from '../shape.ts';
import { allocate, Tensor } from '../tensor.ts';
import { fmtArg } from '../validate.ts';
import { exp, log } from './activations.ts';
import { gt, lt, ne } from './compare.ts';
import { axisLayout, checkOptions, checkTensor, normDim, reductionAxes } from './dim-args.ts';
import { add, div, mul, sub } from './elementwise.ts';
import { amax, amin } from './minmax.ts';
import { pow } from './power.ts';
import { mean, sum } from './reduce.ts';
import { broadcastTo, permute, reshape } from './shape.ts';
import { abs, where } from './unary-extra.ts';

type Dims = number | readonly number[] | undefined;

/** Axes (all by default; [] also means all, as PyTorch's dim=()) and the shape with them kept as 1. */
function reduceAxes(x: Tensor, dims: Dims, op: string): { axes: number[]; kept: number[] } {
  checkTensor(x, op);
  const all = Array.isArray(dims) && dims.length === 0; // (undefined: all as well)
  const axes = reductionAxes(x, all ? undefined : dims, op);
  return { axes, kept: x.shape.map((s, i) => (axes.includes(i) ? 1 : s)) };
}

function checkKeepDim(keepDim: unknown, op: string): asserts keepDim is boolean {
  check(typeof keepDim === 'boolean', op, () => `keepDim must be a boolean, got ${fmtArg(keepDim)}`);
}

export interface VarOptions {
  /** Divide by N − 1 (default true, PyTorch 1.13) instead of N. */
  unbiased?: boolean;
  /** Divide by N − correction (PyTorch's newer spelling; give unbiased or correction, not both). */
  correction?: number;
  keepDim?: boolean;
}

/** var(x, dims?, options) or var(x, options). */
function varArgs(dimsOrOptions: Dims | VarOptions, options: VarOptions, op: string): { dims: Dims; correction: number; keepDim: boolean } {
  const isOptions = dimsOrOptions !== null && typeof dimsOrOptions === 'object' && !Array.isArray(dimsOrOptions);
  const opts = isOptions ? (dimsOrOptions as VarOptions) : options;
  checkOptions(opts, op, ['unbiased', 'correction', 'keepDim']);
  check(opts.unbiased === undefined || opts.correction === undefined, op, 'give either unbiased or correction, not both');
  check(opts.unbiased === undefined || typeof opts.unbiased === 'boolean', op, () => `unbiased must be a boolean, got ${fmtArg(opts.unbiased)}`);
  check(opts.correction === undefined || (Number.isInteger(opts.correction) && opts.correction >= 0), op,
    () => `correction must be a non-negative integer, got ${fmtArg(opts.correction)}`);
  const keepDim = opts.keepDim ?? false;
  checkKeepDim(keepDim, op);
  return { dims: isOptions ? undefined : (dimsOrOptions as Dims), correction: opts.correction ?? (opts.unbiased === false ? 0 : 1), keepDim };
}

function varianceOf(x: Tensor, dims: Dims, correction: number, keepDim: boolean, op: string): Tensor {
  const { axes } = reduceAxes(x, dims, op);
  const n = axes.reduce((p, a) => p * x.shape[a], 1);
  const d = sub(x, mean(x, axes, true));
  // Σ(x − x̄)² / max(0, N − correction): 0/0 = NaN for a single element with correction 1, as PyTorch.
  return div(sum(mul(d, d), axes, keepDim), Math.max(0, n - correction));
}

/** Variance over `dims` (all by default), unbiased (N − 1) unless `unbiased: false` or `correction` says otherwise. */
export function variance(x: Tensor, dimsOrOptions?: Dims | VarOptions, options: VarOptions = {}): Tensor {
  const { dims, correction, keepDim } = varArgs(dimsOrOptions, options, 'var');
  return varianceOf(x, dims, correction, keepDim, 'var');
}

/** Standard deviation: √var, with gradient 0 where it is 0 (a constant slice), as PyTorch. */
export function std(x: Tensor, dimsOrOptions?: Dims | VarOptions, options: VarOptions = {}): Tensor {
  const { dims, correction, keepDim } = varArgs(dimsOrOptions, options, 'std');
  return sqrtZeroGrad(varianceOf(x, dims, correction, keepDim, 'std'), 'std');
}

/** √v whose gradient g/(2√v) is taken as 0 where √v = 0. */
function sqrtZeroGrad(v: Tensor, op: string): Tensor {
  const out = allocate(v.dtype, v.size);
  const vd = v.data;
  // Stryker disable next-line EqualityOperator: i <= out.length only adds a write past out's end, which a typed array drops
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(vd[i]);
  const y = new Tensor(out, v.shape);
  return record(y, op, [v], (g) => {
    const [zero, nonzero] = zeroMasks(y);
    return [mul(div(g, mul(add(y, zero), 2)), nonzero)];
  });
}

/** Constant 0/1 masks of y = 0 and y ≠ 0. */
function zeroMasks(y: Tensor): [Tensor, Tensor] {
  return noGrad(() => {
    const nz = ne(y, 0);
    return [sub(1, nz), nz];
  });
}

/** log Σ exp(x) over `dims` (all by default), shifted by the (constant) max for stability. */
export function logsumexp(x: Tensor, dims?: Dims, keepDim = false): Tensor {
  const { axes, kept } = reduceAxes(x, dims, 'logsumexp');
  checkKeepDim(keepDim, 'logsumexp');
  const empty = axes.some((a) => x.shape[a] === 0);
  const m = noGrad(() => {
    if (empty) return new Tensor(allocate(x.dtype, sizeOf(kept)), kept);
    const mx = amax(x, axes, true);
    // An infinite max would make x − max NaN; shift by 0 there (the result is then ±inf, as PyTorch).
    const d = mx.data;
    // Stryker disable next-line EqualityOperator: i <= d.length only adds a write past d's end, which a typed array drops
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) d[i] = 0;
    return mx;
  });
  const s = log(sum(exp(sub(x, broadcastTo(m, [...x.shape]))), axes, true));
  const out = add(s, m);
  return keepDim ? out : reshape(out, x.shape.filter((_, i) => !axes.includes(i)));
}

/**
 * (Σ|x|^p)^(1/p) over `axes` for p > 0, computed with a per-row scale max|x| (no overflow for huge
 * or underflow for tiny values). Gradient as PyTorch's norm_backward, written with ops on the output
 * y (so it differentiates again): g·sign(x)·|x|^(p−1) / y^(p−1), taken as 0 where y = 0 and,
 * for p < 1, where x = 0.
 */
function normP(x: Tensor, p: number, axes: number[], kept: number[], keepDim: boolean): Tensor {
  const rest = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const rows = noGrad(() => permute(x, [...rest, ...axes])).data;
  const len = axes.reduce((q, a) => q * x.shape[a], 1);
  const out = allocate(x.dtype, sizeOf(kept)); // one row per kept position (len·rows = x.size)
  // Stryker disable next-line EqualityOperator: r <= out.length only adds a row written past out's end, which a typed array drops
  for (let r = 0; r < out.length; r++) {
    let scale = 0;
    for (let j = r * len; j < (r + 1) * len; j++) scale = Math.max(scale, Math.abs(rows[j]));
    if (scale === 0 || !Number.isFinite(scale)) { out[r] = scale; continue; }
    let s = 0;
    // Stryker disable next-line ConditionalExpression: for p = 2, v ** p is v · v exactly (V8); the branch only skips the pow call
    for (let j = r * len; j < (r + 1) * len; j++) { const v = Math.abs(rows[j]) / scale; s += p === 2 ? v * v : v ** p; }
    // Stryker disable next-line ConditionalExpression: for p = 2, s ** (1 / p) is Math.sqrt(s) exactly (V8); the branch only skips the pow call
    out[r] = scale * (p === 2 ? Math.sqrt(s) : s ** (1 / p));
  }
  const y = new Tensor(out, kept);
  const result = record(y, 'norm', [x], (g) => {
    const [zero, nonzero] = zeroMasks(y);
    // Stryker disable next-line ConditionalExpression: for p = 2, pow(t, p − 1) = pow(t, 1) is t and its gradient g·1·t⁰ = g, as add's; the branch only skips a pow node
    const scaleV = mul(div(g, p === 2 ? add(y, zero) : pow(add(y, zero), p - 1)), nonzero);
    const [xNonzero, sign] = noGrad(() => [ne(x, 0), where(gt(x, 0), 1, where(lt(x, 0), -1, 0))]);
    const selfScaled = p === 2 ? x : where(xNonzero, mul(sign, pow(abs(x), p - 1)), 0);
    return [mul(broadcastTo(scaleV, [...x.shape]), selfScaled)];
  }, { p, axes });
  return keepDim ? result : reshape(result, x.shape.filter((_, i) => !axes.includes(i)));
}

/**
 * Vector p-norm over `dims` (all by default): p = 2 or 'fro' (default), 1, Infinity (max |x|, ties
 * share the gradient), −Infinity (min |x|), 0 (count of non-zeros; no gradient), or any other p > 0
 * as (Σ|x|^p)^(1/p). 'nuc' (matrix nuclear norm) is not implemented.
 */
export function norm(x: Tensor, p: number | 'fro' = 2, dims?: Dims, keepDim = false): Tensor {
  const { axes, kept } = reduceAxes(x, dims, 'norm');
  checkKeepDim(keepDim, 'norm');
  check(p === 'fro' || (typeof p === 'number' && p >= 0) || p === -Infinity, 'norm',
    () => `p must be 'fro', a number ≥ 0, Infinity or -Infinity, got ${String(p)}${p === ('nuc' as unknown) ? " ('nuc' is not implemented)" : ''}`);
  if (p === 'fro') return normP(x, 2, axes, kept, keepDim); // (p = 2 takes the last line)
  if (p === 1) return sum(abs(x), axes, keepDim);
  if (p === Infinity) return amax(abs(x), axes, keepDim);
  if (p === -Infinity) return amin(abs(x), axes, keepDim);
  if (p === 0) return sum(ne(x, 0), axes, keepDim);
  return normP(x, p, axes, kept, keepDim);
}

function cumsumAlong(x: Tensor, d: number, reverse: boolean): Tensor {
  const out = allocate(x.dtype, x.size);
  cumsumAxis(x.data, axisLayout(x.shape, d), reverse, out);
  return record(new Tensor(out, x.shape), reverse ? 'cumsumReverse' : 'cumsum', [x], (g) => [cumsumAlong(g, d, !reverse)], { dim: d });
}

/** Running sum along `dim`. Its gradient is the running sum of g from the other end. */
export function cumsum(x: Tensor, dim: number): Tensor {
  checkTensor(x, 'cumsum');
  check(dim !== undefined, 'cumsum', () => `dim is required (shape ${fmtShape(x.shape)})`);
  return cumsumAlong(x, normDim(dim, x.rank, 'cumsum'), false);
}
