// squeeze, unsqueeze, flatten, expand: shapes as PyTorch, data kept in row-major order, gradients.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { expand, flatten, squeeze, tensor, unsqueeze, zeros } from '../src/index.ts';
import { gradcheck, makeTensor, shapeArb } from '../src/testing/index.ts';
import { checkProperty, expectGradOk } from './helpers.ts';
import { flatOf, seedArb, unflatten } from './ops-reference.ts';

const caseArb = fc.record({ shape: shapeArb({ minRank: 0, maxRank: 4, maxDim: 3 }), seed: seedArb, a: fc.nat(), b: fc.nat() });

describe('squeeze / unsqueeze / flatten', () => {
  it('change only the shape (PyTorch\'s rules) and back-propagate', () => {
    checkProperty(caseArb, ({ shape, seed, a, b }) => {
      const x = makeTensor({ shape, seed });
      const r = shape.length;
      expect(squeeze(x).shape).toEqual(shape.filter((s) => s !== 1));
      if (r > 0) {
        const d = a % r;
        // A named dim of size ≠ 1 is left alone (no error), as PyTorch.
        expect(squeeze(x, d - r).shape).toEqual(shape.filter((s, i) => !(i === d && s === 1)));
        const [s, e] = [Math.min(a % r, b % r), Math.max(a % r, b % r)];
        expect(flatten(x, s, e).shape).toEqual([...shape.slice(0, s), shape.slice(s, e + 1).reduce((p, v) => p * v, 1), ...shape.slice(e + 1)]);
        expectGradOk(gradcheck((t) => flatten(t, s, e), [x]));
      } else {
        expect(flatten(x).shape).toEqual([1]);
      }
      const u = a % (r + 1);
      expect(unsqueeze(x, u).shape).toEqual([...shape.slice(0, u), 1, ...shape.slice(u)]);
      expect(unsqueeze(x, u - r - 1).shape).toEqual([...shape.slice(0, u), 1, ...shape.slice(u)]);
      expect(Array.from(unsqueeze(x, u).data)).toEqual(Array.from(x.data));
      expectGradOk(gradcheck((t) => squeeze(unsqueeze(t, u)), [x]));
    }, 30);
  });

  it('examples and methods', () => {
    const x = zeros([2, 1, 3, 1]);
    expect(x.squeeze().shape).toEqual([2, 3]);
    expect(x.squeeze([1, 3]).shape).toEqual([2, 3]);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 1, 3, 1, 1]);
    expect(x.flatten().shape).toEqual([6]);
    expect(x.flatten(1).shape).toEqual([2, 3]);
    expect(x.flatten(-2, -1).shape).toEqual([2, 1, 3]);
  });

  it('refuse bad dims, naming the op', () => {
    const x = zeros([2, 3]);
    expect(() => squeeze(x, 2)).toThrow(/^squeeze: dim 2 is out of range for a tensor of rank 2/);
    expect(() => unsqueeze(x, 3)).toThrow(/^unsqueeze: dim 3 is out of range for a tensor of rank 2 \(expected an integer in \[-3, 2\]\)/);
    expect(() => unsqueeze(x, 0.5)).toThrow(/^unsqueeze: dim 0.5/);
    expect(() => flatten(x, 1, 0)).toThrow(/^flatten: startDim 1 must not come after endDim 0/);
    expect(() => flatten(x, 0, 2)).toThrow(/^flatten: dim 2 is out of range/);
  });
});

describe('expand', () => {
  it('broadcasts size-1 and new leading dims (−1 keeps a dim); the gradient sums over them', () => {
    checkProperty(fc.record({ shape: shapeArb({ minRank: 0, maxRank: 3, maxDim: 3 }), seed: seedArb, lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), grow: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }), keep: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }) }), ({ shape, seed, lead, grow, keep }) => {
      const x = makeTensor({ shape, seed });
      const sizes = [...lead, ...shape.map((s, i) => (keep[i] ? -1 : s === 1 ? grow[i] : s))];
      const y = expand(x, sizes);
      const want = [...lead, ...shape.map((s, i) => (keep[i] ? s : s === 1 ? grow[i] : s))];
      expect(y.shape).toEqual(want);
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, want).slice(lead.length).map((v, i) => (shape[i] === 1 ? 0 : v));
        expect(y.data[f]).toBe(x.data[flatOf(idx, shape)]);
      }
      expectGradOk(gradcheck((t) => expand(t, sizes), [x]));
    }, 30);
    expect(tensor([[1], [2]]).expand([-1, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });

  it('refuses a non-1 dim that changes, too few sizes and -1 on a new dim', () => {
    expect(() => expand(zeros([2, 3]), [2, 4])).toThrow(/^expand: cannot expand \[2, 3\] to \[2, 4\]: dim 1 has size 3, which is not 1/);
    expect(() => expand(zeros([2, 3]), [3])).toThrow(/^expand: the number of sizes \(1\) must be at least the rank of \[2, 3\]/);
    expect(() => expand(zeros([3]), [-1, 3])).toThrow(/^expand: -1 is not allowed for the new leading dim 0/);
    expect(() => expand(zeros([3]), [-2])).toThrow(/^expand: size -2 at position 0/);
  });
});
