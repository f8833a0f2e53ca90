// The strided copy kernel (permute, broadcast, slice, pad and the grouped conv's channel blocks) against
// a multi-index loop written from its definition: permuted, flipped (negative) and padded strides,
// offsets, size-1 and mergeable axes, every pair of dtypes (float32 ↔ float64 takes the generic row
// loop), and a destination whose unaddressed elements, before and after, must stay untouched.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simplify, stridedCopy } from '../src/kernels/strided.ts';
import { Rng } from '../src/rng.ts';
import type { DType, TypedArray } from '../src/tensor.ts';
import { checkProperty } from './helpers.ts';

const DTYPES: DType[] = ['float32', 'float64'];
const make = (dtype: DType, n: number): TypedArray => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));

interface CopyCase { shape: number[]; perm: number[]; flip: boolean[]; gap: number[]; srcPad: number; dstOff: number; seed: number }

/** Row-major strides of `shape`. */
function contiguous(shape: readonly number[]): number[] {
  const s = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Every multi-index of `shape`, in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const total = shape.reduce((p, d) => p * d, 1);
  for (let f = 0; f < total; f++) {
    const idx = new Array<number>(shape.length);
    for (let d = shape.length - 1, r = f; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    yield idx;
  }
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

function checkCopy(t: CopyCase, from: DType, to: DType): void {
  const rank = t.shape.length;
  // Source: a contiguous array of the permuted shape, walked through the permutation (axis d of the copy
  // is axis perm[d] of the source), axes flipped by negative strides from the far end.
  const srcShape = t.perm.map((p) => t.shape[p]);
  const srcContig = contiguous(srcShape);
  const ss = new Array<number>(rank);
  let srcOffset = t.srcPad;
  for (let d = 0; d < rank; d++) {
    const stride = srcContig[t.perm.indexOf(d)];
    ss[d] = t.flip[d] ? -stride : stride;
    if (t.flip[d]) srcOffset += (t.shape[d] - 1) * stride;
  }
  const srcSize = t.srcPad + t.shape.reduce((p, d) => p * d, 1);
  const rng = new Rng(t.seed);
  const src = make(from, srcSize);
  for (let i = 0; i < srcSize; i++) src[i] = rng.uniform(-4, 4);
  // Destination: row-major with `gap` extra slots per axis (a padded tensor), after dstOff, plus a guard region.
  const padded = t.shape.map((d, i) => d + t.gap[i]);
  const ds = contiguous(padded);
  const dstSize = t.dstOff + padded.reduce((p, d) => p * d, 1) + 3;
  const dst = make(to, dstSize).fill(-99);
  const expected = make(to, dstSize).fill(-99);
  for (const idx of indices(t.shape)) expected[t.dstOff + dot(idx, ds)] = src[srcOffset + dot(idx, ss)];
  stridedCopy(src, srcOffset, ss, dst, t.dstOff, ds, t.shape);
  expect(Array.from(dst), `${from} → ${to} ${JSON.stringify(t)}`).toEqual(Array.from(expected));
}

const caseArb: fc.Arbitrary<CopyCase> = fc.integer({ min: 1, max: 4 }).chain((rank) =>
  fc.record({
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: rank, maxLength: rank }),
    perm: fc.shuffledSubarray([...Array(rank).keys()], { minLength: rank, maxLength: rank }),
    flip: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
    gap: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: rank, maxLength: rank }),
    srcPad: fc.nat({ max: 3 }),
    dstOff: fc.nat({ max: 3 }),
    seed: fc.nat({ max: 1_000_000 }),
  }),
);

describe('stridedCopy equals the multi-index loop', () => {
  it('on permuted, flipped and padded strides, for every pair of dtypes, leaving the rest of dst untouched', () => {
    checkProperty(caseArb, (t) => DTYPES.forEach((from) => DTYPES.forEach((to) => checkCopy(t, from, to))));
  });

  it('on fixed cases: contiguous rows, strided rows, a mixed-dtype permute, a flip, size-1 axes', () => {
    const cases: CopyCase[] = [
      { shape: [2, 3, 4], perm: [0, 1, 2], flip: [false, false, false], gap: [0, 0, 0], srcPad: 0, dstOff: 0, seed: 1 },
      { shape: [2, 3, 4], perm: [0, 1, 2], flip: [false, false, false], gap: [0, 1, 2], srcPad: 1, dstOff: 2, seed: 2 },
      { shape: [3, 5], perm: [1, 0], flip: [false, false], gap: [0, 0], srcPad: 0, dstOff: 1, seed: 3 },
      { shape: [4, 3], perm: [0, 1], flip: [false, true], gap: [1, 0], srcPad: 2, dstOff: 0, seed: 4 },
      { shape: [1, 5, 1, 2], perm: [3, 2, 1, 0], flip: [false, false, true, false], gap: [0, 1, 0, 1], srcPad: 0, dstOff: 3, seed: 5 },
    ];
    for (const t of cases) for (const from of DTYPES) for (const to of DTYPES) checkCopy(t, from, to);
  });

  it('copies the one element of a rank-0 shape, and nothing for an empty shape', () => {
    for (const [from, to] of [['float32', 'float64'], ['float64', 'float32'], ['float64', 'float64']] as const) {
      const dst = make(to, 3).fill(-99);
      stridedCopy(make(from, 2).fill(7), 1, [], dst, 1, [], []);
      expect(Array.from(dst)).toEqual([-99, 7, -99]);
      stridedCopy(make(from, 4).fill(7), 0, [2, 1], dst, 0, [2, 1], [2, 0]);
      expect(Array.from(dst)).toEqual([-99, 7, -99]);
    }
  });
});

describe('simplify (the copy plan): fewer, longer axes, as documented', () => {
  it('drops size-1 axes and merges axes both arrays walk as one block of the next', () => {
    // a contiguous → contiguous copy is one run
    expect(simplify([2, 3, 4], [12, 4, 1], [12, 4, 1])).toEqual({ dims: [24], ss: [1], ds: [1] });
    // a pad of the last axis (destination rows 6 apart): the planes' rows form one axis of rows
    expect(simplify([2, 3, 4], [12, 4, 1], [18, 6, 1])).toEqual({ dims: [6, 4], ss: [4, 1], ds: [6, 1] });
    // a pad of both spatial axes (planes 20 apart): nothing merges
    expect(simplify([2, 3, 4], [12, 4, 1], [20, 6, 1])).toEqual({ dims: [2, 3, 4], ss: [12, 4, 1], ds: [20, 6, 1] });
    // a transpose of the last two axes: nothing merges
    expect(simplify([2, 3, 4], [12, 1, 3], [12, 4, 1])).toEqual({ dims: [2, 3, 4], ss: [12, 1, 3], ds: [12, 4, 1] });
    expect(simplify([1, 5, 1], [5, 1, 1], [5, 1, 1])).toEqual({ dims: [5], ss: [1], ds: [1] });
    expect(simplify([1, 1], [1, 1], [1, 1])).toEqual({ dims: [], ss: [], ds: [] });
  });
});
