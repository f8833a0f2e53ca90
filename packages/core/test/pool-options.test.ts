// Pooling options (ceilMode, dilation, countIncludePad, divisorOverride) and the adaptive pools:
// forward against a definition written here from PyTorch's formulas, gradients against finite
// differences (first and second order), first-maximum ties, and the option checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool2d, maxPool2d, mean, mul, Rng, tensor, Tensor } from '../src/index.ts';
import { gradcheck, gradgradcheck } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

/** Distinct values 0.1 apart in a seeded order (no ties: the max is differentiable). */
function distinct(shape: number[], seed: number): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const perm = Array.from({ length: size }, (_, i) => i);
  new Rng(seed).shuffle(perm);
  return tensor(perm.map((v) => (v - size / 2) * 0.1), shape, { dtype: 'float64', requiresGrad: true });
}

interface Ax { k: number; s: number; p: number; d: number; size: number }
const axArb = (maxD: number) => fc.record({ k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), p: fc.nat(1), d: fc.integer({ min: 1, max: maxD }), size: fc.integer({ min: 1, max: 6 }) })
  .map((a) => ({ ...a, p: Math.min(a.p, a.k >> 1) }));

/** PyTorch's output size, written out again. */
function outLen(a: Ax, ceil: boolean): number {
  const num = a.size + 2 * a.p - a.d * (a.k - 1) - 1;
  let o = (ceil ? Math.ceil(num / a.s) : Math.floor(num / a.s)) + 1;
  if (ceil && (o - 1) * a.s >= a.size + a.p) o--;
  return o;
}

/** The definition: every window over the padded input, padding never a max; avg divisors as PyTorch. */
function naive(x: Tensor, y: Ax, xa: Ax, ceil: boolean, kind: 'max' | 'avg', includePad: boolean, divisor?: number): number[] {
  const [n, c, h, w] = x.shape;
  const out: number[] = [];
  const v = x.data;
  for (let p = 0; p < n * c; p++) {
    for (let oy = 0; oy < outLen(y, ceil); oy++) {
      for (let ox = 0; ox < outLen(xa, ceil); ox++) {
        let best = -Infinity, s = 0, cnt = 0;
        for (let i = 0; i < y.k; i++) {
          for (let j = 0; j < xa.k; j++) {
            const iy = oy * y.s - y.p + i * y.d, ix = ox * xa.s - xa.p + j * xa.d;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) { best = Math.max(best, v[(p * h + iy) * w + ix]); s += v[(p * h + iy) * w + ix]; cnt++; }
          }
        }
        if (kind === 'max') out.push(best);
        else {
          const y0 = oy * y.s - y.p, x0 = ox * xa.s - xa.p;
          const padCount = (Math.min(y0 + y.k, h + y.p) - y0) * (Math.min(x0 + xa.k, w + xa.p) - x0);
          out.push(cnt === 0 ? 0 : s / (divisor ?? (includePad ? padCount : cnt)));
        }
      }
    }
  }
  return out;
}

const caseArb = (kind: 'max' | 'avg') => fc.record({
  y: axArb(kind === 'max' ? 2 : 1), x: axArb(kind === 'max' ? 2 : 1), ceil: fc.boolean(), includePad: fc.boolean(),
  divisor: fc.option(fc.constantFrom(-3, 1, 5), { nil: undefined }), n: fc.integer({ min: 1, max: 2 }), seed: fc.nat(100000),
}).filter(({ y, x, ceil }) => outLen(y, ceil) >= 1 && outLen(x, ceil) >= 1
  // a dilated max window must keep one tap inside the input (else the op refuses it, tested below)
  && [y, x].every((a) => Array.from({ length: outLen(a, ceil) }, (_, o) => o).every((o) => Array.from({ length: a.k }, (_, i) => o * a.s - a.p + i * a.d).some((t) => t >= 0 && t < a.size))));

describe('maxPool2d options', () => {
  it('ceilMode, dilation, padding: forward = the definition, gradient = finite differences', () => {
    checkProperty(caseArb('max'), ({ y, x, ceil, n, seed }) => {
      const t = distinct([n, 2, y.size, x.size], seed);
      const opts = { stride: [y.s, x.s], padding: [y.p, x.p], dilation: [y.d, x.d], ceilMode: ceil };
      const out = maxPool2d(t, [y.k, x.k], opts);
      expect(out.shape).toEqual([n, 2, outLen(y, ceil), outLen(x, ceil)]);
      expectClose(out.data, naive(t, y, x, ceil, 'max', true), 0, 'max');
      expectGradOk(gradcheck((a) => maxPool2d(a, [y.k, x.k], opts), [t]));
      expectGradOk(gradgradcheck((a) => { const o = maxPool2d(a, [y.k, x.k], opts); return mul(o, o); }, [t]));
    }, 60);
  });

  it('ties: the gradient goes to the first maximum in row-major window order (PyTorch), with dilation and ceil mode', () => {
    const x = tensor([1, 5, 5, 5, 0, 5, 5, 2, 5], [1, 1, 3, 3], { dtype: 'float64', requiresGrad: true });
    // 2×2 window dilated by 2 over the 3×3: taps (0,0), (0,2), (2,0), (2,2) → 1, 5, 5, 5 → first 5 at (0,2)
    mean(maxPool2d(x, 2, { dilation: 2, stride: 1 })).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0]);
    x.grad = null;
    // ceil mode: windows [0,2) and [2,3) per axis; last window holds just (2,2)
    mul(maxPool2d(x, 2, { ceilMode: true }), 1).backward(tensor([1, 2, 3, 4], [1, 1, 2, 2], { dtype: 'float64' }));
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 2, 0, 0, 0, 3, 0, 4]);
  });

  it('2×2 windows with a stride other than 2 (the 2×2 fast path must not take them): max of each window', () => {
    const x = tensor(Array.from({ length: 64 }, (_, i) => i), [1, 1, 8, 8]);
    // window (i, j) starts at row si·i, column sj·j; its max is the bottom-right element
    const want = (si: number, sj: number, rows: number, cols: number) =>
      Array.from({ length: rows * cols }, (_, k) => (si * Math.floor(k / cols) + 1) * 8 + sj * (k % cols) + 1);
    expect(Array.from(maxPool2d(x, 2, { stride: 3 }).data)).toEqual(want(3, 3, 3, 3));
    expect(Array.from(maxPool2d(x, 2, { stride: [3, 2] }).data)).toEqual(want(3, 2, 3, 4));
    expect(Array.from(maxPool2d(x, 2, { stride: [2, 3] }).data)).toEqual(want(2, 3, 4, 3));
    expect(Array.from(maxPool2d(x, 2).data)).toEqual(want(2, 2, 4, 4));
    // the 2×2 fast path over several planes (batch 2 × 3 channels): each plane's outputs in place
    const many = tensor(Array.from({ length: 96 }, (_, i) => i), [2, 3, 4, 4]);
    expect(Array.from(maxPool2d(many, 2).data)).toEqual(Array.from({ length: 24 }, (_, k) => Math.floor(k / 4) * 16 + (2 * Math.floor((k % 4) / 2) + 1) * 4 + 2 * (k % 2) + 1));
  });

  it('refuses unknown and unimplemented options and a window with every tap in the padding', () => {
    const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(() => maxPool2d(x, 2, { returnIndices: true } as object)).toThrow(/^maxPool2d: unknown option 'returnIndices'/);
    expect(() => maxPool2d(x, 2, { countIncludePad: false } as object)).toThrow(/^maxPool2d: unknown option 'countIncludePad'/);
    expect(() => maxPool2d(x, 2, { ceilMode: 1 } as object)).toThrow(/^maxPool2d: ceilMode must be a boolean, got 1/);
    expect(() => maxPool2d(x, 2, { dilation: 0 })).toThrow(/^maxPool2d: dilation must be a positive integer/);
    expect(() => maxPool2d(x, 2, { dilation: 3, padding: 1, stride: 1 })).toThrow(/^maxPool2d: the window of output row 0 has no tap inside the input/);
    // along the rows only (columns fine), and along the columns only: the message names the row or the column
    expect(() => maxPool2d(x, 2, { dilation: [3, 1], padding: [1, 0], stride: 1 })).toThrow(/^maxPool2d: the window of output row 0 has no tap inside the input/);
    expect(() => maxPool2d(x, 2, { dilation: [1, 3], padding: [0, 1], stride: 1 })).toThrow(/^maxPool2d: the window of output column 0 has no tap inside the input/);
  });
});

describe('avgPool2d options', () => {
  it('ceilMode, countIncludePad, divisorOverride: forward = the definition, gradient = finite differences', () => {
    checkProperty(caseArb('avg'), ({ y, x, ceil, includePad, divisor, n, seed }) => {
      const t = distinct([n, 2, y.size, x.size], seed);
      const opts = { stride: [y.s, x.s], padding: [y.p, x.p], ceilMode: ceil, countIncludePad: includePad, divisorOverride: divisor };
      const out = avgPool2d(t, [y.k, x.k], opts);
      expect(out.shape).toEqual([n, 2, outLen(y, ceil), outLen(x, ceil)]);
      expectClose(out.data, naive(t, y, x, ceil, 'avg', includePad, divisor), 1e-12, 'avg');
      expectGradOk(gradcheck((a) => avgPool2d(a, [y.k, x.k], opts), [t]));
      expectGradOk(gradgradcheck((a) => { const o = avgPool2d(a, [y.k, x.k], opts); return mul(o, o); }, [t]));
    }, 60);
  });

  it('refuses unknown options, dilation (PyTorch avg_pool2d has none) and a zero divisor', () => {
    const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(() => avgPool2d(x, 2, { dilation: 2 } as object)).toThrow(/^avgPool2d: unknown option 'dilation'/);
    expect(() => avgPool2d(x, 2, { divisorOverride: 0 })).toThrow(/^avgPool2d: divisorOverride must be a non-zero integer, got 0/);
    expect(() => avgPool2d(x, 2, { divisorOverride: 1.5 })).toThrow(/^avgPool2d: divisorOverride must be a non-zero integer, got 1.5/);
    expect(() => avgPool2d(x, 2, { countIncludePad: 'no' } as object)).toThrow(/^avgPool2d: countIncludePad must be a boolean/);
  });
});

describe('adaptive pools', () => {
  /** PyTorch's windows: [⌊i·H/n⌋, ⌈(i+1)·H/n⌉). */
  function naiveAdaptive(x: Tensor, oh: number, ow: number, kind: 'max' | 'avg'): number[] {
    const [n, c, h, w] = x.shape;
    const out: number[] = [];
    for (let p = 0; p < n * c; p++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const vals: number[] = [];
          for (let a = Math.floor((i * h) / oh); a < Math.ceil(((i + 1) * h) / oh); a++) {
            for (let b = Math.floor((j * w) / ow); b < Math.ceil(((j + 1) * w) / ow); b++) vals.push(x.data[(p * h + a) * w + b]);
          }
          out.push(kind === 'max' ? Math.max(...vals) : vals.reduce((s, v) => s + v, 0) / vals.length);
        }
      }
    }
    return out;
  }

  it('forward = the definition, gradients = finite differences (sizes up and down, null keeps a dim)', () => {
    const arb = fc.record({ h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }), oh: fc.integer({ min: 1, max: 5 }), ow: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }), seed: fc.nat(100000) });
    checkProperty(arb, ({ h, w, oh, ow, seed }) => {
      const x = distinct([2, 1, h, w], seed);
      for (const [kind, f] of [['avg', adaptiveAvgPool2d], ['max', adaptiveMaxPool2d]] as const) {
        const out = f(x, [oh, ow]);
        expect(out.shape).toEqual([2, 1, oh, ow ?? w]);
        expectClose(out.data, naiveAdaptive(x, oh, ow ?? w, kind), 1e-12, kind);
        expectGradOk(gradcheck((a) => f(a, [oh, ow]), [x]));
        expectGradOk(gradgradcheck((a) => { const o = f(a, [oh, ow]); return mul(o, o); }, [x]));
      }
    }, 40);
  });

  it('adaptiveAvgPool2d(x, 1) is global average pooling; adaptiveMaxPool2d ties go to the first maximum', () => {
    const x = tensor([3, 1, 3, 2, 0, 3], [1, 2, 1, 3], { dtype: 'float64', requiresGrad: true });
    expectClose(adaptiveAvgPool2d(x, 1).data, [7 / 3, 5 / 3], 1e-15, 'global mean');
    mean(adaptiveMaxPool2d(x, [1, 1])).backward();
    expect(Array.from(x.grad!.data)).toEqual([0.5, 0, 0, 0, 0, 0.5]);
  });

  it('refuses a bad output size, naming it', () => {
    const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(() => adaptiveAvgPool2d(x, 0)).toThrow(/^adaptiveAvgPool2d: outputSize must be a positive integer .* got 0/);
    expect(() => adaptiveMaxPool2d(x, [2, 2, 2])).toThrow(/^adaptiveMaxPool2d: outputSize .* got \[2, 2, 2\]/);
  });
});
