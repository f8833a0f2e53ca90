// The environment-neutral half of the MNIST data code (no Node imports, so the playground's page uses it too):
// a split as typed arrays, normalization, seeded batch order, batches, and the predicted class per row.
import type { Rng, Tensor } from '@convgrad/core';

export interface MnistSplit {
  /** count × rows × cols bytes, 0 (background) … 255 (ink). */
  images: Uint8Array;
  /** count labels in 0..9. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

// The usual MNIST statistics of x/255 over the training set.
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** byte → (byte/255 − mean)/std, precomputed for the 256 values. */
export const NORMALIZED = Float32Array.from({ length: 256 }, (_, v) => (v / 255 - MNIST_MEAN) / MNIST_STD);

export interface Batch {
  /** [count, 1, rows, cols], normalized. */
  x: Float32Array;
  /** count labels. */
  y: Uint8Array;
  count: number;
}

/** Gathers the examples `order[start, end)` into one normalized batch. */
export function gatherBatch(s: MnistSplit, order: ArrayLike<number>, start: number, end: number): Batch {
  const px = s.rows * s.cols;
  const count = end - start;
  const x = new Float32Array(count * px);
  const y = new Uint8Array(count);
  for (let b = 0; b < count; b++) {
    const i = order[start + b];
    const src = i * px, dst = b * px;
    for (let p = 0; p < px; p++) x[dst + p] = NORMALIZED[s.images[src + p]];
    y[b] = s.labels[i];
  }
  return { x, y, count };
}

/** 0, 1, …, n−1. */
export function identityOrder(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}

/** A fresh seeded permutation of 0..n−1 (one per epoch). */
export function shuffledOrder(n: number, rng: Rng): Uint32Array {
  const order = identityOrder(n);
  rng.shuffle(order);
  return order;
}

/** Index of the largest logit in each row of [N, C]. */
export function argmaxRows(logits: Tensor): Uint8Array {
  const [n, c] = logits.shape;
  const out = new Uint8Array(n);
  const d = logits.data;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (d[i * c + j] > d[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}
