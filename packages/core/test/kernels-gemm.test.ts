// The js GEMM kernel with non-finite operands: an ∞ in A or a NaN in B reaches exactly the entries of C
// the triple loop puts it in (its row, its column), also across a whole NB-column block (n = NB, where a
// stray product past the block's last tile would land on the next row's first columns) and with a
// partial last tile. Finite entries must agree with the triple loop to float64 rounding.
import { describe, expect, it } from 'vitest';
import { gemm } from '../src/kernels/gemm.ts';
import { NB } from '../src/kernels/panel.ts';
import { Rng } from '../src/rng.ts';

function check(m: number, n: number, k: number, seed: number): void {
  const rng = new Rng(seed);
  const a = new Float64Array(m * k).map(() => rng.uniform(0.5, 1.5));
  const b = new Float64Array(k * n).map(() => rng.uniform(-1, 1));
  a[1] = Infinity; // A[0][1]
  a[(m - 1) * k] = -Infinity; // A[m − 1][0]
  b[2 * n + 7] = NaN; // B[2][7]
  const c = new Float64Array(m * n + 1).fill(5);
  gemm(m, n, k, a, 0, b, 0, c, 0, false);
  expect(c[m * n], 'wrote past C').toBe(5);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      const got = c[i * n + j], what = `m ${m} n ${n} k ${k}: C[${i}][${j}] = ${got}, triple loop ${s}`;
      if (Number.isFinite(s)) {
        if (!(Math.abs(got - s) <= 1e-12 * k)) expect.fail(what);
      } else if (!Object.is(got, s)) expect.fail(what);
    }
  }
}

describe('js gemm with ∞ and NaN operands', () => {
  it('puts them where the triple loop does: one NB block, a partial last tile, several blocks', () => {
    for (const [m, n] of [[2, NB], [4, NB], [3, NB + 4], [2, 10], [5, NB + 7]]) check(m, n, 5, 100 + m + n);
  });
});
