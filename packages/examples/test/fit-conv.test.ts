// fitConv is the chapter's loop: one step must be exactly w − lr·(x ⋆ (z − y))/m (17.3.7, eq. 11).
import { conv2d, noGrad, rand, randn, type Tensor } from '@convgrad/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitConv } from '../src/shared/fit-conv.ts';

/** Valid cross-correlation of one H×W image with a K×K kernel, by the definition. */
function correlate(x: ArrayLike<number>, h: number, w: number, k: ArrayLike<number>, kh: number, kw: number): Float64Array {
  const oh = h - kh + 1, ow = w - kw + 1;
  const out = new Float64Array(oh * ow);
  for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    let s = 0;
    for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) s += x[(i + a) * w + j + b] * k[a * kw + b];
    out[i * ow + j] = s;
  }
  return out;
}

/** The chapter's gradient: dw = x ⋆ (z − y) / m, with m the number of output pixels. */
function chapterGrad(x: Tensor, y: Tensor, w: ArrayLike<number>): Float64Array {
  const [, , h, wd] = x.shape;
  const z = correlate(x.data, h, wd, w, 3, 3);
  const delta = z.map((v, i) => v - y.data[i]);
  const [oh, ow] = [h - 2, wd - 2];
  return correlate(x.data, h, wd, delta, oh, ow).map((v) => v / (oh * ow));
}

describe('fitConv', () => {
  it('property: one step is w − lr·(x ⋆ (z − y))/m, and the loss is ½·mean((z − y)²)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 4, max: 9 }), fc.integer({ min: 4, max: 9 }), fc.double({ min: 0.01, max: 1, noNaN: true }),
      (seed, h, w, lr) => {
        const x = rand([1, 1, h, w], { seed, dtype: 'float64' });
        const y = noGrad(() => conv2d(x, randn([1, 1, 3, 3], { seed: seed + 1, dtype: 'float64' })));
        const w0 = randn([1, 1, 3, 3], { seed: seed + 2, std: 0.1, dtype: 'float64' });
        const before = Array.from(w0.data);
        const fit = fitConv({ x, y, w0, lr, maxIter: 1, tol: 0 });
        expect(Array.from(w0.data)).toEqual(before); // trains a copy
        const g = chapterGrad(x, y, w0.data);
        const want = Array.from(w0.data, (v, i) => v - lr * g[i]);
        Array.from(fit.w.data).forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
        const z = correlate(x.data, h, w, w0.data, 3, 3);
        const loss = z.reduce((s, v, i) => s + (v - y.data[i]) ** 2, 0) / z.length / 2;
        expect(fit.losses[0]).toBeCloseTo(loss, 12);
        expect(fit.iterations).toBe(1);
      },
    ), { numRuns: 20 });
  });

  it('momentum: v ← μ·v + g; w ← w − lr·v, over two steps', () => {
    const x = rand([1, 1, 7, 6], { seed: 3, dtype: 'float64' });
    const y = noGrad(() => conv2d(x, randn([1, 1, 3, 3], { seed: 4, dtype: 'float64' })));
    const w0 = randn([1, 1, 3, 3], { seed: 5, dtype: 'float64' });
    const w0copy = Float64Array.from(w0.data);
    const lr = 0.3, mu = 0.9;
    const fit = fitConv({ x, y, w0, lr, momentum: mu, maxIter: 2, tol: 0 });
    const g0 = chapterGrad(x, y, w0.data);
    const w1 = w0copy.map((v, i) => v - lr * g0[i]);
    const g1 = chapterGrad(x, y, w1);
    const w2 = w1.map((v, i) => v - lr * (mu * g0[i] + g1[i]));
    Array.from(fit.w.data).forEach((v, i) => expect(v).toBeCloseTo(w2[i], 12));
    expect(Array.from(w0.data)).toEqual(Array.from(w0copy)); // the caller's tensor is untouched
    expect(fit.w.grad).toBeNull(); // zeroed after the last update
  });

  it('stops at the first loss below tol (before updating), and flags divergence', () => {
    const x = rand([1, 1, 8, 8], { seed: 1, dtype: 'float64' });
    const wTrue = randn([1, 1, 3, 3], { seed: 2, dtype: 'float64' });
    const y = noGrad(() => conv2d(x, wTrue));
    const exact = fitConv({ x, y, w0: wTrue, lr: 0.5, maxIter: 10, tol: 1e-20 });
    expect(exact.losses).toEqual([0]);
    expect([exact.iterations, exact.converged, exact.diverged]).toEqual([0, true, false]);

    const seen: number[] = [];
    const blown = fitConv({ x, y, w0: randn([1, 1, 3, 3], { seed: 3, dtype: 'float64' }), lr: 1e3, maxIter: 1000, tol: 1e-7, progressEvery: 1e9, onProgress: (i) => seen.push(i) });
    expect(blown.diverged).toBe(true);
    expect(blown.converged).toBe(false);
    expect(blown.iterations).toBeLessThan(1000);
    expect(Number.isFinite(blown.losses[blown.losses.length - 1])).toBe(false);
    expect(seen).toEqual([0, blown.iterations]); // iteration 0, then the stop
  });
});
