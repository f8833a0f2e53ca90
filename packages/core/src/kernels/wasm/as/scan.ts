// Finds which rows and columns of a stack of planes hold any non-zero (NaN counts as non-zero), so the
// planner can see a dilated or padded tensor (zeros on a lattice) and skip the zeros exactly.
/**
 * rows: i32[h], cols: i32[w], ORed with −1 where plane entries are non-zero (caller zeroes them first).
 * Stops early once every row and column has a non-zero; returns the number of planes scanned.
 */
export function scanNonzero(src: usize, planes: i32, h: i32, w: i32, rows: usize, cols: usize): i32 {
  const zero = f32x4.splat(0);
  const wv = w & ~3;
  let p = 0;
  while (p < planes) {
    let q = src + ((<usize>p * h * w) << 2);
    for (let y = 0; y < h; y++) {
      let any = i32x4.splat(0);
      let x = 0;
      for (; x < wv; x += 4, q += 16) {
        const m = f32x4.ne(v128.load(q), zero);
        const cp = cols + (<usize>x << 2);
        v128.store(cp, v128.or(v128.load(cp), m));
        any = v128.or(any, m);
      }
      let rowAny = v128.any_true(any);
      for (; x < w; x++, q += 4) {
        if (load<f32>(q) != 0 || isNaN(load<f32>(q))) {
          store<i32>(cols + (<usize>x << 2), -1);
          rowAny = true;
        }
      }
      if (rowAny) store<i32>(rows + (<usize>y << 2), -1);
    }
    p++;
    let all = true;
    for (let y = 0; y < h && all; y++) all = load<i32>(rows + (<usize>y << 2)) != 0;
    for (let x = 0; x < w && all; x++) all = load<i32>(cols + (<usize>x << 2)) != 0;
    if (all) break;
  }
  return p;
}
