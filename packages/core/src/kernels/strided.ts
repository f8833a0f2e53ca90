// Strided copies: the one loop behind permute, broadcast, slice and pad. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';
import type { Shape } from '../shape.ts';

/**
 * For every index i of `shape`: dst[dstOffset + i·dstStrides] = src[srcOffset + i·srcStrides].
 */
export function stridedCopy(
  src: TypedArray, srcOffset: number, srcStrides: readonly number[],
  dst: TypedArray, dstOffset: number, dstStrides: readonly number[],
  shape: Shape,
): void {
  const rank = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  if (rank === 0) {
    dst[dstOffset] = src[srcOffset];
    return;
  }
  const inner = shape[rank - 1];
  const si = srcStrides[rank - 1], di = dstStrides[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  let ps = srcOffset, pd = dstOffset;
  for (let done = 0; done < total; done += inner) {
    if (si === 1 && di === 1) {
      for (let j = 0; j < inner; j++) dst[pd + j] = src[ps + j];
    } else {
      for (let j = 0, qs = ps, qd = pd; j < inner; j++, qs += si, qd += di) dst[qd] = src[qs];
    }
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      ps += srcStrides[d];
      pd += dstStrides[d];
      if (idx[d] < shape[d]) break;
      ps -= srcStrides[d] * shape[d];
      pd -= dstStrides[d] * shape[d];
      idx[d] = 0;
    }
  }
}
