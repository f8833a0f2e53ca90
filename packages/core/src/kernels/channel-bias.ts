// Adds one bias per channel to an [N, C, plane] buffer in place. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

export function addChannelBias(out: TypedArray, bias: TypedArray, n: number, c: number, plane: number): void {
  // Stryker disable next-line EqualityOperator: i <= n adds a sample n whose blocks lie past out's end: out[j] += b there is dropped by the typed array
  for (let i = 0, o = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++, o += plane) {
      const b = bias[ch];
      for (let j = o; j < o + plane; j++) out[j] += b;
    }
  }
}
