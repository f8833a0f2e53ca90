// Tensor construction and conversion: tensor() from nested/flat values, factories, item, toArray,
// detach, clone, to(dtype), seeded random generators.
import { describe, it, expect } from 'vitest';
import { arange, full, ones, rand, randn, tensor, zeros, Rng } from '../src/index.ts';

describe('tensor()', () => {
  it('infers the shape of nested values', () => {
    const t = tensor([[[1, 2, 3], [4, 5, 6]]]);
    expect(t.shape).toEqual([1, 2, 3]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('takes flat values with a shape, and typed arrays', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [3, 2], { dtype: 'float64' });
    expect(t.shape).toEqual([3, 2]);
    expect(t.dtype).toBe('float64');
    expect(t.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tensor(new Float64Array([1, 2])).shape).toEqual([2]);
  });

  it('a number is a rank-0 tensor', () => {
    const t = tensor(2.5);
    expect(t.shape).toEqual([]);
    expect(t.item()).toBe(2.5);
    expect(t.toArray()).toBe(2.5);
  });

  it('rejects ragged nested values and values that do not fill the shape', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: .*ragged/);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/tensor: .*ragged/);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/tensor: 3 values do not fill shape \[2, 2\]/);
    expect(() => tensor([1, 2], [-1, -2])).toThrow(/tensor: invalid shape \[-1, -2\]/);
  });

  it('stores float32 values rounded to float32', () => {
    expect(tensor([0.1]).data[0]).toBe(Math.fround(0.1));
    expect(tensor([0.1], undefined, { dtype: 'float64' }).data[0]).toBe(0.1);
  });
});

describe('factories', () => {
  it('zeros, ones, full, arange', () => {
    expect(Array.from(zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones([3], { dtype: 'float64' }).data)).toEqual([1, 1, 1]);
    expect(Array.from(full([2], 7).data)).toEqual([7, 7]);
    expect(Array.from(arange(4).data)).toEqual([0, 1, 2, 3]);
    expect(Array.from(arange(1, 2, 0.25).data)).toEqual([1, 1.25, 1.5, 1.75]);
    expect(ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('randn with a seed is reproducible, and different seeds differ', () => {
    const a = randn([100], { seed: 42, dtype: 'float64' });
    const b = randn([100], { seed: 42, dtype: 'float64' });
    const c = randn([100], { seed: 43, dtype: 'float64' });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });

  it('randn has roughly the requested mean and std; rand stays in [low, high)', () => {
    const n = 20_000;
    const x = randn([n], { seed: 1, dtype: 'float64', mean: 2, std: 3 });
    const v = Array.from(x.data);
    const m = v.reduce((s, a) => s + a, 0) / n;
    const sd = Math.sqrt(v.reduce((s, a) => s + (a - m) ** 2, 0) / n);
    expect(Math.abs(m - 2)).toBeLessThan(0.1); // 5 standard errors (3/√n ≈ 0.02)
    expect(Math.abs(sd - 3)).toBeLessThan(0.1);
    const u = rand([n], { seed: 2, low: -1, high: 0.5 });
    expect(u.data.every((v) => v >= -1 && v < 0.5)).toBe(true);
  });

  it('an Rng shared between calls continues its stream', () => {
    const rng = new Rng(5);
    const a = randn([4], { rng, dtype: 'float64' }), b = randn([4], { rng, dtype: 'float64' });
    const both = randn([8], { seed: 5, dtype: 'float64' });
    expect([...a.data, ...b.data]).toEqual(Array.from(both.data));
  });
});

describe('conversions', () => {
  it('item works on one-element tensors only', () => {
    expect(tensor([[3]]).item()).toBe(3);
    expect(() => tensor([1, 2]).item()).toThrow(/item: .*\[2\]/);
  });

  it('toArray nests by shape', () => {
    expect(tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]).toArray()).toEqual([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
  });

  it('detach cuts the graph and shares the values; clone copies them', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.data).toBe(y.data);
    const c = y.clone();
    expect(c.data).not.toBe(y.data);
    expect(Array.from(c.data)).toEqual([2, 4]);
  });

  it('to(dtype) converts values', () => {
    const x = tensor([0.1, 2], undefined, { dtype: 'float64' });
    const y = x.to('float32');
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.data)).toEqual([Math.fround(0.1), 2]);
    expect(x.to('float64')).toBe(x);
  });
});
