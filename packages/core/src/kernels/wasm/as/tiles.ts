// Register tiles of the "wide" product C += A·B, vectorised along a row of B and C (4 floats per v128).
// A is packed so that one step of k reads the rows of the tile next to each other (4-row tile: [k][4]);
// its entries are broadcast (splat). Row k of B starts at b + off[k] (byte offsets from a table), so the
// same tile serves a plain GEMM (off[k] = k·ldb) and a convolution reading its padded input in place
// (an implicit im2col: off[k] locates channel c, kernel row ki and column kj).
// Multiply-adds go through madd (fused in the relaxed-SIMD build, see madd.ts).
import { madd } from './madd';

/**
 * Writes the first `lanes` (≤ 4 meaningful) floats of v to p, p + cs, p + 2cs, … (cs bytes apart; 4 is
 * contiguous), adding what is there when accumulating.
 */
@inline
export function storeLanes(p: usize, v: v128, lanes: i32, accum: bool, cs: usize): void {
  if (lanes <= 0) return;
  if (cs == 4) {
    if (accum) v = f32x4.add(v, v128.load(p));
    if (lanes >= 4) {
      v128.store(p, v);
      return;
    }
    store<f32>(p, f32x4.extract_lane(v, 0));
    if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
    if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0) + (accum ? load<f32>(p) : 0));
  if (lanes > 1) store<f32>(p + cs, f32x4.extract_lane(v, 1) + (accum ? load<f32>(p + cs) : 0));
  if (lanes > 2) store<f32>(p + 2 * cs, f32x4.extract_lane(v, 2) + (accum ? load<f32>(p + 2 * cs) : 0));
  if (lanes > 3) store<f32>(p + 3 * cs, f32x4.extract_lane(v, 3) + (accum ? load<f32>(p + 3 * cs) : 0));
}

@inline
function biasOf(bias: usize, r: i32): v128 {
  return bias ? v128.load32_splat(bias + (<usize>r << 2)) : f32x4.splat(0);
}

/**
 * 4 rows × 8 columns: 8 accumulators. `lanes` ≤ 8 columns are stored; rows of C are ldc bytes apart,
 * columns cs bytes apart.
 */
export function tile4x8(a: usize, b: usize, off: usize, k: i32, c: usize, ldc: usize, cs: usize, lanes: i32, bias: usize, accum: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let i = 0; i < k; i++) {
    const p = b + <usize>load<i32>(off);
    const b0 = v128.load(p), b1 = v128.load(p, 16);
    const a0 = v128.load32_splat(a), a1 = v128.load32_splat(a, 4), a2 = v128.load32_splat(a, 8), a3 = v128.load32_splat(a, 12);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    a += 16;
    off += 4;
  }
  const l0 = lanes < 4 ? lanes : 4, l1 = lanes - 4;
  let bv = biasOf(bias, 0);
  storeLanes(c, f32x4.add(c00, bv), l0, accum, cs);
  storeLanes(c + 4 * cs, f32x4.add(c01, bv), l1, accum, cs);
  c += ldc;
  bv = biasOf(bias, 1);
  storeLanes(c, f32x4.add(c10, bv), l0, accum, cs);
  storeLanes(c + 4 * cs, f32x4.add(c11, bv), l1, accum, cs);
  c += ldc;
  bv = biasOf(bias, 2);
  storeLanes(c, f32x4.add(c20, bv), l0, accum, cs);
  storeLanes(c + 4 * cs, f32x4.add(c21, bv), l1, accum, cs);
  c += ldc;
  bv = biasOf(bias, 3);
  storeLanes(c, f32x4.add(c30, bv), l0, accum, cs);
  storeLanes(c + 4 * cs, f32x4.add(c31, bv), l1, accum, cs);
}

/** 4 rows × 4 columns, for a row tail of ≤ 4 columns. */
export function tile4x4(a: usize, b: usize, off: usize, k: i32, c: usize, ldc: usize, cs: usize, lanes: i32, bias: usize, accum: bool): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  for (let i = 0; i < k; i++) {
    const b0 = v128.load(b + <usize>load<i32>(off));
    c0 = madd(v128.load32_splat(a), b0, c0);
    c1 = madd(v128.load32_splat(a, 4), b0, c1);
    c2 = madd(v128.load32_splat(a, 8), b0, c2);
    c3 = madd(v128.load32_splat(a, 12), b0, c3);
    a += 16;
    off += 4;
  }
  storeLanes(c, f32x4.add(c0, biasOf(bias, 0)), lanes, accum, cs);
  storeLanes(c + ldc, f32x4.add(c1, biasOf(bias, 1)), lanes, accum, cs);
  storeLanes(c + 2 * ldc, f32x4.add(c2, biasOf(bias, 2)), lanes, accum, cs);
  storeLanes(c + 3 * ldc, f32x4.add(c3, biasOf(bias, 3)), lanes, accum, cs);
}

/**
 * 4 rows × 1 column, vectorised over the rows instead: the packed A already holds the 4 rows of a step
 * side by side. For the last one or two columns of a row, where a 4-wide tile would waste most lanes.
 */
export function tile4x1(a: usize, b: usize, off: usize, k: i32, c: usize, ldc: usize, bias: usize, accum: bool): void {
  // four partial sums over k: one accumulator would wait on the latency of every add
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  const k4 = k & ~3;
  let i = 0;
  for (; i < k4; i += 4) {
    s0 = madd(v128.load(a), v128.load32_splat(b + <usize>load<i32>(off)), s0);
    s1 = madd(v128.load(a, 16), v128.load32_splat(b + <usize>load<i32>(off, 4)), s1);
    s2 = madd(v128.load(a, 32), v128.load32_splat(b + <usize>load<i32>(off, 8)), s2);
    s3 = madd(v128.load(a, 48), v128.load32_splat(b + <usize>load<i32>(off, 12)), s3);
    a += 64;
    off += 16;
  }
  for (; i < k; i++) {
    s0 = madd(v128.load(a), v128.load32_splat(b + <usize>load<i32>(off)), s0);
    a += 16;
    off += 4;
  }
  let s = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
  if (bias) s = f32x4.add(s, v128.load(bias));
  store<f32>(c, f32x4.extract_lane(s, 0) + (accum ? load<f32>(c) : 0));
  store<f32>(c + ldc, f32x4.extract_lane(s, 1) + (accum ? load<f32>(c + ldc) : 0));
  store<f32>(c + 2 * ldc, f32x4.extract_lane(s, 2) + (accum ? load<f32>(c + 2 * ldc) : 0));
  store<f32>(c + 3 * ldc, f32x4.extract_lane(s, 3) + (accum ? load<f32>(c + 3 * ldc) : 0));
}

/** 1 row × 16 columns (A is a plain row [k]), for row counts that are not a multiple of 4. */
export function tile1x16(a: usize, b: usize, off: usize, k: i32, c: usize, cs: usize, lanes: i32, bias: usize, accum: bool): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  for (let i = 0; i < k; i++) {
    const p = b + <usize>load<i32>(off);
    const av = v128.load32_splat(a);
    c0 = madd(av, v128.load(p), c0);
    c1 = madd(av, v128.load(p, 16), c1);
    c2 = madd(av, v128.load(p, 32), c2);
    c3 = madd(av, v128.load(p, 48), c3);
    a += 4;
    off += 4;
  }
  const bv = biasOf(bias, 0);
  storeLanes(c, f32x4.add(c0, bv), lanes, accum, cs);
  storeLanes(c + 4 * cs, f32x4.add(c1, bv), lanes - 4, accum, cs);
  storeLanes(c + 8 * cs, f32x4.add(c2, bv), lanes - 8, accum, cs);
  storeLanes(c + 12 * cs, f32x4.add(c3, bv), lanes - 12, accum, cs);
}
