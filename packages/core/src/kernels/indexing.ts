// Gather / scatter-add through a flat index list. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

/** out[i] = src[idx[i]]. */
export function gatherFlat(src: TypedArray, idx: Int32Array, out: TypedArray): void {
  // Stryker disable next-line EqualityOperator: i <= idx.length only adds a write past out's end (out is as long as idx), which a typed array drops
  for (let i = 0; i < idx.length; i++) out[i] = src[idx[i]];
}

/** out = 0, then out[idx[i]] += src[i] (the adjoint of gatherFlat). */
export function scatterAddFlat(src: TypedArray, idx: Int32Array, out: TypedArray): void {
  out.fill(0);
  // Stryker disable next-line EqualityOperator: i <= idx.length adds out[idx[n]] += …, idx[n] being undefined: a named property 'undefined', no element of out
  for (let i = 0; i < idx.length; i++) out[idx[i]] += src[i];
}
