// Reference GEMM in plain TypeScript: C[m×n] = A[m×k] · B[k×n] (+ C when accumulate), row-major.
import type { TypedArray } from '../tensor.ts';

const NB = 256; // columns of C kept hot in cache
const KB = 128; // depth of one pass

/**
 * Offsets let callers address a slice of a larger buffer without allocating views.
 * Four rows of C are updated per pass over a row of B (register blocking on A).
 */
export function gemm(
  m: number, n: number, k: number,
  a: TypedArray, aOff: number,
  b: TypedArray, bOff: number,
  c: TypedArray, cOff: number,
  accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, cOff, cOff + m * n);
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = Math.min(n, j0 + NB);
    for (let p0 = 0; p0 < k; p0 += KB) {
      const p1 = Math.min(k, p0 + KB);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const ar = aOff + i * k;
        const c0 = cOff + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        for (let p = p0; p < p1; p++) {
          const a0 = a[ar + p], a1 = a[ar + k + p], a2 = a[ar + 2 * k + p], a3 = a[ar + 3 * k + p];
          const br = bOff + p * n;
          for (let j = j0; j < j1; j++) {
            const bv = b[br + j];
            c[c0 + j] += a0 * bv;
            c[c1 + j] += a1 * bv;
            c[c2 + j] += a2 * bv;
            c[c3 + j] += a3 * bv;
          }
        }
      }
      for (; i < m; i++) {
        const ar = aOff + i * k, cr = cOff + i * n;
        for (let p = p0; p < p1; p++) {
          const av = a[ar + p];
          if (av === 0) continue;
          const br = bOff + p * n;
          for (let j = j0; j < j1; j++) c[cr + j] += av * b[br + j];
        }
      }
    }
  }
}
