// indexSelect, gather, scatterAdd (PyTorch's dim semantics): forward against the definition,
// duplicate indices accumulate, gradients (and second order) by finite differences, index checks.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { argmax, gather, indexSelect, scatterAdd, tensor, Tensor, zeros } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb } from '../src/testing/index.ts';
import { checkProperty, expectGradOk } from './helpers.ts';
import { flatOf, seedArb, unflatten } from './ops-reference.ts';

/** A shape, a dim, and an index shape no larger than the shape off dim (any size 1–3 on it), with valid values. */
const gatherCaseArb = shapeArb({ minRank: 1, maxRank: 3, maxDim: 3 }).chain((shape) =>
  fc.integer({ min: 0, max: shape.length - 1 }).chain((d) =>
    fc.tuple(...shape.map((s, i) => fc.integer({ min: 1, max: i === d ? 3 : s }))).chain((idxShape) =>
      fc.record({
        shape: fc.constant(shape), d: fc.constant(d), idxShape: fc.constant(idxShape as number[]), seed: seedArb,
        values: fc.array(fc.integer({ min: 0, max: shape[d] - 1 }), { minLength: idxShape.reduce((p: number, s: number) => p * s, 1), maxLength: idxShape.reduce((p: number, s: number) => p * s, 1) }),
      }))));

describe('gather', () => {
  it('out[i] = x[i with i_dim replaced by index[i]]; gradients by finite differences', () => {
    checkProperty(gatherCaseArb, ({ shape, d, idxShape, seed, values }) => {
      const x = makeTensor({ shape, seed });
      const index = new Tensor(Float64Array.from(values), idxShape);
      const y = gather(x, d, index);
      expect(y.shape).toEqual(idxShape);
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, idxShape);
        idx[d] = values[f];
        expect(y.data[f]).toBe(x.data[flatOf(idx, shape)]);
      }
      expectGradOk(gradcheck((t) => gather(t, d, index), [x]));
      expectGradOk(gradgradcheck((t) => { const g = gather(t, d, index); return g.mul(g); }, [x]));
    });
  });

  it('accepts the indices argmax returns (float tensors) and number arrays', () => {
    const x = tensor([[1, 9, 3], [8, 2, 7]]);
    expect(Array.from(gather(x, 1, argmax(x, 1, true)).data)).toEqual([9, 8]);
    expect(Array.from(gather(tensor([5, 6, 7]), 0, [2, 2, 0]).data)).toEqual([7, 7, 5]);
    expect(x.gather(0, tensor([[1, 0, 1]])).toArray()).toEqual([[8, 9, 7]]);
    // a zero-dimensional input and index, as torch.gather(tensor(5.), 0, tensor(0))
    const s = gather(tensor(5), 0, tensor(0));
    expect([s.shape, s.item()]).toEqual([[], 5]);
  });
});

describe('scatterAdd', () => {
  it('adds src into x at the indexed positions (duplicates accumulate); gradients to x and src', () => {
    checkProperty(gatherCaseArb, ({ shape, d, idxShape, seed, values }) => {
      // The scatter target has size shape[d] on dim d, src is the index's shape padded by one on every dim.
      const x = makeTensor({ shape, seed });
      const src = makeTensor({ shape: idxShape.map((s) => s + 1), seed: seed + 1 });
      const index = new Tensor(Float64Array.from(values), idxShape);
      const y = scatterAdd(x, d, index, src);
      const want = Array.from(x.data);
      for (let f = 0; f < values.length; f++) {
        const idx = unflatten(f, idxShape);
        const s = src.data[flatOf(idx, src.shape)];
        idx[d] = values[f];
        want[flatOf(idx, shape)] += s;
      }
      expect(y.shape).toEqual(shape);
      want.forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 12));
      expectGradOk(gradcheck((a, b) => scatterAdd(a, d, index, b), [x, src]));
      expectGradOk(gradgradcheck((a, b) => { const s = scatterAdd(a, d, index, b); return s.mul(s); }, [x, src]));
    });
  });

  it('PyTorch\'s scatter_add_ example', () => {
    const y = scatterAdd(zeros([3, 5]), 0, tensor([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]]), tensor([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]));
    expect(y.toArray()).toEqual([[1, 7, 8, 4, 5], [0, 2, 0, 9, 0], [6, 0, 3, 0, 10]]);
    expect(zeros([3]).scatterAdd(0, [1, 1], tensor([2, 3])).toArray()).toEqual([0, 5, 0]);
  });
});

describe('indexSelect', () => {
  it('picks rows along dim (repeats allowed); gradients accumulate on repeats', () => {
    checkProperty(fc.record({ shape: shapeArb({ minRank: 1, maxRank: 3, maxDim: 3 }), seed: seedArb, pick: fc.nat(), raw: fc.array(fc.nat(), { maxLength: 4 }) }), ({ shape, seed, pick, raw }) => {
      const d = pick % shape.length;
      const values = raw.map((v) => v % shape[d]);
      const x = makeTensor({ shape, seed });
      const y = indexSelect(x, d - shape.length, values);
      expect(y.shape).toEqual(shape.map((s, i) => (i === d ? values.length : s)));
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, y.shape);
        idx[d] = values[idx[d]];
        expect(y.data[f]).toBe(x.data[flatOf(idx, shape)]);
      }
      expectGradOk(gradcheck((t) => indexSelect(t, d, Int32Array.from(values)), [x]));
    }, 25);
    const x = new Tensor(Float64Array.of(1, 2, 3), [3], true);
    x.indexSelect(0, [2, 2, 0]).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 0, 2]);
  });
});

describe('index checks', () => {
  it('out-of-range, negative and non-integer indices and mismatched index shapes are refused, naming the value', () => {
    const x = zeros([2, 3]);
    expect(() => indexSelect(x, 1, [0, 3])).toThrow(/^indexSelect: index 3 at position 1 is out of range for a dimension of size 3$/);
    expect(() => indexSelect(x, 0, [-1])).toThrow(/^indexSelect: index -1 at position 0 is out of range/);
    expect(() => indexSelect(x, 0, tensor([[0]]))).toThrow(/^indexSelect: index must be 1-D, got shape \[1, 1\]/);
    expect(() => indexSelect(x, 2, [0])).toThrow(/^indexSelect: dim 2 is out of range/);
    expect(() => gather(x, 1, tensor([[0.5, 1]]))).toThrow(/^gather: index 0.5 at position 0 is out of range/);
    expect(() => gather(x, 0, tensor([0, 1]))).toThrow(/^gather: index must have the same rank as the input \(2\), got shape \[2\]/);
    expect(() => gather(x, 0, tensor([[0, 1, 0, 1]]))).toThrow(/^gather: index shape \[1, 4\] is larger than the input \[2, 3\] at dim 1/);
    expect(() => gather(x, 0, 'a' as never)).toThrow(/^gather: index must be a Tensor, an Int32Array or an array of numbers/);
    expect(() => scatterAdd(x, 0, tensor([[0, 1]]), zeros([1, 1]))).toThrow(/^scatterAdd: index shape \[1, 2\] is larger than src \[1, 1\] at dim 1/);
    expect(() => scatterAdd(x, 0, tensor([[2]]), zeros([1, 1]))).toThrow(/^scatterAdd: index 2 at position 0 is out of range for a dimension of size 2 \(index shape \[1, 1\]\)$/);
    expect(() => scatterAdd(x, 0, tensor([[0]]), zeros([1, 1], { dtype: 'float64' }))).toThrow(/^scatterAdd: src is float64 but the input is float32/);
  });
});
