// GELU (erf or tanh) and SiLU over typed arrays, and their derivatives times a gradient, in float64 with
// one rounding per stored value. float32 data uses the fast Φ (erf.ts normalCdfFast, ~1e-7 relative),
// float64 the series. The wasm kernels (wasm/as/elementwise.ts) compute the same formulas.
import type { TypedArray } from '../tensor.ts';
import { normalCdf, normalCdfFast } from './erf.ts';

export type SmoothFn = 'gelu' | 'geluTanh' | 'silu';
/** The functions with a fused derivative kernel (GELU tanh's backward is written with ops). */
export type SmoothGradFn = 'gelu' | 'silu';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

const cdfOf = (x: TypedArray) => (x instanceof Float64Array ? normalCdf : normalCdfFast);

/** σ(v) without overflow: 1/(1+e^−v) = e^v/(1+e^v). */
function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** out[i] = f(x[i]). */
export function smoothMap(fn: SmoothFn, x: TypedArray, out: TypedArray): void {
  const n = x.length;
  if (fn === 'gelu') {
    const cdf = cdfOf(x);
    // Stryker disable next-line EqualityOperator: i <= n only adds a read past x and a write past out's end (both of length n), which a typed array drops
    for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v * cdf(v); }
  } else if (fn === 'geluTanh') {
    // ½v(1 + tanh u) = v/(1 + e^(−2u)), u = √(2/π)(v + 0.044715v³): no cancellation in 1 + tanh u for v ≪ 0
    // Stryker disable next-line EqualityOperator: i <= n only adds a read past x and a write past out's end (both of length n), which a typed array drops
    for (let i = 0; i < n; i++) {
      const v = x[i];
      out[i] = v / (1 + Math.exp(-2 * (SQRT_2_OVER_PI * (v + GELU_C * v * v * v))));
    }
  } else {
    // Stryker disable next-line EqualityOperator: i <= n only adds a read past x and a write past out's end (both of length n), which a typed array drops
    for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v / (1 + Math.exp(-v)); }
  }
}

/** out[i] = g[i]·f'(x[i]): GELU' = Φ + x·φ, SiLU' = σ(1 + x(1 − σ)). */
export function smoothGradMap(fn: SmoothGradFn, g: TypedArray, x: TypedArray, out: TypedArray): void {
  const n = x.length;
  if (fn === 'gelu') {
    const cdf = cdfOf(x);
    // Stryker disable next-line EqualityOperator: i <= n only adds a read past x and a write past out's end (both of length n), which a typed array drops
    for (let i = 0; i < n; i++) {
      const v = x[i];
      out[i] = g[i] * (cdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
  } else {
    // Stryker disable next-line EqualityOperator: i <= n only adds a read past x and a write past out's end (both of length n), which a typed array drops
    for (let i = 0; i < n; i++) {
      const v = x[i], s = sigmoid(v);
      out[i] = g[i] * (s * (1 + v * (1 - s)));
    }
  }
}
