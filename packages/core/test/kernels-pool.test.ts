// The js max-pooling kernel's 2×2 stride-2 fast path (kernels/pool.ts maxPool2x2) against the general
// window loop: the same values and argmax indices bit for bit (ties → first maximum, ±0, ±∞), on odd
// sizes (a last row/column no window reads) and several planes; and that it really handles every
// NaN-free input itself (returns true: the speed it exists for), leaving inputs with a NaN (or ∞ − ∞
// in its running sum) to the general loop, whose results the public kernel then gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxPool2dForward, maxPool2x2, type Pool2dGeometry } from '../src/kernels/pool.ts';
import { slidingAxis } from '../src/ops/pool-windows.ts';
import { Rng } from '../src/rng.ts';
import { checkProperty } from './helpers.ts';

interface Plain { planes: number; oh: number; ow: number; eh: number; ew: number; ties: boolean; seed: number }

function geometry({ planes, oh, ow, eh, ew }: Plain): Pool2dGeometry {
  const h = 2 * oh + eh, w = 2 * ow + ew;
  return { planes, h, w, rows: slidingAxis(h, 2, 2, 0, 1, false, 'max'), cols: slidingAxis(w, 2, 2, 0, 1, false, 'max'), plain2x2: true };
}

/** Seeded values: N(0, 1)-ish, or (ties) small integers and ±0 with ±∞ (never both signs of ∞: ∞ − ∞ is NaN). */
function fill(n: number, ties: boolean, seed: number): Float32Array {
  const rng = new Rng(seed), x = new Float32Array(n);
  const specials = [0, -0, 1, -1, 2, seed % 2 ? Infinity : -Infinity];
  for (let i = 0; i < n; i++) x[i] = ties ? specials[Math.floor(rng.uniform(0, specials.length))] : rng.uniform(-2, 2);
  return x;
}

function checkPlain(c: Plain): void {
  const g = geometry(c), n = c.planes * c.oh * c.ow;
  const x = fill(c.planes * g.h * g.w, c.ties, c.seed);
  const want = new Float32Array(n), wantArg = new Int32Array(n), got = new Float32Array(n + 2).fill(-7), gotArg = new Int32Array(n + 2).fill(-1);
  maxPool2dForward(x, { ...g, plain2x2: false }, want, wantArg);
  expect(maxPool2x2(x, g, got, gotArg), `the fast path declined a NaN-free input ${JSON.stringify(c)}`).toBe(true);
  expect(Array.from(got.subarray(0, n)).map(Object.is.bind(null, 0)), 'signs of zero').toEqual(Array.from(want).map(Object.is.bind(null, 0)));
  expect(Array.from(got.subarray(0, n)), `values ${JSON.stringify(c)}`).toEqual(Array.from(want));
  expect(Array.from(gotArg.subarray(0, n)), `argmax ${JSON.stringify(c)}`).toEqual(Array.from(wantArg));
  expect(Array.from(got.subarray(n)), 'wrote past the output').toEqual([-7, -7]);
}

const plainArb: fc.Arbitrary<Plain> = fc.record({
  planes: fc.integer({ min: 1, max: 4 }), oh: fc.integer({ min: 1, max: 5 }), ow: fc.integer({ min: 1, max: 7 }),
  eh: fc.nat(1), ew: fc.nat(1), ties: fc.boolean(), seed: fc.nat(1_000_000),
});

describe('js max pooling: the 2×2 stride-2 fast path', () => {
  it('handles every NaN-free input itself and equals the general loop (values, argmax, signs of zero)', () => {
    // even and odd sizes, one and several planes, first
    for (const [planes, eh, ew] of [[1, 0, 0], [1, 1, 1], [3, 0, 0], [3, 1, 0], [2, 0, 1]]) {
      for (const ties of [false, true]) checkPlain({ planes, oh: 3, ow: 4, eh, ew, ties, seed: 11 * planes + eh + 2 * ew });
    }
    checkProperty(plainArb, checkPlain);
  });

  it('declines an input with a NaN or both infinities, which the general loop then pools', () => {
    const g = geometry({ planes: 2, oh: 2, ow: 2, eh: 1, ew: 0, ties: false, seed: 0 });
    // (plane 1 starts at 20; row 4 of each plane, the odd one, is never read)
    for (const [at, v, w] of [[3, NaN, 0], [25, NaN, 0], [0, Infinity, -Infinity]]) {
      const x = fill(2 * g.h * g.w, false, 5);
      x[at] = v;
      if (w !== 0) x[35] = w;
      const out = new Float32Array(8), arg = new Int32Array(8);
      expect(maxPool2x2(x, g, out, arg)).toBe(false);
      const want = new Float32Array(8), wantArg = new Int32Array(8);
      maxPool2dForward(x, { ...g, plain2x2: false }, want, wantArg);
      maxPool2dForward(x, g, out, arg);
      expect(Array.from(out)).toEqual(Array.from(want));
      expect(Array.from(arg)).toEqual(Array.from(wantArg));
    }
  });
});
