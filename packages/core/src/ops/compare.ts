// Comparisons eq, ne, lt, le, gt, ge with broadcasting. The result is a 0/1 tensor of the operands'
// dtype (convgrad has no bool dtype) that `where` reads as a mask (non-zero = true) and that can
// multiply other tensors. Comparisons are piecewise constant: no graph is recorded.
import { noGrad } from '../autograd.ts';
import { check } from '../errors.ts';
import { broadcastShapes, sizeOf } from '../shape.ts';
import { allocate, full, Tensor, type TypedArray } from '../tensor.ts';
import { broadcastTo } from './shape.ts';

type Cmp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
const TESTS: Record<Cmp, (x: number, y: number) => boolean> = {
  eq: (x, y) => x === y, ne: (x, y) => x !== y, lt: (x, y) => x < y, le: (x, y) => x <= y, gt: (x, y) => x > y, ge: (x, y) => x >= y,
};

/** a and b (a Tensor or number each, at least one Tensor) broadcast to one shape, as flat arrays. */
function broadcastOperands(op: string, aIn: Tensor | number, bIn: Tensor | number): { a: TypedArray; b: TypedArray; shape: number[]; like: Tensor } {
  check(aIn instanceof Tensor || bIn instanceof Tensor, op, 'at least one operand must be a Tensor');
  const like = aIn instanceof Tensor ? aIn : (bIn as Tensor);
  const as = (v: Tensor | number, what: string): Tensor => {
    if (v instanceof Tensor) return v;
    check(typeof v === 'number', op, () => `${what} must be a Tensor or a number, got ${v === null ? 'null' : typeof v}`);
    return full([], v, { dtype: like.dtype });
  };
  const a = as(aIn, 'first operand'), b = as(bIn, 'second operand');
  check(a.dtype === b.dtype, op, () => `dtype mismatch: ${a.dtype} and ${b.dtype} (convert one with .to())`);
  const shape = broadcastShapes(a.shape, b.shape, op);
  return noGrad(() => ({ a: broadcastTo(a, shape).data, b: broadcastTo(b, shape).data, shape, like }));
}

function compare(op: Cmp, aIn: Tensor | number, bIn: Tensor | number): Tensor {
  const { a, b, shape, like } = broadcastOperands(op, aIn, bIn);
  const out = allocate(like.dtype, sizeOf(shape));
  const n = out.length;
  const holds = TESTS[op];
  // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end, which a typed array drops
  for (let i = 0; i < n; i++) out[i] = holds(a[i], b[i]) ? 1 : 0;
  return new Tensor(out, shape);
}

/** 1 where a = b (NaN ≠ NaN; −0 = +0), else 0. */
export const eq = (a: Tensor | number, b: Tensor | number): Tensor => compare('eq', a, b);
/** 1 where a ≠ b, else 0. */
export const ne = (a: Tensor | number, b: Tensor | number): Tensor => compare('ne', a, b);
/** 1 where a < b, else 0. */
export const lt = (a: Tensor | number, b: Tensor | number): Tensor => compare('lt', a, b);
/** 1 where a ≤ b, else 0. */
export const le = (a: Tensor | number, b: Tensor | number): Tensor => compare('le', a, b);
/** 1 where a > b, else 0. */
export const gt = (a: Tensor | number, b: Tensor | number): Tensor => compare('gt', a, b);
/** 1 where a ≥ b, else 0. */
export const ge = (a: Tensor | number, b: Tensor | number): Tensor => compare('ge', a, b);
