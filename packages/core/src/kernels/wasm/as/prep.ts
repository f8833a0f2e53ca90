// Input preparation: copies image n into a zero-padded buffer the kernels read without bounds checks,
// optionally keeping only every SYS-th row and SXS-th column (the non-zeros of a dilated input).
// With P > 1 every padded row is stored as P "phase" rows (columns r, r+P, r+2P, …), so a stride-P walk
// along the row becomes contiguous and loads as whole vectors.
// Every byte is written once with its final value: two threads preparing the same image concurrently
// then never expose a half-written buffer to each other.
import * as L from './layout';

@inline function field(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

export function prepImage(d: usize, n: i32): void {
  const c = field(d, L.CH), sh = field(d, L.SH), sw = field(d, L.SW), h = field(d, L.H), w = field(d, L.W);
  const sy0 = field(d, L.SY0), sys = field(d, L.SYS), sx0 = field(d, L.SX0), sxs = field(d, L.SXS);
  const pt = field(d, L.PT), pl = field(d, L.PL), ph = field(d, L.P), hp = field(d, L.HP), wq = field(d, L.WQ);
  const rowBytes = <usize>(ph * wq) << 2;
  const src = <usize>field(d, L.X) + ((<usize>n * c * sh * sw) << 2);
  let dst = <usize>field(d, L.B) + <usize>n * field(d, L.BIMG);
  for (let ci = 0; ci < c; ci++) {
    const plane = src + ((<usize>ci * sh * sw) << 2);
    for (let iy = 0; iy < hp; iy++, dst += rowBytes) {
      const v = iy - pt;
      if (v < 0 || v >= h) {
        memory.fill(dst, 0, rowBytes);
        continue;
      }
      const srow = plane + ((<usize>(sy0 + sys * v) * sw + sx0) << 2);
      if (ph == 1 && sxs == 1) {
        // columns [lo, hi) hold source columns lo − pl …
        const lo = max(0, min(pl, wq)), hi = max(lo, min(wq, pl + w));
        memory.fill(dst, 0, <usize>lo << 2);
        memory.copy(dst + (<usize>lo << 2), srow + (<usize>(lo - pl) << 2), <usize>(hi - lo) << 2);
        memory.fill(dst + (<usize>hi << 2), 0, <usize>(wq - hi) << 2);
      } else {
        let q = dst;
        for (let r = 0; r < ph; r++) {
          for (let u = r - pl; u < wq * ph + r - pl; u += ph, q += 4) {
            store<f32>(q, u >= 0 && u < w ? load<f32>(srow + (<usize>(sxs * u) << 2)) : 0);
          }
        }
      }
    }
  }
}

/**
 * Prepares every image touched by units [from, to) when `per` units make one image, unless already done.
 * Threads claim units in chunks, so two may reach the same image: the flag lets the second skip a
 * finished image; one still being prepared is prepared again (same bytes, same values), never waited for.
 */
export function prepRange(d: usize, from: i32, to: i32, per: i32): void {
  if (field(d, L.PREP) == 0 || to <= from) return;
  const flags = <usize>field(d, L.FLAGS);
  const last = (to - 1) / per;
  for (let n = from / per; n <= last; n++) {
    const f = flags + (<usize>n << 2);
    if (atomic.load<i32>(f) == 2) continue;
    atomic.cmpxchg<i32>(f, 0, 1);
    prepImage(d, n);
    atomic.store<i32>(f, 2);
  }
}

/** dst[p][a][b] = src[p][y0 + ys·a][x0 + xs·b] for `planes` planes of h×w: the taps a dilated kernel keeps. */
export function subsample(src: usize, planes: i32, h: i32, w: i32, y0: i32, ys: i32, hc: i32, x0: i32, xs: i32, wc: i32, dst: usize): void {
  for (let p = 0; p < planes; p++) {
    const plane = src + ((<usize>p * h * w) << 2);
    for (let a = 0; a < hc; a++) {
      const row = plane + ((<usize>(y0 + ys * a) * w + x0) << 2);
      for (let b = 0; b < wc; b++, dst += 4) store<f32>(dst, load<f32>(row + (<usize>(xs * b) << 2)));
    }
  }
}
