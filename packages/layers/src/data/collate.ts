// Default collation: a list of items becomes one batch (torch.utils.data.default_collate's rules, with
// convgrad's dtypes): tensors stack along a new first dimension; numbers become a float32 tensor [B];
// Float32Array/Float64Array of one length become a [B, length] tensor of that dtype; arrays (tuples)
// and plain objects are collated position by position / key by key.
import { ConvgradError, Tensor, type DType, type TypedArray } from '@convgrad/core';
import { describeValue } from '../describe-value.ts';

function fail(message: string): never {
  throw new ConvgradError('collate', `${message}; pass a collate function to the DataLoader for other items`);
}

function stack(rows: TypedArray[], shape: readonly number[], dtype: DType): Tensor {
  const size = rows[0].length;
  const out = dtype === 'float64' ? new Float64Array(rows.length * size) : new Float32Array(rows.length * size);
  rows.forEach((r, i) => out.set(r, i * size));
  return new Tensor(out, [rows.length, ...shape]);
}

export function defaultCollate(items: readonly unknown[]): unknown {
  if (items.length === 0) fail('got an empty batch');
  const first = items[0];
  if (first instanceof Tensor) {
    items.forEach((t, i) => {
      if (!(t instanceof Tensor) || t.dtype !== first.dtype || t.shape.length !== first.shape.length || t.shape.some((d, k) => d !== first.shape[k])) {
        fail(`item ${i} is ${describeValue(t)} but item 0 is a ${first.dtype} tensor of shape [${first.shape.join(', ')}]`);
      }
    });
    return stack(items.map((t) => (t as Tensor).data), first.shape, first.dtype);
  }
  if (typeof first === 'number') {
    items.forEach((v, i) => {
      if (typeof v !== 'number') fail(`item ${i} is ${describeValue(v)} but item 0 is a number`);
    });
    return new Tensor(Float32Array.from(items as number[]), [items.length]);
  }
  if (first instanceof Float32Array || first instanceof Float64Array) {
    items.forEach((v, i) => {
      if (!(v instanceof first.constructor) || (v as TypedArray).length !== first.length) fail(`item ${i} is not a ${first.constructor.name} of length ${first.length} like item 0`);
    });
    return stack(items as TypedArray[], [first.length], first instanceof Float64Array ? 'float64' : 'float32');
  }
  if (Array.isArray(first)) {
    items.forEach((v, i) => {
      if (!Array.isArray(v) || v.length !== first.length) fail(`item ${i} is ${describeValue(v)} but item 0 is an array of ${first.length}`);
    });
    return first.map((_, k) => defaultCollate(items.map((v) => (v as unknown[])[k])));
  }
  if (typeof first === 'object' && first !== null && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    items.forEach((v, i) => {
      if (typeof v !== 'object' || v === null || Object.keys(v).join() !== keys.join()) fail(`item ${i} does not have the keys ${keys.join(', ')} of item 0`);
    });
    return Object.fromEntries(keys.map((k) => [k, defaultCollate(items.map((v) => (v as Record<string, unknown>)[k]))]));
  }
  return fail(`cannot collate ${describeValue(first)}`);
}
