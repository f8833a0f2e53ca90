// The chapter's sample picture, drawn in code: a ring and a plus-shaped cross, white (1) on black (0),
// with crisp pixel edges like the book's figure 17-28.
//
// Why crisp: the kernel is learned from the 3×3 patches of this image, and gradient descent converges
// at the rate of the smallest eigenvalue of the patches' Gram matrix. Hard edges give it about 5e-3;
// anti-aliased (blurred) edges make neighbouring pixels nearly collinear and shrink it to ~9e-4, so
// the run takes ~5× longer and ends with w only ~1e-2 from the truth.

/** Whether the point (u, v) of the unit square is on the ring or the cross. */
function onShape(u: number, v: number): boolean {
  // ring: centre (0.30, 0.50), radius 0.20, line width 0.04 (3 px at 80×80)
  const ring = Math.abs(Math.hypot(u - 0.3, v - 0.5) - 0.2) < 0.02;
  // cross: centre (0.74, 0.50), arms 0.17 long, bars 0.04 wide
  const dx = Math.abs(u - 0.74), dy = Math.abs(v - 0.5);
  const cross = (dx < 0.02 && dy < 0.17) || (dy < 0.02 && dx < 0.17);
  return ring || cross;
}

/** A size×size grayscale image (row-major), each pixel 1 when its centre is on a shape, else 0. */
export function makeSampleImage(size = 80): Float64Array {
  const out = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) out[y * size + x] = onShape((x + 0.5) / size, (y + 0.5) / size) ? 1 : 0;
  }
  return out;
}
