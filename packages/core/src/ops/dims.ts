// Dims added, removed or merged: squeeze, unsqueeze, flatten (reshapes sharing the data) and expand
// (a broadcast). Gradients come from reshape and broadcastTo.
import { check, fmtShape } from '../errors.ts';
import { Tensor } from '../tensor.ts';
import { checkTensor, normDim } from './dim-args.ts';
import { broadcastTo, reshape } from './shape.ts';

/**
 * Removes size-1 dims: all of them, or those among `dim` (a number or a list). A listed dim whose
 * size is not 1 is left as is, as PyTorch does.
 */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  checkTensor(x, 'squeeze');
  const dims = dim === undefined ? x.shape.map((_, i) => i) : (typeof dim === 'number' ? [dim] : [...dim]).map((d) => normDim(d, x.rank, 'squeeze'));
  return reshape(x, x.shape.filter((s, i) => !(s === 1 && dims.includes(i))));
}

/** Inserts a size-1 dim at `dim` (in [−rank−1, rank]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor(x, 'unsqueeze');
  const d = normDim(dim, x.rank, 'unsqueeze', 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Merges dims startDim … endDim (inclusive; default all) into one. A rank-0 tensor becomes shape [1]. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor(x, 'flatten');
  // (rank 0 needs no case of its own: dims −1 and 0 name its one implicit dim, merged into [1])
  const s = normDim(startDim, x.rank, 'flatten'), e = normDim(endDim, x.rank, 'flatten');
  check(s <= e, 'flatten', () => `startDim ${startDim} must not come after endDim ${endDim} (shape ${fmtShape(x.shape)})`);
  const merged = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/**
 * Broadcasts size-1 dims (and new leading dims) to `sizes`; −1 keeps a dim's size. Unlike PyTorch's
 * view this copies the data (convgrad tensors are contiguous); the gradient sums over the expanded dims.
 */
export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  checkTensor(x, 'expand');
  check(Array.isArray(sizes), 'expand', () => `sizes must be an array of numbers, got ${typeof sizes}`);
  const off = sizes.length - x.rank;
  check(off >= 0, 'expand', () => `the number of sizes (${sizes.length}) must be at least the rank of ${fmtShape(x.shape)}`);
  const target = sizes.map((s, i) => {
    check(Number.isInteger(s) && s >= -1, 'expand', () => `size ${s} at position ${i} must be a non-negative integer or -1`);
    if (i < off) {
      check(s !== -1, 'expand', () => `-1 is not allowed for the new leading dim ${i} of ${fmtShape(sizes)}`);
      return s;
    }
    const own = x.shape[i - off];
    if (s === -1) return own;
    check(own === s || own === 1, 'expand', () => `cannot expand ${fmtShape(x.shape)} to ${fmtShape(sizes)}: dim ${i} has size ${own}, which is not 1`);
    return s;
  });
  return broadcastTo(x, target);
}
