// Argument checks shared by the tensor ops of issue 11: one dim, an index list (tensors and options: validate.ts).
import { check, fmtShape } from '../errors.ts';
import { normalizeAxes, sizeOf } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import type { AxisLayout } from '../kernels/softmax.ts';
import { fmtArg } from '../validate.ts';

// The tensor and options checks are core's shared ones (validate.ts).
export { checkOptions, checkTensor } from '../validate.ts';

/** A dim in [−rank, rank) (or [−(rank+1), rank] with `extra` = 1, for unsqueeze/stack) as a non-negative int. */
export function normDim(dim: unknown, rank: number, op: string, extra = 0): number {
  const r = rank + extra;
  // A rank-0 tensor accepts dim 0 and −1, as in PyTorch (it behaves as shape [1] for reductions).
  const lo = -Math.max(r, 1), hi = Math.max(r, 1);
  const d = dim as number;
  check(Number.isInteger(d) && d >= lo && d < hi, op,
    () => `dim ${String(dim)} is out of range for a tensor of rank ${rank} (expected an integer in [${lo}, ${hi - 1}])`);
  return d < 0 ? d + Math.max(r, 1) : d;
}

/**
 * The sorted axes a reduction over `dims` covers (all when undefined). A rank-0 tensor accepts dim 0
 * or −1, alone or in a one-element list, and reduces nothing, as in PyTorch.
 */
export function reductionAxes(x: Tensor, dims: number | readonly number[] | undefined, op: string): number[] {
  if (x.rank > 0 || dims === undefined) return normalizeAxes(dims, x.rank, op);
  const list: readonly unknown[] = Array.isArray(dims) ? dims : [dims];
  for (const d of list) normDim(d, 0, op);
  check(list.length <= 1, op, () => `dim ${fmtArg(dims)} repeats the only dim of a zero-dimensional tensor (0 and −1 are the same dim)`);
  return [];
}

/** [outer, len, inner] of `shape` around dim `d`. */
export function axisLayout(shape: readonly number[], d: number): AxisLayout {
  return { outer: sizeOf(shape.slice(0, d)), len: shape[d] ?? 1, inner: sizeOf(shape.slice(d + 1)) };
}


/**
 * Integer indices from a Tensor (float values that must be integers, as argmax returns them),
 * an Int32Array or an array of numbers; each checked against [0, size) with its position named.
 * Negative indices are refused, as PyTorch's gather/index_select refuse them.
 */
export function indexValues(index: unknown, size: number, op: string, what = 'index'): { values: Int32Array; shape: number[] } {
  let raw: ArrayLike<number>;
  let shape: number[];
  if (index instanceof Tensor) {
    raw = index.data;
    shape = [...index.shape];
  } else if (index instanceof Int32Array || (Array.isArray(index) && index.every((v) => typeof v === 'number'))) {
    raw = index as ArrayLike<number>;
    shape = [raw.length];
  } else {
    check(false, op, () => `${what} must be a Tensor, an Int32Array or an array of numbers`);
  }
  const values = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    check(Number.isInteger(v) && v >= 0 && v < size, op, () => `${what} ${v} at position ${i} is out of range for a dimension of size ${size}${shape.length > 1 ? ` (${what} shape ${fmtShape(shape)})` : ''}`);
    values[i] = v;
  }
  return { values, shape };
}
