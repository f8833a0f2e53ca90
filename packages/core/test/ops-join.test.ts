// cat, stack, split, chunk: forward against index arithmetic, PyTorch's piece sizes (uneven last
// chunk, fewer chunks than asked), gradients by finite differences (second order through a square).
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { arange, cat, chunk, split, stack, tensor, Tensor, zeros } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb } from '../src/testing/index.ts';
import { checkProperty, expectGradOk } from './helpers.ts';
import { flatOf, seedArb, unflatten } from './ops-reference.ts';

/** 1–3 tensors that agree except on dim d (sizes 0–3 there), and d written either way. */
const catCaseArb = shapeArb({ minRank: 1, maxRank: 3, maxDim: 3 }).chain((shape) => fc.record({
  shape: fc.constant(shape),
  d: fc.integer({ min: 0, max: shape.length - 1 }),
  negative: fc.boolean(),
  sizes: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
  seed: seedArb,
}));

describe('cat', () => {
  it('places input k at offset Σ sizes before k along dim; gradient is a slice per input', () => {
    checkProperty(catCaseArb, ({ shape, d, negative, sizes, seed }) => {
      const xs = sizes.map((s, k) => makeTensor({ shape: shape.map((v, i) => (i === d ? s : v)), seed: seed + k }));
      const dim = negative ? d - shape.length : d;
      const y = cat(xs, dim);
      expect(y.shape).toEqual(shape.map((v, i) => (i === d ? sizes.reduce((p, s) => p + s, 0) : v)));
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, y.shape);
        let k = 0, pos = idx[d];
        while (pos >= sizes[k]) pos -= sizes[k++];
        const src = idx.map((v, i) => (i === d ? pos : v));
        expect(y.data[f]).toBe(xs[k].data[flatOf(src, xs[k].shape)]);
      }
      if (y.size > 0) {
        expectGradOk(gradcheck((...ts) => cat(ts, dim), xs));
        expectGradOk(gradgradcheck((...ts) => { const c = cat(ts, dim); return c.mul(c); }, xs));
      }
    });
  });

  it('the same tensor twice gets both gradients', () => {
    const x = new Tensor(Float64Array.of(1, 2), [2], true);
    cat([x, x.mul(3)]).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([4, 4]);
  });

  it('refuses an empty list, rank 0, mismatched shapes, dtypes and bad dims', () => {
    expect(() => cat([])).toThrow(/^cat: expects a non-empty array of tensors/);
    expect(() => cat([tensor(1), tensor(2)])).toThrow(/^cat: zero-dimensional tensors cannot be concatenated/);
    expect(() => cat([zeros([2, 3]), zeros([2, 4])])).toThrow(/^cat: tensors\[1\] has shape \[2, 4\], which does not match \[2, 3\] outside dim 0/);
    expect(() => cat([zeros([2, 3]), zeros([2, 3, 1])], 1)).toThrow(/^cat: tensors\[1\] has shape \[2, 3, 1\]/);
    expect(() => cat([zeros([2]), zeros([2], { dtype: 'float64' })])).toThrow(/^cat: tensors\[1\] is float64 but tensors\[0\] is float32/);
    expect(() => cat([zeros([2])], 1)).toThrow(/^cat: dim 1 is out of range for a tensor of rank 1/);
    expect(() => cat([zeros([2]), [1, 2] as never])).toThrow(/^cat: tensors\[1\] must be a Tensor/);
  });
});

describe('stack', () => {
  it('joins along a new dim (−rank−1 … rank); gradients by finite differences', () => {
    checkProperty(fc.record({ shape: shapeArb({ minRank: 0, maxRank: 3, maxDim: 3 }), n: fc.integer({ min: 1, max: 3 }), seed: seedArb, pick: fc.nat() }), ({ shape, n, seed, pick }) => {
      const xs = Array.from({ length: n }, (_, k) => makeTensor({ shape, seed: seed + k }));
      const r = shape.length;
      const dim = (pick % (2 * r + 2)) - (r + 1);
      const d = dim < 0 ? dim + r + 1 : dim;
      const y = stack(xs, dim);
      expect(y.shape).toEqual([...shape.slice(0, d), n, ...shape.slice(d)]);
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, y.shape);
        const k = idx[d];
        idx.splice(d, 1);
        expect(y.data[f]).toBe(xs[k].data[flatOf(idx, shape)]);
      }
      expectGradOk(gradcheck((...ts) => stack(ts, dim), xs));
    }, 25);
  });

  it('refuses unequal shapes and a dim beyond rank', () => {
    expect(() => stack([zeros([2]), zeros([3])])).toThrow(/^stack: tensors\[1\] has shape \[3\] but tensors\[0\] has \[2\]/);
    expect(() => stack([zeros([2])], 2)).toThrow(/^stack: dim 2 is out of range/);
    expect(stack([zeros([2])], -2).shape).toEqual([1, 2]);
  });
});

describe('split and chunk', () => {
  it('split by a size: pieces of that size, the last one smaller; they cat back to the input', () => {
    checkProperty(fc.record({ shape: shapeArb({ minRank: 1, maxRank: 3, maxDim: 5 }), seed: seedArb, size: fc.integer({ min: 1, max: 6 }), pick: fc.nat() }), ({ shape, seed, size, pick }) => {
      const d = pick % shape.length;
      const x = makeTensor({ shape, seed });
      const parts = split(x, size, d);
      const n = shape[d];
      expect(parts.map((p) => p.shape[d])).toEqual(Array.from({ length: Math.ceil(n / size) }, (_, k) => Math.min(size, n - k * size)));
      expect(Array.from(cat(parts, d).data)).toEqual(Array.from(x.data));
      expectGradOk(gradcheck((t) => cat(split(t, size, d).map((p, k) => p.mul(k + 1)), d), [x]));
    }, 25);
  });

  it('split by sections; chunk as PyTorch (5 in 4 chunks → 2, 2, 1; 6 in 4 → 2, 2, 2; empty dim → empty chunks)', () => {
    const x = arange(10).reshape([2, 5]);
    expect(split(x, [1, 0, 4], 1).map((p) => p.shape)).toEqual([[2, 1], [2, 0], [2, 4]]);
    expect(split(x, [1, 0, 4], -1)[2].toArray()).toEqual([[1, 2, 3, 4], [6, 7, 8, 9]]);
    expect(chunk(arange(5), 4).map((p) => p.size)).toEqual([2, 2, 1]);
    expect(chunk(arange(6), 4).map((p) => p.size)).toEqual([2, 2, 2]);
    expect(chunk(arange(6), 3).map((p) => Array.from(p.data))).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(chunk(zeros([0]), 3).map((p) => p.shape)).toEqual([[0], [0], [0]]);
    expect(split(zeros([0]), 2).map((p) => p.shape)).toEqual([[0]]);
    expect(x.chunk(2, 1).map((p) => p.shape)).toEqual([[2, 3], [2, 2]]);
    expect(x.split(2).map((p) => p.shape)).toEqual([[2, 5]]);
  });

  it('refuses bad sizes, sections that do not add up, bad chunk counts and dims', () => {
    const x = zeros([4, 2]);
    expect(() => split(x, 0)).toThrow(/^split: split size must be a positive integer, got 0/);
    expect(() => split(x, 1.5)).toThrow(/^split: split size must be a positive integer/);
    expect(() => split(x, [1, 2])).toThrow(/^split: sections \[1, 2\] add up to 3 but dim 0 of \[4, 2\] has size 4/);
    expect(() => split(x, [5, -1])).toThrow(/^split: section 1 has size -1/);
    expect(() => split(x, 2, 2)).toThrow(/^split: dim 2 is out of range/);
    expect(() => chunk(x, 0)).toThrow(/^chunk: chunks must be a positive integer, got 0/);
    expect(() => chunk(tensor(1), 1)).toThrow(/^chunk: cannot chunk a zero-dimensional tensor/);
  });
});
