// TensorDataset, DataLoader (batches, seeded shuffle, dropLast, transform, collation, iteration) and randomSplit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arange, Rng, Tensor, tensor } from '@convgrad/core';
import { DataLoader, defaultCollate, randomSplit, TensorDataset, type Dataset } from '../src/index.ts';

/** 10 items: x row i = [i, 10 + i] (float64), y = i (float32). */
function tenRows() {
  const x = new Tensor(Float64Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? k / 2 : 10 + (k - 1) / 2)), [10, 2]);
  return new TensorDataset(x, arange(0, 10));
}

const firstColumn = (batches: Tensor[][]) => batches.map((b) => Array.from(b[1].data));

describe('TensorDataset', () => {
  it('indexes rows of tensors that share their first dimension', () => {
    const ds = tenRows();
    expect(ds.length).toBe(10);
    const [x, y] = ds.get(3);
    expect(x.shape).toEqual([2]);
    expect(Array.from(x.data)).toEqual([3, 13]);
    expect(x.dtype).toBe('float64');
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(3);
  });

  it('refuses mismatched rows, scalars, non-tensors and bad indices', () => {
    expect(() => new TensorDataset(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/^TensorDataset: tensor 1 has 3 rows \(shape \[3\]\) but tensor 0 has 2/);
    expect(() => new TensorDataset()).toThrow(/^TensorDataset: needs at least one tensor/);
    expect(() => new TensorDataset([1, 2] as never)).toThrow(/^TensorDataset: argument 0 must be a Tensor, got \[1, 2\]/);
    expect(() => tenRows().get(10)).toThrow(/^TensorDataset.get: index must be an integer in \[0, 10\), got 10/);
    expect(() => tenRows().get(1.5)).toThrow(/got 1.5/);
  });
});

describe('DataLoader', () => {
  it('batches in order, with a smaller last batch unless dropLast', () => {
    const ds = tenRows();
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader] as Tensor[][];
    expect(batches.map((b) => b[0].shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(firstColumn(batches)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(Array.from(batches[1][0].data)).toEqual([4, 14, 5, 15, 6, 16, 7, 17]);
    const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect(firstColumn([...dropped] as Tensor[][])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it('shuffles with a seeded generator: a new permutation every pass, the same for the same seed, resumable from the generator state', () => {
    const ds = tenRows();
    const pass = (l: DataLoader<Tensor[]>) => firstColumn([...l] as Tensor[][]).flat();
    const a = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 5 });
    const b = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Rng(5) });
    const a1 = pass(a), a2 = pass(a);
    expect([...a1].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a2).not.toEqual(a1);
    expect(pass(b)).toEqual(a1);
    const saved = b.generator.getState();
    const c = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 99 });
    c.generator.setState(saved);
    expect(pass(c)).toEqual(a2);
    expect(pass(b)).toEqual(a2);
    // exactly the generator's Fisher–Yates permutation
    const order = Array.from({ length: 10 }, (_, i) => i);
    new Rng(5).shuffle(order);
    expect(a1).toEqual(order);
  });

  it('applies a per-item transform and collates tensors, numbers, typed arrays, tuples and objects', () => {
    const ds: Dataset<number> = { length: 5, get: (i) => i * 10 };
    const loader = new DataLoader(ds, {
      batchSize: 2,
      transform: (v, i) => ({ x: new Float64Array([v, v + 1]), label: i, pair: [tensor([v]), v / 10] }),
    });
    const batches = [...loader];
    expect(batches).toHaveLength(3);
    const first = batches[0];
    expect(first.x.shape).toEqual([2, 2]);
    expect(first.x.dtype).toBe('float64');
    expect(Array.from(first.x.data)).toEqual([0, 1, 10, 11]);
    expect(first.label.dtype).toBe('float32');
    expect(Array.from(first.label.data)).toEqual([0, 1]);
    expect(first.pair[0].shape).toEqual([2, 1]);
    expect(Array.from(first.pair[1].data)).toEqual([0, 1]);
    expect(batches[2].x.shape).toEqual([1, 2]);
    const custom = new DataLoader(ds, { batchSize: 5, collate: (items) => items.reduce((s, v) => s + v, 0) });
    expect([...custom]).toEqual([100]);
  });

  it('a TensorDataset batch through the item-by-item path equals the gathered one', () => {
    const ds = tenRows();
    const fast = [...new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 1 })] as Tensor[][];
    const slow = [...new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 1, transform: (item) => item })] as Tensor[][];
    expect(slow.map((b) => b.map((t) => [t.shape, Array.from(t.data)]))).toEqual(fast.map((b) => b.map((t) => [t.shape, Array.from(t.data)])));
  });

  it('refuses bad options and uncollatable items, naming the option and the value', () => {
    const ds = tenRows();
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/^DataLoader: batchSize must be a positive integer, got 0/);
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow(/got 2.5/);
    expect(() => new DataLoader(ds, { shufle: true } as never)).toThrow(/^DataLoader: unknown option 'shufle'/);
    expect(() => new DataLoader(ds, { seed: 1, generator: new Rng(1) })).toThrow(/^DataLoader: give generator or seed, not both/);
    expect(() => new DataLoader([1, 2] as never)).toThrow(/^DataLoader: dataset must have an integer length and a get\(index\) method/);
    expect(() => defaultCollate(['a', 'b'])).toThrow(/^collate: cannot collate "a"/);
    expect(() => defaultCollate([tensor([1]), tensor([1, 2])])).toThrow(/^collate: item 1 is a tensor .* but item 0 is a float32 tensor of shape \[1\]/);
  });
});

describe('DataLoader properties', () => {
  it('every pass yields each index once (minus the dropped tail), in batches of batchSize', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), fc.boolean(), fc.integer(), (n, bs, shuffle, dropLast, seed) => {
      const ds = new TensorDataset(arange(0, n === 0 ? 0 : n).reshape([n]));
      const loader = new DataLoader(ds, { batchSize: bs, shuffle, dropLast, seed });
      for (let pass = 0; pass < 2; pass++) {
        const batches = [...loader] as Tensor[][];
        expect(batches).toHaveLength(loader.length);
        const sizes = batches.map((b) => b[0].shape[0]);
        sizes.forEach((size, i) => expect(size === bs || (!dropLast && i === sizes.length - 1 && size < bs)).toBe(true));
        const seen = batches.flatMap((b) => Array.from(b[0].data));
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.length).toBe(dropLast ? n - (n % bs) : n);
        if (!shuffle) expect(seen).toEqual(seen.map((_, i) => i));
      }
    }));
  });
});

describe('randomSplit', () => {
  it('splits into disjoint seeded subsets by lengths or fractions', () => {
    const ds = tenRows();
    const [a, b] = randomSplit(ds, [7, 3], { seed: 3 });
    expect([a.length, b.length]).toEqual([7, 3]);
    expect([...a.indices, ...b.indices].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [a2] = randomSplit(ds, [7, 3], { seed: 3 });
    expect(a2.indices).toEqual(a.indices);
    expect(randomSplit(ds, [7, 3], { seed: 4 })[0].indices).not.toEqual(a.indices);
    expect(b.get(0)[1].item()).toBe(b.indices[0]);
    // fractions: ⌊0.33·10⌋ = 3 each, the remainder 1 goes to the first subset
    expect(randomSplit(ds, [0.34, 0.33, 0.33], { seed: 1 }).map((s) => s.length)).toEqual([4, 3, 3]);
    // a subset of a TensorDataset keeps the gathered fast path
    const batch = [...new DataLoader(a, { batchSize: 7 })][0] as Tensor[];
    expect(Array.from(batch[1].data)).toEqual(a.indices);
  });

  it('refuses lengths that do not add up', () => {
    expect(() => randomSplit(tenRows(), [5, 4])).toThrow(/^randomSplit: lengths must be integers ≥ 0 summing to the dataset's length 10, or fractions summing to 1, got \[5, 4\]/);
  });
});
