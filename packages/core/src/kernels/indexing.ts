// Gather / scatter-add through a flat index list. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

/** out[i] = src[idx[i]]. */
export function gatherFlat(src: TypedArray, idx: Int32Array, out: TypedArray): void {
  for (let i = 0; i < idx.length; i++) out[i] = src[idx[i]];
}

/** out = 0, then out[idx[i]] += src[i] (the adjoint of gatherFlat). */
export function scatterAddFlat(src: TypedArray, idx: Int32Array, out: TypedArray): void {
  out.fill(0);
  for (let i = 0; i < idx.length; i++) out[idx[i]] += src[i];
}
