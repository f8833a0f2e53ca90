// Elementwise unary loops over typed arrays: one tight loop per function (no per-element closure).
// No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

export type UnaryFn = 'relu' | 'sigmoid' | 'tanh' | 'exp' | 'log';

/** out[i] = f(x[i]). */
export function unaryMap(fn: UnaryFn, x: TypedArray, out: TypedArray): void {
  const n = x.length;
  switch (fn) {
    case 'relu':
      reluMap(x, out);
      break;
    case 'sigmoid':
      // Two branches so exp never overflows: σ(v) = 1/(1+e^−v) = e^v/(1+e^v).
      // Stryker disable next-line EqualityOperator: i <= n only adds a read past x (undefined) and a write past out, which a typed array of length n drops
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); out[i] = e / (1 + e); }
      }
      break;
    case 'tanh':
      // Stryker disable next-line EqualityOperator: i <= n only adds a read past x (undefined) and a write past out, which a typed array of length n drops
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      break;
    case 'exp':
      // Stryker disable next-line EqualityOperator: i <= n only adds a read past x (undefined) and a write past out, which a typed array of length n drops
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      break;
    case 'log':
      // Stryker disable next-line EqualityOperator: i <= n only adds a read past x (undefined) and a write past out, which a typed array of length n drops
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      break;
  }
}

// ReLU inputs have random signs, which defeats the branch predictor: the hot loops below are
// branch-free (arithmetic on comparison results) and fall back to a plain loop for the rare
// non-finite values where that arithmetic would be wrong (−∞ + ∞, ∞·0).

/** out[i] = max(x[i], 0) (NaN stays NaN, −0 becomes 0). */
function reluMap(x: TypedArray, out: TypedArray): void {
  const n = x.length;
  let finite = 1;
  // Stryker disable next-line EqualityOperator: i <= n adds x[n] (undefined), which only sends the call to the loop below (same values), and a write past out's end, which a typed array drops
  for (let i = 0; i < n; i++) {
    const v = x[i];
    out[i] = (v + Math.abs(v)) * 0.5;
    finite &= +(Math.abs(v) < 1e307); // false for ±∞, NaN and values whose double would overflow
  }
  if (!finite) {
    // Stryker disable next-line EqualityOperator: i <= n only adds a read past x (undefined) and a write past out, which a typed array of length n drops
    for (let i = 0; i < n; i++) {
      const v = x[i];
      out[i] = v > 0 || v !== v ? v : 0;
    }
  }
}

const factor = new Float64Array(2); // [slope, 1], indexed by +(x > 0)

/** out[i] = x[i] > 0 ? x[i] : slope·x[i] (leaky ReLU; slope 0 is ReLU). */
export function leakyReluMap(x: TypedArray, slope: number, out: TypedArray): void {
  if (slope === 0) return reluMap(x, out);
  factor[0] = slope;
  factor[1] = 1;
  // Stryker disable next-line EqualityOperator: i <= n only adds a read past x (undefined) and a write past out, which a typed array of length n drops
  for (let i = 0, n = x.length; i < n; i++) {
    const v = x[i];
    out[i] = v * factor[+(v > 0)];
  }
}

/**
 * out[i] = (x[i] > 0 ? g[i] : slope·g[i]) + 0: the (leaky) ReLU derivative applied to g, in one pass;
 * exactly 0 where x ≤ 0 when slope is 0 (also for g = ±∞, NaN); + 0 turns −0 into +0.
 */
export function stepScale(g: TypedArray, x: TypedArray, slope: number, out: TypedArray): void {
  const n = g.length;
  factor[0] = slope;
  factor[1] = 1;
  let finite = 1;
  // Stryker disable next-line EqualityOperator: i <= n adds g[n] (undefined), which only sends the call to the loop below (same values), and a write past out's end, which a typed array drops
  for (let i = 0; i < n; i++) {
    const gv = g[i];
    out[i] = gv * factor[+(x[i] > 0)] + 0; // + 0 turns −0 into 0
    finite &= +(Math.abs(gv) < Infinity);
  }
  if (!finite) {
    // Stryker disable next-line EqualityOperator: i <= n only adds a read past x (undefined) and a write past out, which a typed array of length n drops
    for (let i = 0; i < n; i++) {
      out[i] = x[i] > 0 ? g[i] + 0 : slope === 0 ? 0 : slope * g[i] + 0;
    }
  }
}
