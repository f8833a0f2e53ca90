// Seeded random-shift augmentation: each image moved by (dy, dx) ∈ [−s, s]² whole pixels, the
// uncovered border filled with the background value (normalized pixel 0).
import type { Rng } from '@convgrad/core';
import type { Batch } from '../mnist/data.ts';

export function randomShift(b: Batch, rows: number, cols: number, maxShift: number, background: number, rng: Rng): Batch {
  if (maxShift === 0) return b;
  const px = rows * cols;
  const x = new Float32Array(b.x.length).fill(background);
  for (let i = 0; i < b.count; i++) {
    const dy = rng.int(2 * maxShift + 1) - maxShift, dx = rng.int(2 * maxShift + 1) - maxShift;
    const src = b.x.subarray(i * px, (i + 1) * px), dst = x.subarray(i * px, (i + 1) * px);
    for (let r = Math.max(0, dy); r < Math.min(rows, rows + dy); r++) {
      const from = (r - dy) * cols;
      const c0 = Math.max(0, dx), c1 = Math.min(cols, cols + dx);
      dst.set(src.subarray(from + c0 - dx, from + c1 - dx), r * cols + c0);
    }
  }
  return { ...b, x };
}
