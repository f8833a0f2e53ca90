// Power loops over typed arrays: square root and a constant exponent. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

/** out[i] = √x[i] (NaN below 0, as Math.sqrt). */
export function sqrtMap(x: TypedArray, out: TypedArray): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.sqrt(x[i]);
}

/** out[i] = x[i]^p (as Math.pow: NaN for a negative base and a non-integer p). */
export function powMap(x: TypedArray, p: number, out: TypedArray): void {
  if (p === 2) for (let i = 0; i < x.length; i++) out[i] = x[i] * x[i];
  else for (let i = 0; i < x.length; i++) out[i] = Math.pow(x[i], p);
}
