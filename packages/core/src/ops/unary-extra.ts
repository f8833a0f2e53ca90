// abs, clamp and where: piecewise ops whose backward rules route g through constant masks, so they
// differentiate again (the masks' own derivative is zero almost everywhere).
import { noGrad, record } from '../autograd.ts';
import { check } from '../errors.ts';
import { broadcastShapes, sizeOf } from '../shape.ts';
import { allocate, full, Tensor } from '../tensor.ts';
import { checkOptions, checkTensor } from './dim-args.ts';
import { mul } from './elementwise.ts';
import { broadcastTo, sumTo } from './shape.ts';

/** |x|. The gradient is sign(x), 0 at ±0, as PyTorch. */
export function abs(x: Tensor): Tensor {
  checkTensor(x, 'abs');
  const xd = x.data;
  const out = allocate(x.dtype, x.size);
  const sign = allocate(x.dtype, x.size);
  // Stryker disable next-line EqualityOperator: i <= out.length only adds writes past the ends of out and sign (typed arrays of that length), which they drop
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.abs(xd[i]);
    sign[i] = xd[i] > 0 ? 1 : xd[i] < 0 ? -1 : xd[i] === 0 ? 0 : NaN;
  }
  const s = new Tensor(sign, x.shape);
  return record(new Tensor(out, x.shape), 'abs', [x], (g) => [mul(g, s)]);
}

export interface ClampOptions { min?: number; max?: number }

function bound(v: unknown, what: string): number | undefined {
  check(v === undefined || v === null || (typeof v === 'number' && !Number.isNaN(v)), 'clamp',
    () => `${what} must be a number (or undefined), got ${v instanceof Tensor ? 'a Tensor (tensor bounds are not implemented)' : String(v)}`);
  return v ?? undefined;
}

/**
 * min(max(x, min), max), either bound optional: clamp(x, min, max) or clamp(x, { min, max }).
 * The gradient is 1 where min ≤ x ≤ max (inclusive), else 0, as PyTorch; when min > max every
 * element becomes max (PyTorch 1.13). NaN stays NaN.
 */
export function clamp(x: Tensor, minOrOptions?: number | ClampOptions | null, maxArg?: number | null): Tensor {
  checkTensor(x, 'clamp');
  let lo: number | undefined, hi: number | undefined;
  if (minOrOptions !== null && typeof minOrOptions === 'object' && !(minOrOptions instanceof Tensor)) {
    checkOptions(minOrOptions, 'clamp', ['min', 'max']);
    check(maxArg === undefined, 'clamp', 'pass either clamp(x, min, max) or clamp(x, { min, max }), not both');
    lo = bound(minOrOptions.min, 'min');
    hi = bound(minOrOptions.max, 'max');
  } else {
    lo = bound(minOrOptions, 'min');
    hi = bound(maxArg, 'max');
  }
  check(lo !== undefined || hi !== undefined, 'clamp', 'at least one of min and max must be given');
  const low = lo ?? -Infinity, high = hi ?? Infinity;
  const xd = x.data;
  const out = allocate(x.dtype, x.size);
  const inside = allocate(x.dtype, x.size);
  // Stryker disable next-line EqualityOperator: i <= out.length only adds writes past the ends of out and inside (typed arrays of that length), which they drop
  for (let i = 0; i < out.length; i++) {
    const v = xd[i];
    out[i] = Math.min(Math.max(v, low), high); // NaN stays NaN
    inside[i] = v >= low && v <= high ? 1 : 0;
  }
  const m = new Tensor(inside, x.shape);
  return record(new Tensor(out, x.shape), 'clamp', [x], (g) => [mul(g, m)], { min: lo, max: hi });
}

/**
 * cond ? a : b elementwise with broadcasting of all three. `cond` is a mask tensor (non-zero = true,
 * as the comparisons return; any dtype); a and b are tensors or numbers. Gradients: where(cond, g, 0)
 * to a and where(cond, 0, g) to b, summed back over broadcast dims; none to cond.
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  checkTensor(cond, 'where', 'cond');
  const dtype = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : cond.dtype;
  const as = (v: Tensor | number, what: string): Tensor => {
    if (v instanceof Tensor) return v;
    check(typeof v === 'number', 'where', () => `${what} must be a Tensor or a number, got ${v === null ? 'null' : typeof v}`);
    return full([], v, { dtype });
  };
  const at = as(a, 'a'), bt = as(b, 'b');
  check(at.dtype === bt.dtype, 'where', () => `dtype mismatch between a (${at.dtype}) and b (${bt.dtype}); convert one with .to()`);
  const shape = broadcastShapes(broadcastShapes(cond.shape, at.shape, 'where'), bt.shape, 'where');
  const [c, av, bv] = noGrad(() => [cond, at, bt].map((t) => broadcastTo(t, shape).data));
  const out = allocate(dtype, sizeOf(shape));
  // Stryker disable next-line EqualityOperator: i <= out.length only adds a write past out's end, which a typed array drops
  for (let i = 0; i < out.length; i++) out[i] = c[i] !== 0 ? av[i] : bv[i];
  return record(new Tensor(out, shape), 'where', [at, bt], (g) => [
    at.requiresGrad ? sumTo(where(cond, g, 0), at.shape) : null,
    bt.requiresGrad ? sumTo(where(cond, 0, g), bt.shape) : null,
  ]);
}
