// Softmax-family loops along one axis of a contiguous buffer seen as [outer, len, inner]. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

/** Layout of the reduced axis: `len` entries `inner` apart, `outer` blocks of len·inner. */
export interface AxisLayout { outer: number; len: number; inner: number }

/**
 * out = x − max − log Σ exp(x − max) along the axis (stable: the largest exponent is 0).
 * With `asSoftmax`, out = exp of that instead.
 */
export function logSoftmaxForward(x: TypedArray, l: AxisLayout, out: TypedArray, asSoftmax: boolean): void {
  const { outer, len, inner } = l;
  // Stryker disable next-line EqualityOperator: o <= outer adds a block past the ends of x and out, whose writes a typed array drops
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let max = -Infinity;
      for (let j = 0, p = base; j < len; j++, p += inner) if (x[p] > max) max = x[p];
      let s = 0;
      for (let j = 0, p = base; j < len; j++, p += inner) s += Math.exp(x[p] - max);
      const shift = max + Math.log(s);
      // Stryker disable next-line EqualityOperator: j <= len also writes out[base + len·inner], position (o + 1, 0, i), written again when block o + 1 is done, or past out's end
      if (asSoftmax) for (let j = 0, p = base; j < len; j++, p += inner) out[p] = Math.exp(x[p] - shift);
      // Stryker disable next-line EqualityOperator: j <= len also writes out[base + len·inner], position (o + 1, 0, i), written again when block o + 1 is done, or past out's end
      else for (let j = 0, p = base; j < len; j++, p += inner) out[p] = x[p] - shift;
    }
  }
}

/** out = g − exp(y)·Σ g along the axis, where y is a log-softmax output: its backward in one pass. */
export function logSoftmaxBackward(g: TypedArray, y: TypedArray, l: AxisLayout, out: TypedArray): void {
  const { outer, len, inner } = l;
  // Stryker disable next-line EqualityOperator: o <= outer adds a block past the ends of x and out, whose writes a typed array drops
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let s = 0;
      for (let j = 0, p = base; j < len; j++, p += inner) s += g[p];
      // Stryker disable next-line EqualityOperator: j <= len also writes out[base + len·inner], position (o + 1, 0, i), written again when block o + 1 is done, or past out's end
      for (let j = 0, p = base; j < len; j++, p += inner) out[p] = g[p] - Math.exp(y[p]) * s;
    }
  }
}

/**
 * The softmax cross-entropy gradient of rows of `len` logits: out[r, j] = g[r]·(exp(logp[r, j]) − [j is the
 * label]), logp the rows' log-softmax, pick[r] the label's flat position. Written as logSoftmaxBackward of
 * the one-hot −g[r] (h − exp(logp)·Σh, h = −g[r] at the label), so that the rounding is the same.
 */
export function crossEntropyRowsGrad(g: TypedArray, logp: TypedArray, pick: Int32Array, len: number, out: TypedArray): void {
  // Stryker disable next-line EqualityOperator: r <= pick.length adds a row past out's end, whose writes a typed array drops
  for (let r = 0; r < pick.length; r++) {
    const h = -g[r], at = pick[r];
    // Stryker disable next-line EqualityOperator: j <= end also writes out[end], the next row's first element (written again by that row) or past out's end
    for (let j = r * len, end = j + len; j < end; j++) {
      out[j] = (j === at ? h : 0) - Math.exp(logp[j]) * h;
    }
  }
}
