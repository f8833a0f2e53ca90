// Datasets: anything with a length and an item per index (PyTorch's map-style Dataset), TensorDataset
// (rows of tensors sharing their first dimension) and Subset (a dataset seen through a list of indices).
import { allocate, ConvgradError, Tensor } from '@convgrad/core';
import { describeValue } from '../describe-value.ts';

export interface Dataset<T> {
  readonly length: number;
  /** The item at `index` (0 ≤ index < length). */
  get(index: number): T;
}

/** A dataset that can also gather several items at once into batch tensors (DataLoader's fast path). */
export interface GatherableDataset extends Dataset<Tensor[]> {
  gather(indices: ArrayLike<number>): Tensor[];
}

export function checkIndex(op: string, index: unknown, length: number): void {
  if (!(typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < length)) {
    throw new ConvgradError(op, `index must be an integer in [0, ${length}), got ${describeValue(index)}`);
  }
}

/** Rows of tensors that share their first dimension: item i is [t₀[i], t₁[i], …] (as torch.utils.data.TensorDataset). */
export class TensorDataset implements GatherableDataset {
  readonly tensors: readonly Tensor[];
  readonly length: number;

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ConvgradError('TensorDataset', 'needs at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ConvgradError('TensorDataset', `argument ${i} must be a Tensor, got ${describeValue(t)}`);
      if (t.rank === 0) throw new ConvgradError('TensorDataset', `tensor ${i} is a scalar; its first dimension indexes the items`);
    });
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.shape[0] !== n) throw new ConvgradError('TensorDataset', `tensor ${i} has ${t.shape[0]} rows (shape [${t.shape.join(', ')}]) but tensor 0 has ${n}`);
    });
    this.tensors = [...tensors];
    this.length = n;
  }

  get(index: number): Tensor[] {
    checkIndex('TensorDataset.get', index, this.length);
    return this.gather([index]).map((t) => new Tensor(t.data, t.shape.slice(1)));
  }

  /** Rows `indices` of each tensor, copied into [indices.length, …rest] tensors. */
  gather(indices: ArrayLike<number>): Tensor[] {
    for (let k = 0; k < indices.length; k++) checkIndex('TensorDataset', indices[k], this.length);
    return this.tensors.map((t) => {
      const row = t.size / this.length;
      const out = allocate(t.dtype, indices.length * row);
      const src = t.data;
      for (let k = 0; k < indices.length; k++) out.set(src.subarray(indices[k] * row, (indices[k] + 1) * row), k * row);
      return new Tensor(out, [indices.length, ...t.shape.slice(1)]);
    });
  }
}

/** `dataset` seen through `indices` (what randomSplit returns). */
export class Subset<T> implements Dataset<T> {
  readonly indices: readonly number[];

  constructor(readonly dataset: Dataset<T>, indices: readonly number[]) {
    indices.forEach((i) => checkIndex('Subset', i, dataset.length));
    this.indices = [...indices];
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    checkIndex('Subset.get', index, this.indices.length);
    return this.dataset.get(this.indices[index]);
  }

  /** Present when the underlying dataset can gather (a TensorDataset). */
  gather(indices: ArrayLike<number>): Tensor[] {
    const base = this.dataset as unknown as Partial<GatherableDataset>;
    if (typeof base.gather !== 'function') throw new ConvgradError('Subset.gather', 'the underlying dataset cannot gather batches');
    const mapped = Array.from(indices, (i) => {
      checkIndex('Subset', i, this.indices.length);
      return this.indices[i];
    });
    return base.gather(mapped);
  }
}
