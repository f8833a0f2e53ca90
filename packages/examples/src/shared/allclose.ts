// numpy.allclose semantics: |a − b| <= atol + rtol·|b| elementwise (b is the reference); equal
// infinities are close, NaN never is.

export interface CloseOptions {
  atol?: number;
  rtol?: number;
}

/** The largest |a − b| and whether every element passes numpy's allclose test. */
export function compareClose(a: ArrayLike<number>, b: ArrayLike<number>, { atol = 1e-8, rtol = 1e-5 }: CloseOptions = {}): { close: boolean; maxAbsDiff: number } {
  if (a.length !== b.length) throw new RangeError(`allclose: lengths differ (${a.length} vs ${b.length})`);
  let close = true, maxAbsDiff = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue; // also ±Infinity against itself
    const d = Math.abs(a[i] - b[i]);
    if (!Number.isFinite(b[i]) || !(d <= atol + rtol * Math.abs(b[i]))) close = false;
    if (!(d <= maxAbsDiff)) maxAbsDiff = d; // NaN propagates as the max
  }
  return { close, maxAbsDiff };
}

export function allclose(a: ArrayLike<number>, b: ArrayLike<number>, options: CloseOptions = {}): boolean {
  return compareClose(a, b, options).close;
}
