// Version counters of tensor data (PyTorch's `_version`): how many times an array was changed in place.
// Kept per array, so every tensor over the same array (detach, reshape) shares one counter; only arrays
// that were ever changed have an entry, so recording and checking cost a WeakMap lookup.
import type { TypedArray } from './tensor.ts';

const versions = new WeakMap<TypedArray, number>();

export function versionOf(data: TypedArray): number {
  return versions.get(data) ?? 0;
}

export function bumpVersionOf(data: TypedArray): void {
  versions.set(data, (versions.get(data) ?? 0) + 1);
}
