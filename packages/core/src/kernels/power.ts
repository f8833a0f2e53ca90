// Power loops over typed arrays: square root and a constant exponent. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

/** out[i] = √x[i] (NaN below 0, as Math.sqrt). */
export function sqrtMap(x: TypedArray, out: TypedArray): void {
  // Stryker disable next-line EqualityOperator: i <= x.length only adds a write past out's end (out is as long as x), which a typed array drops
  for (let i = 0; i < x.length; i++) out[i] = Math.sqrt(x[i]);
}

/** out[i] = x[i]^p (as Math.pow: NaN for a negative base and a non-integer p). */
export function powMap(x: TypedArray, p: number, out: TypedArray): void {
  const n = x.length;
  if (p === 2) {
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end (out is as long as x), which a typed array drops
    for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
  } else {
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end (out is as long as x), which a typed array drops
    for (let i = 0; i < n; i++) out[i] = Math.pow(x[i], p);
  }
}
