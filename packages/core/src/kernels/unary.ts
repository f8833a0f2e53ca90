// Elementwise unary loops over typed arrays: one tight loop per function (no per-element closure).
// No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

export type UnaryFn = 'relu' | 'sigmoid' | 'tanh' | 'exp' | 'log';

/** out[i] = f(x[i]). */
export function unaryMap(fn: UnaryFn, x: TypedArray, out: TypedArray): void {
  const n = x.length;
  switch (fn) {
    case 'relu':
      for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? v : 0; }
      break;
    case 'sigmoid':
      // Two branches so exp never overflows: σ(v) = 1/(1+e^−v) = e^v/(1+e^v).
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); out[i] = e / (1 + e); }
      }
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      break;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      break;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      break;
  }
}

/** out[i] = x[i] > 0 ? x[i] : slope·x[i] (leaky ReLU; slope 0 is ReLU). */
export function leakyReluMap(x: TypedArray, slope: number, out: TypedArray): void {
  for (let i = 0; i < x.length; i++) { const v = x[i]; out[i] = v > 0 ? v : slope * v; }
}

/** out[i] = x[i] > 0 ? g[i] : slope·g[i]: the (leaky) ReLU derivative applied to g, in one pass. */
export function stepScale(g: TypedArray, x: TypedArray, slope: number, out: TypedArray): void {
  const n = g.length;
  if (slope === 0) {
    for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : 0;
  } else {
    for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : slope * g[i];
  }
}
