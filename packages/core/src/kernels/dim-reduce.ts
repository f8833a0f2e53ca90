// Loops along one axis of a contiguous buffer seen as [outer, len, inner]: first arg-max/min and
// running sums. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';
import type { AxisLayout } from './softmax.ts';

/**
 * For every (outer, inner) position: the max (or min) along the axis and the index of its FIRST
 * occurrence. NaN wins and stays (the first NaN), as in PyTorch.
 */
export function argReduce(x: TypedArray, l: AxisLayout, wantMax: boolean, values: TypedArray, indices: Int32Array): void {
  const { outer, len, inner } = l;
  // Stryker disable next-line EqualityOperator: o <= outer adds a block whose results go past the ends of the outputs, which a typed array drops
  for (let o = 0; o < outer; o++) {
    // Stryker disable next-line EqualityOperator: i <= inner adds position (o, 1, 0)'s run, written to slot (o + 1, 0), which block o + 1 writes again, or past the ends
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = x[base], at = 0;
      if (best === best) {
        for (let j = 1, p = base + inner; j < len; j++, p += inner) {
          const v = x[p];
          if (v !== v) { best = v; at = j; break; }
          if (wantMax ? v > best : v < best) { best = v; at = j; }
        }
      }
      values[o * inner + i] = best;
      indices[o * inner + i] = at;
    }
  }
}

/** out = running sum along the axis (from the end when `reverse`). */
export function cumsumAxis(x: TypedArray, l: AxisLayout, reverse: boolean, out: TypedArray): void {
  const { outer, len, inner } = l;
  const step = reverse ? -inner : inner;
  // Stryker disable next-line EqualityOperator: o <= outer adds a block whose results go past the ends of the outputs, which a typed array drops
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let p = o * len * inner + i + (reverse ? (len - 1) * inner : 0);
      let s = 0;
      for (let j = 0; j < len; j++, p += step) {
        s += x[p];
        out[p] = s;
      }
    }
  }
}
