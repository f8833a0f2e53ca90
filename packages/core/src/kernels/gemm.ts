// GEMM in plain TypeScript: C[m×n] = A[m×k] · B[k×n] (+ C when accumulate), row-major.
// Blocked as in GotoBLAS: MC rows × NB columns of C at a time, depth in passes of KC; A's block and
// one 4-column tile of B are packed into panel.ts's arena, whose 3×4 register-blocked loop does the work.
import type { TypedArray } from '../tensor.ts';
import { ARENA, B_OFF, C_OFF, clearC, KC, MC, NB, packA, tileTimesBlock } from './panel.ts';

/** Offsets let callers address a slice of a larger buffer without allocating views. */
export function gemm(
  m: number, n: number, k: number,
  a: TypedArray, aOff: number,
  b: TypedArray, bOff: number,
  c: TypedArray, cOff: number,
  accumulate: boolean,
): void {
  // m = 0 or n = 0 runs no block; k = 0 needs no case of its own: each block of C is cleared and no depth pass adds to it
  // Stryker disable next-line EqualityOperator: i0 <= m adds a pass only when m is a multiple of MC, with mc = 0 rows: it packs and writes nothing
  for (let i0 = 0; i0 < m; i0 += MC) {
    const mc = Math.min(MC, m - i0);
    // Stryker disable next-line EqualityOperator: j0 <= n adds a pass only when n is a multiple of NB, with nb = 0 columns: it writes nothing
    for (let j0 = 0; j0 < n; j0 += NB) {
      const nb = Math.min(NB, n - j0);
      clearC(mc);
      // Stryker disable next-line EqualityOperator: p0 <= k adds a pass only when k is a multiple of KC, with kc = 0: it adds empty sums (+0) to C
      for (let p0 = 0; p0 < k; p0 += KC) {
        const kc = Math.min(KC, k - p0);
        packA(a, aOff + i0 * k + p0, k, mc, kc);
        sweepColumns(b, bOff + p0 * n + j0, n, nb, kc, mc);
      }
      writeC(c, cOff + i0 * n + j0, n, mc, nb, accumulate);
    }
  }
}

/** For each 4-column tile of B's block (element (p, j) at b[off + p·ldb + j]): pack it, multiply into C. */
function sweepColumns(b: TypedArray, off: number, ldb: number, nb: number, kc: number, rows: number): void {
  for (let t = 0; t < nb; t += 4) {
    packBTile(b, off + t, ldb, kc, Math.min(4, nb - t));
    tileTimesBlock(kc, rows, t);
  }
}

/** B tile [4p + j] = b[off + p·ldb + j] for j < w, zero for the missing columns of a last tile. */
function packBTile(b: TypedArray, off: number, ldb: number, kc: number, w: number): void {
  const s = ARENA;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: either loop fills columns [0, w) the same; columns ≥ w of a tile only reach C's columns ≥ nb, which writeC never reads
  if (w === 4) {
    for (let p = 0, d = B_OFF, i = off; p < kc; p++, d += 4, i += ldb) {
      s[d] = b[i];
      s[d + 1] = b[i + 1];
      s[d + 2] = b[i + 2];
      s[d + 3] = b[i + 3];
    }
  } else {
    for (let p = 0, d = B_OFF, i = off; p < kc; p++, d += 4, i += ldb) {
      for (let j = 0; j < 4; j++) s[d + j] = j < w ? b[i + j] : 0;
    }
  }
}

/** C block rows [0, mc) × columns [0, nb) → c[off + i·ldc + j] (added when accumulate). */
function writeC(c: TypedArray, off: number, ldc: number, mc: number, nb: number, accumulate: boolean): void {
  const s = ARENA;
  for (let i = 0; i < mc; i++) {
    const src = C_OFF + i * NB, dst = off + i * ldc;
    if (accumulate) for (let j = 0; j < nb; j++) c[dst + j] += s[src + j];
    else for (let j = 0; j < nb; j++) c[dst + j] = s[src + j];
  }
}
