// The chapter's helper nodes on the last two dims: pad2d, dilate2d (17.3.2), subsample2d, rot180 (eq. 8).
// Forward against index formulas written here; backward against central differences; second order for
// pad2d and dilate2d through functions with a nonzero Hessian.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { dilate2d, mul, pad2d, rot180, subsample2d } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb } from '../src/testing/index.ts';
import { checkProperty, expectGradOk } from './helpers.ts';

const seedArb = fc.integer({ min: 0, max: 1_000_000 });
/** Rank 2–4: (…, H, W). */
const spatialShapeArb = shapeArb({ minRank: 2, maxRank: 4, maxDim: 4 });
const strideArb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }));
const pad4Arb = fc.oneof(fc.nat({ max: 2 }), fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 }), fc.nat({ max: 2 }), fc.nat({ max: 2 })));

/** Value at (plane p, row i, col j) of a tensor viewed as [planes, H, W]. */
function at(data: ArrayLike<number>, h: number, w: number, p: number, i: number, j: number): number {
  return data[(p * h + i) * w + j];
}

function dims(shape: readonly number[]) {
  const h = shape[shape.length - 2], w = shape[shape.length - 1];
  return { planes: shape.slice(0, -2).reduce((a, d) => a * d, 1), h, w, lead: shape.slice(0, -2) };
}

describe('pad2d', () => {
  const caseArb = fc.record({ shape: spatialShapeArb, seed: seedArb, padding: pad4Arb });

  it('puts the input at (top, left) inside zeros', () => {
    checkProperty(caseArb, ({ shape, seed, padding }) => {
      const [t, b, l, r] = typeof padding === 'number' ? [padding, padding, padding, padding] : padding;
      const x = makeTensor({ shape, seed });
      const y = pad2d(x, padding);
      const { planes, h, w, lead } = dims(shape);
      const ho = h + t + b, wo = w + l + r;
      expect(y.shape).toEqual([...lead, ho, wo]);
      for (let p = 0; p < planes; p++)
        for (let i = 0; i < ho; i++)
          for (let j = 0; j < wo; j++) {
            const inside = i >= t && i < t + h && j >= l && j < l + w;
            expect(at(y.data, ho, wo, p, i, j)).toBe(inside ? at(x.data, h, w, p, i - t, j - l) : 0);
          }
    });
  });

  it('backward (crop) matches finite differences', () => {
    checkProperty(caseArb, ({ shape, seed, padding }) => {
      expectGradOk(gradcheck((t) => pad2d(t, padding), [makeTensor({ shape, seed })]));
    });
  });

  it('second order: x ↦ pad2d(x) ⊙ pad2d(x) ⊙ c', () => {
    checkProperty(caseArb, ({ shape, seed, padding }) => {
      const x = makeTensor({ shape, seed });
      const c = makeTensor({ shape: [...pad2d(x.detach(), padding).shape], seed: seed + 1 }, { requiresGrad: false });
      expectGradOk(gradgradcheck((t) => mul(mul(pad2d(t, padding), pad2d(t, padding)), c), [x]));
    }, 20);
  });
});

describe('dilate2d', () => {
  const caseArb = fc.record({ shape: spatialShapeArb, seed: seedArb, stride: strideArb });

  it('inserts stride−1 zeros between entries: H×W → ((H−1)S+1)×((W−1)S+1)', () => {
    checkProperty(caseArb, ({ shape, seed, stride: [sh, sw] }) => {
      const x = makeTensor({ shape, seed });
      const y = dilate2d(x, [sh, sw]);
      const { planes, h, w, lead } = dims(shape);
      const ho = (h - 1) * sh + 1, wo = (w - 1) * sw + 1;
      expect(y.shape).toEqual([...lead, ho, wo]);
      for (let p = 0; p < planes; p++)
        for (let i = 0; i < ho; i++)
          for (let j = 0; j < wo; j++) {
            const onGrid = i % sh === 0 && j % sw === 0;
            expect(at(y.data, ho, wo, p, i, j)).toBe(onGrid ? at(x.data, h, w, p, i / sh, j / sw) : 0);
          }
    });
  });

  it('backward (subsample) matches finite differences', () => {
    checkProperty(caseArb, ({ shape, seed, stride }) => {
      expectGradOk(gradcheck((t) => dilate2d(t, stride), [makeTensor({ shape, seed })]));
    });
  });

  it('second order: (x, y) ↦ dilate2d(x) ⊙ y and dilate2d(x)²', () => {
    checkProperty(caseArb, ({ shape, seed, stride }) => {
      const x = makeTensor({ shape, seed });
      const y = makeTensor({ shape: [...dilate2d(x.detach(), stride).shape], seed: seed + 1 });
      expectGradOk(gradgradcheck((a, b) => mul(dilate2d(a, stride), b), [x, y]));
      expectGradOk(gradgradcheck((a) => mul(dilate2d(a, stride), dilate2d(a, stride)), [x]));
    }, 20);
  });
});

describe('subsample2d', () => {
  const caseArb = fc.record({ shape: spatialShapeArb, seed: seedArb, stride: strideArb });

  it('takes every S-th entry from index 0 (ceil(H/S) of them) and back-propagates', () => {
    checkProperty(caseArb, ({ shape, seed, stride: [sh, sw] }) => {
      const x = makeTensor({ shape, seed });
      const y = subsample2d(x, [sh, sw]);
      const { planes, h, w, lead } = dims(shape);
      const ho = Math.ceil(h / sh), wo = Math.ceil(w / sw);
      expect(y.shape).toEqual([...lead, ho, wo]);
      for (let p = 0; p < planes; p++)
        for (let i = 0; i < ho; i++)
          for (let j = 0; j < wo; j++) expect(at(y.data, ho, wo, p, i, j)).toBe(at(x.data, h, w, p, i * sh, j * sw));
      expectGradOk(gradcheck((t) => subsample2d(t, [sh, sw]), [x]));
    });
  });

  it('second order, including strides that leave a remainder (backward pads back to H×W)', () => {
    checkProperty(caseArb, ({ shape, seed, stride }) => {
      const x = makeTensor({ shape, seed });
      expectGradOk(gradgradcheck((a) => mul(subsample2d(a, stride), subsample2d(a, stride)), [x]));
    }, 20);
  });

  it('is the left inverse of dilate2d', () => {
    checkProperty(caseArb, ({ shape, seed, stride }) => {
      const x = makeTensor({ shape, seed });
      expect(Array.from(subsample2d(dilate2d(x, stride), stride).data)).toEqual(Array.from(x.data));
    });
  });
});

describe('rot180', () => {
  const caseArb = fc.record({ shape: spatialShapeArb, seed: seedArb });

  it('flips the last two dims, is its own inverse, and back-propagates', () => {
    checkProperty(caseArb, ({ shape, seed }) => {
      const x = makeTensor({ shape, seed });
      const y = rot180(x);
      const { planes, h, w } = dims(shape);
      expect(y.shape).toEqual(shape);
      for (let p = 0; p < planes; p++)
        for (let i = 0; i < h; i++)
          for (let j = 0; j < w; j++) expect(at(y.data, h, w, p, i, j)).toBe(at(x.data, h, w, p, h - 1 - i, w - 1 - j));
      expect(Array.from(rot180(y).data)).toEqual(Array.from(x.data));
      expectGradOk(gradcheck((t) => rot180(t), [x]));
    });
  });

  it('of an empty tensor is empty', () => {
    for (const shape of [[0, 2, 3], [2, 0, 3], [1, 2, 0]]) expect(rot180(makeTensor({ shape, seed: 1 })).shape).toEqual(shape);
  });
});
