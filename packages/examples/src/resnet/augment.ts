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

/** Ranges of the random affine map: rotation ± degrees, scale 1 ± scale, shift ± pixels (each uniform). */
export interface AffineRanges {
  degrees: number;
  scale: number;
  shift: number;
}

/**
 * Seeded random affine augmentation (as torchvision's RandomAffine with bilinear sampling): each image
 * rotated by θ ∈ [−degrees, degrees] and scaled by s ∈ [1 − scale, 1 + scale] about its centre, then
 * moved by (dy, dx) ∈ [−shift, shift]² pixels (not whole pixels). Each output pixel p samples the input
 * bilinearly at A⁻¹(p − c − t) + c (c the centre, A = s·R(θ)); samples outside the image read the
 * background value.
 */
export function randomAffine(b: Batch, rows: number, cols: number, r: AffineRanges, background: number, rng: Rng): Batch {
  const px = rows * cols;
  const x = new Float32Array(b.x.length);
  const cy = (rows - 1) / 2, cx = (cols - 1) / 2;
  for (let i = 0; i < b.count; i++) {
    const theta = (rng.uniform(-r.degrees, r.degrees) * Math.PI) / 180;
    const s = rng.uniform(1 - r.scale, 1 + r.scale);
    const ty = rng.uniform(-r.shift, r.shift), tx = rng.uniform(-r.shift, r.shift);
    // A⁻¹ = R(−θ)/s: source offset (u, v) = A⁻¹ (output offset − t)
    const cos = Math.cos(theta) / s, sin = Math.sin(theta) / s;
    const src = b.x.subarray(i * px, (i + 1) * px), dst = x.subarray(i * px, (i + 1) * px);
    const at = (y: number, xx: number) => (y >= 0 && y < rows && xx >= 0 && xx < cols ? src[y * cols + xx] : background);
    for (let oy = 0; oy < rows; oy++) {
      const dy = oy - cy - ty;
      for (let ox = 0; ox < cols; ox++) {
        const dx = ox - cx - tx;
        const sy = cos * dy - sin * dx + cy, sx = sin * dy + cos * dx + cx;
        const y0 = Math.floor(sy), x0 = Math.floor(sx), fy = sy - y0, fx = sx - x0;
        dst[oy * cols + ox] = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
      }
    }
  }
  return { ...b, x };
}
