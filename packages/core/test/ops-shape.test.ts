// reshape, permute, transpose, broadcastTo, slice, pad: forward against index arithmetic written
// here, backward against central differences.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { broadcastTo, pad, permute, reshape, slice, sumTo, transpose, type Tensor } from '../src/index.ts';
import { broadcastPairArb, gradcheck, makeTensor, shapeArb } from '../src/testing/index.ts';
import { broadcastShape, checkProperty, expectGradOk } from './helpers.ts';

const seedArb = fc.integer({ min: 0, max: 1_000_000 });

function strides(shape: readonly number[]): number[] {
  const s = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

function unflatten(flat: number, shape: readonly number[]): number[] {
  return strides(shape).map((s, i) => Math.floor(flat / s) % shape[i]);
}

function at(t: Tensor, idx: readonly number[]): number {
  return t.data[strides(t.shape).reduce((p, s, i) => p + s * idx[i], 0)];
}

describe('reshape', () => {
  /** A shape and a target of the same size: flat, reversed, with a leading 1, or with one -1. */
  const caseArb = fc.record({ shape: shapeArb({ maxRank: 4 }), seed: seedArb, kind: fc.constantFrom('flat', 'reversed', 'lead1', 'minus1') });
  const target = (shape: number[], kind: string) =>
    kind === 'flat' ? [shape.reduce((p, d) => p * d, 1)]
      : kind === 'reversed' ? [...shape].reverse()
        : kind === 'lead1' ? [1, ...shape]
          : [-1, ...shape.slice(1)];

  it('keeps the row-major order and back-propagates', () => {
    checkProperty(caseArb, ({ shape, seed, kind }) => {
      const x = makeTensor({ shape, seed });
      const y = reshape(x, target(shape, kind));
      expect(y.size).toBe(x.size);
      expect(Array.from(y.data)).toEqual(Array.from(x.data));
      if (kind === 'minus1') expect(y.shape).toEqual(shape);
      expectGradOk(gradcheck((t) => reshape(t, target(shape, kind)), [x]));
    });
  });

  it('to its own shape is the tensor itself (no graph node)', () => {
    const x = makeTensor({ shape: [2, 3], seed: 1 }, { requiresGrad: true });
    expect(reshape(x, [2, 3])).toBe(x);
    expect(reshape(x, [-1, 3])).toBe(x);
    expect(sumTo(x, [2, 3])).toBe(x);
  });

  it('a permute that moves only size-1 dims shares the data (same row-major order, no copy)', () => {
    const x = makeTensor({ shape: [2, 1, 3, 1], seed: 2 });
    expect(permute(x, [1, 0, 3, 2]).data).toBe(x.data);
    expect(permute(x, [2, 1, 0, 3]).data).not.toBe(x.data);
  });
});

describe('permute and transpose', () => {
  const permCaseArb = shapeArb({ maxRank: 4 }).chain((shape) =>
    fc.record({ shape: fc.constant(shape), seed: seedArb, perm: fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length }) }));

  it('permute moves out[i...] = x[i[perm]...] and back-propagates', () => {
    checkProperty(permCaseArb, ({ shape, seed, perm }) => {
      const x = makeTensor({ shape, seed });
      const y = permute(x, perm);
      expect(y.shape).toEqual(perm.map((p) => shape[p]));
      for (let f = 0; f < y.size; f++) {
        const oi = unflatten(f, y.shape);
        const xi = new Array<number>(shape.length);
        perm.forEach((p, i) => (xi[p] = oi[i]));
        expect(y.data[f]).toBe(at(x, xi));
      }
      expectGradOk(gradcheck((t) => permute(t, perm), [x]));
    });
  });

  const transposeCaseArb = shapeArb({ minRank: 2, maxRank: 4 }).chain((shape) =>
    fc.record({
      shape: fc.constant(shape), seed: seedArb,
      d0: fc.integer({ min: -shape.length, max: shape.length - 1 }),
      d1: fc.integer({ min: -shape.length, max: shape.length - 1 }),
    }));

  it('transpose swaps two (possibly negative) dims and back-propagates', () => {
    checkProperty(transposeCaseArb, ({ shape, seed, d0, d1 }) => {
      const x = makeTensor({ shape, seed });
      const a = (d0 + shape.length) % shape.length, b = (d1 + shape.length) % shape.length;
      const expectedShape = [...shape];
      [expectedShape[a], expectedShape[b]] = [shape[b], shape[a]];
      const y = transpose(x, d0, d1);
      expect(y.shape).toEqual(expectedShape);
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, y.shape);
        [idx[a], idx[b]] = [idx[b], idx[a]];
        expect(y.data[f]).toBe(at(x, idx));
      }
      expectGradOk(gradcheck((t) => transpose(t, d0, d1), [x]));
    });
  });
});

describe('broadcastTo', () => {
  it('repeats size-1 and missing leading dims; backward sums them', () => {
    checkProperty(fc.record({ pair: broadcastPairArb(), seed: seedArb }), ({ pair: [sa, sb], seed }) => {
      const target = broadcastShape(sa, sb);
      const x = makeTensor({ shape: sa, seed });
      const y = broadcastTo(x, target);
      expect(y.shape).toEqual(target);
      const off = target.length - sa.length;
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, target).slice(off).map((k, i) => (sa[i] === 1 ? 0 : k));
        expect(y.data[f]).toBe(at(x, idx));
      }
      expectGradOk(gradcheck((t) => broadcastTo(t, target), [x]));
    });
  });
});

describe('slice and pad', () => {
  /** A shape with, per dim, a window [begin, begin + size) inside it (size −1 sometimes: to the end). */
  const sliceCaseArb = shapeArb({ maxRank: 4, maxDim: 5 }).chain((shape) =>
    fc.record({
      shape: fc.constant(shape), seed: seedArb,
      windows: fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) =>
        fc.tuple(fc.constant(b), fc.oneof(fc.integer({ min: 1, max: d - b }), fc.constant(-1)))))),
    }));

  it('slice cuts the window and back-propagates (zeros outside it)', () => {
    checkProperty(sliceCaseArb, ({ shape, seed, windows }) => {
      const x = makeTensor({ shape, seed });
      const begin = windows.map(([b]) => b), size = windows.map(([, s]) => s);
      const y = slice(x, begin, size);
      expect(y.shape).toEqual(size.map((s, i) => (s === -1 ? shape[i] - begin[i] : s)));
      for (let f = 0; f < y.size; f++) expect(y.data[f]).toBe(at(x, unflatten(f, y.shape).map((k, i) => k + begin[i])));
      expectGradOk(gradcheck((t) => slice(t, begin, size), [x]));
    });
  });

  const padCaseArb = shapeArb({ maxRank: 4 }).chain((shape) =>
    fc.record({
      shape: fc.constant(shape), seed: seedArb,
      widths: fc.tuple(...shape.map(() => fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 })))),
    }));

  it('pad surrounds with zeros and back-propagates (crop)', () => {
    checkProperty(padCaseArb, ({ shape, seed, widths }) => {
      const x = makeTensor({ shape, seed });
      const y = pad(x, widths);
      expect(y.shape).toEqual(shape.map((d, i) => d + widths[i][0] + widths[i][1]));
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, y.shape).map((k, i) => k - widths[i][0]);
        const inside = idx.every((k, i) => k >= 0 && k < shape[i]);
        expect(y.data[f]).toBe(inside ? at(x, idx) : 0);
      }
      expectGradOk(gradcheck((t) => pad(t, widths), [x]));
    });
  });
});
