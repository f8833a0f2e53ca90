// A drawing → an MNIST-like 28×28 image, the way the MNIST digits were made: the ink's bounding box scaled
// (aspect kept, area-averaged) to fit 20×20, then placed in 28×28 so that its center of mass is the center.

/** ink: w×h values in [0, 1] (row-major). Returns 784 values in [0, 1], or null when there is no ink. */
export function toMnist(ink: ArrayLike<number>, w: number, h: number): Float32Array | null {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (ink[y * w + x] > 0.05) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const sw = Math.max(1, Math.round(bw * scale)), sh = Math.max(1, Math.round(bh * scale));
  // Area average: each small pixel is the mean of the source rectangle it covers.
  const small = new Float32Array(sw * sh);
  for (let ty = 0; ty < sh; ty++) for (let tx = 0; tx < sw; tx++) {
    const ya = y0 + Math.floor((ty * bh) / sh), yb = y0 + Math.max(Math.floor(((ty + 1) * bh) / sh), Math.floor((ty * bh) / sh) + 1);
    const xa = x0 + Math.floor((tx * bw) / sw), xb = x0 + Math.max(Math.floor(((tx + 1) * bw) / sw), Math.floor((tx * bw) / sw) + 1);
    let s = 0;
    for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) s += ink[y * w + x];
    small[ty * sw + tx] = s / ((yb - ya) * (xb - xa));
  }
  let m = 0, mx = 0, my = 0;
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) { const v = small[y * sw + x]; m += v; mx += v * (x + 0.5); my += v * (y + 0.5); }
  const ox = Math.round(14 - mx / m), oy = Math.round(14 - my / m);
  const out = new Float32Array(784);
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) {
    const X = x + ox, Y = y + oy;
    if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = Math.min(1, small[y * sw + x]);
  }
  return out;
}
