// Batch-norm loops over a contiguous [N, C, S] buffer (S = H·W, or 1 for [N, C]): per-channel statistics
// in one pass, the normalization, and the closed-form input gradient. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

/** Layout of the buffer: N samples of C channels of S contiguous values. */
export interface ChannelLayout { n: number; c: number; s: number }

export interface ChannelStats {
  /** per-channel mean */
  mean: Float64Array;
  /** per-channel biased variance Σ(x − μ)²/M, M = N·S */
  variance: Float64Array;
}

/**
 * Mean and biased variance per channel in one pass over the data. Sums are taken in float64 around a
 * shift K (the channel's first value), var = (Σd² − (Σd)²/M)/M with d = x − K, so a large common offset
 * does not cancel the variance away (the textbook E[x²] − E[x]² would).
 */
export function channelStats(x: TypedArray, l: ChannelLayout): ChannelStats {
  const { n, c, s } = l;
  const m = n * s;
  const mean = new Float64Array(c), variance = new Float64Array(c);
  // Stryker disable next-line EqualityOperator: ch <= c adds a channel c whose results go to mean[c] and variance[c], past the ends of these length-c arrays, which a typed array drops
  for (let ch = 0; ch < c; ch++) {
    const k = x[ch * s];
    let s1 = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      for (let p = (i * c + ch) * s, e = p + s; p < e; p++) {
        const d = x[p] - k;
        s1 += d;
        s2 += d * d;
      }
    }
    mean[ch] = k + s1 / m;
    variance[ch] = Math.max(0, (s2 - (s1 * s1) / m) / m);
  }
  return { mean, variance };
}

/** out = (x − mean)·scale + shift per channel (scale = γ/√(σ² + ε), shift = β, folded by the caller). */
export function channelAffine(x: TypedArray, l: ChannelLayout, mean: Float64Array, scale: Float64Array, shift: Float64Array, out: TypedArray): void {
  const { n, c, s } = l;
  // Stryker disable next-line EqualityOperator: i <= n adds a sample n whose blocks lie past out's end, which a typed array drops
  for (let i = 0; i < n; i++) {
    // Stryker disable next-line EqualityOperator: ch <= c adds block (i, c) = block (i + 1, 0), written again next, or past out's end
    for (let ch = 0; ch < c; ch++) {
      const mu = mean[ch], a = scale[ch], b = shift[ch];
      // Stryker disable next-line EqualityOperator: p <= e also writes the next block's first element, which that block (later in the loop) overwrites, or past the end of out, which a typed array drops
      for (let p = (i * c + ch) * s, e = p + s; p < e; p++) out[p] = (x[p] - mu) * a + b;
    }
  }
}

export interface GradSums {
  /** Σ g per channel (the bias gradient) */
  sumG: Float64Array;
  /** Σ g·x̂ per channel (the weight gradient), x̂ = (x − μ)·invstd */
  sumGXhat: Float64Array;
}

/** Σ g and Σ g·x̂ per channel in one pass. */
export function gradSums(g: TypedArray, x: TypedArray, l: ChannelLayout, mean: Float64Array, invstd: Float64Array): GradSums {
  const { n, c, s } = l;
  const sumG = new Float64Array(c), sumGXhat = new Float64Array(c);
  // Stryker disable next-line EqualityOperator: ch <= c adds a channel c whose sums go past the ends of sumG and sumGXhat (length c), which a typed array drops
  for (let ch = 0; ch < c; ch++) {
    const mu = mean[ch];
    let sg = 0, sgx = 0;
    for (let i = 0; i < n; i++) {
      for (let p = (i * c + ch) * s, e = p + s; p < e; p++) {
        sg += g[p];
        sgx += g[p] * (x[p] - mu);
      }
    }
    sumG[ch] = sg;
    sumGXhat[ch] = sgx * invstd[ch];
  }
  return { sumG, sumGXhat };
}

/** Per channel: a = γ·invstd, meanG = Σg/M, b = invstd·Σ(g·x̂)/M, so that dx = a·(g − meanG − (x − μ)·b). */
export function inputGradCoefficients(l: ChannelLayout, invstd: Float64Array, gamma: TypedArray | null, sums: GradSums): { a: Float64Array; meanG: Float64Array; b: Float64Array } {
  const { c } = l;
  const m = l.n * l.s;
  const a = new Float64Array(c), meanG = new Float64Array(c), b = new Float64Array(c);
  // Stryker disable next-line EqualityOperator: ch <= c only writes a[c], meanG[c] and b[c], past the ends of these length-c arrays, which a typed array drops
  for (let ch = 0; ch < c; ch++) {
    a[ch] = (gamma ? gamma[ch] : 1) * invstd[ch];
    meanG[ch] = sums.sumG[ch] / m;
    // x̂·Σ(g·x̂)/M = (x − μ)·invstd²·Σ(g·x̂)/M
    b[ch] = (invstd[ch] * sums.sumGXhat[ch]) / m;
  }
  return { a, meanG, b };
}

/**
 * The input gradient of training-mode batch norm, in closed form per channel (M = N·S values):
 *   dx = γ·invstd·(g − Σg/M − x̂·Σ(g·x̂)/M),  x̂ = (x − μ)·invstd
 * `gamma` null means γ = 1.
 */
export function batchNormInputGrad(
  g: TypedArray, x: TypedArray, l: ChannelLayout, mean: Float64Array, invstd: Float64Array, gamma: TypedArray | null, sums: GradSums, out: TypedArray,
): void {
  const { n, c, s } = l;
  const { a, meanG, b } = inputGradCoefficients(l, invstd, gamma, sums);
  // Stryker disable next-line EqualityOperator: i <= n adds a sample n whose blocks lie past out's end, which a typed array drops
  for (let i = 0; i < n; i++) {
    // Stryker disable next-line EqualityOperator: ch <= c adds block (i, c) = block (i + 1, 0), written again next, or past out's end
    for (let ch = 0; ch < c; ch++) {
      const k = a[ch], mg = meanG[ch], bb = b[ch], mu = mean[ch];
      // Stryker disable next-line EqualityOperator: as in channelAffine, p <= e's extra write is overwritten by the next block or dropped past the end
      for (let p = (i * c + ch) * s, e = p + s; p < e; p++) out[p] = k * (g[p] - mg - (x[p] - mu) * bb);
    }
  }
}
