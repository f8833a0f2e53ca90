// Input preparation: copies image n into a zero-padded buffer the kernels can read without bounds checks.
// With P > 1 every padded row is stored as P "phase" rows (columns r, r+P, r+2P, …), so a stride-P walk
// along the row becomes contiguous and loads as whole vectors.
// Every byte is written once with its final value: two threads preparing the same image concurrently
// (at the boundary of their ranges) then never expose a half-written buffer to each other.
import * as L from './layout';

@inline function field(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

export function prepImage(d: usize, n: i32): void {
  const c = field(d, L.CH), h = field(d, L.H), w = field(d, L.W);
  const pt = field(d, L.PT), pl = field(d, L.PL), ph = field(d, L.P), hp = field(d, L.HP), wq = field(d, L.WQ);
  const rowBytes = <usize>(ph * wq) << 2;
  const src = <usize>field(d, L.X) + ((<usize>n * c * h * w) << 2);
  let dst = <usize>field(d, L.B) + <usize>n * field(d, L.BIMG);
  for (let ci = 0; ci < c; ci++) {
    const plane = src + ((<usize>ci * h * w) << 2);
    for (let iy = 0; iy < hp; iy++, dst += rowBytes) {
      const sy = iy - pt;
      if (sy < 0 || sy >= h) {
        memory.fill(dst, 0, rowBytes);
        continue;
      }
      const srow = plane + ((<usize>sy * w) << 2);
      if (ph == 1) {
        const lo = min(pl, wq), hi = max(lo, min(wq, pl + w));
        memory.fill(dst, 0, <usize>lo << 2);
        memory.copy(dst + (<usize>lo << 2), srow + (<usize>(lo - pl) << 2), <usize>(hi - lo) << 2);
        memory.fill(dst + (<usize>hi << 2), 0, <usize>(wq - hi) << 2);
      } else {
        let q = dst;
        for (let r = 0; r < ph; r++) {
          for (let j = r - pl; j < wq * ph + r - pl; j += ph, q += 4) {
            store<f32>(q, j >= 0 && j < w ? load<f32>(srow + (<usize>j << 2)) : 0);
          }
        }
      }
    }
  }
}

/** Prepares every image touched by units [from, to) when `per` units make one image. */
export function prepRange(d: usize, from: i32, to: i32, per: i32): void {
  if (field(d, L.PREP) == 0 || to <= from) return;
  const last = (to - 1) / per;
  for (let n = from / per; n <= last; n++) prepImage(d, n);
}
