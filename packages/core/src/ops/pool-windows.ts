// The windows of one spatial axis for every 2-D pooling (kernels/pool.ts PoolAxis), by PyTorch's formulas.
import type { PoolAxis } from '../kernels/pool.ts';

/**
 * PyTorch's pooling_output_shape: ⌊(size + 2P − D(K−1) − 1 [+ S − 1 in ceil mode]) / S⌋ + 1, and in
 * ceil mode one fewer when the last window would start past the input and its left padding.
 */
export function poolOutputSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

/**
 * Sliding windows: output i starts at i·S − P. Max pooling reads taps every D, from the first inside the
 * input to the window's end; average pooling (D = 1) weighs by 1/(pool size), the pool size being the
 * window cut at size + P (count_include_pad) or at the input (not), as PyTorch's kernels do.
 */
export function slidingAxis(size: number, k: number, s: number, p: number, d: number, ceil: boolean, kind: 'max' | 'avg', countIncludePad = true): PoolAxis {
  const n = poolOutputSize(size, k, s, p, d, ceil);
  const ax = axis(n, d);
  // Stryker disable next-line EqualityOperator: i <= n only writes start[n], end[n] and weight[n], past the ends of these length-n arrays, which a typed array drops
  for (let i = 0; i < n; i++) {
    const s0 = i * s - p;
    if (kind === 'max') {
      let a = s0;
      while (a < 0) a += d;
      ax.start[i] = a;
      ax.end[i] = Math.min(s0 + d * (k - 1) + 1, size);
      ax.weight[i] = 1;
    } else {
      const padEnd = Math.min(s0 + k, size + p);
      const a = Math.max(s0, 0), b = Math.min(padEnd, size);
      ax.start[i] = a;
      ax.end[i] = Math.max(a, b);
      // b > a: padding ≤ k/2 and the last window starting inside the input (checked, as PyTorch) leave
      // every window at least one element of the input
      ax.weight[i] = countIncludePad ? 1 / (padEnd - s0) : 1 / (b - a);
    }
  }
  return ax;
}

/** Adaptive windows (PyTorch): output i of n reads [⌊i·size/n⌋, ⌈(i+1)·size/n⌉), weight 1/length. */
export function adaptiveAxis(size: number, n: number): PoolAxis {
  const ax = axis(n, 1);
  // Stryker disable next-line EqualityOperator: i <= n only writes start[n], end[n] and weight[n], past the ends of these length-n arrays, which a typed array drops
  for (let i = 0; i < n; i++) {
    const a = Math.floor((i * size) / n), b = Math.ceil(((i + 1) * size) / n);
    ax.start[i] = a;
    ax.end[i] = b;
    ax.weight[i] = 1 / (b - a);
  }
  return ax;
}

/** Index of the first empty window, or −1. */
export function firstEmpty(ax: PoolAxis): number {
  // Stryker disable next-line EqualityOperator: i <= length only adds the comparison undefined >= undefined (false) past the ends
  for (let i = 0; i < ax.start.length; i++) if (ax.start[i] >= ax.end[i]) return i;
  return -1;
}

function axis(n: number, step: number): PoolAxis {
  return { start: new Int32Array(n), end: new Int32Array(n), step, weight: new Float64Array(n) };
}
