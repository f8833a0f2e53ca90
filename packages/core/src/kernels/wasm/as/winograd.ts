// Winograd F(4×4, 3×3) for 3×3, stride-1, undilated convolutions (Lavin & Gray 2016): a 4×4 output
// tile Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A from a 6×6 input tile d and a 3×3 filter g. Summed over input
// channels, the element-wise products become 36 independent GEMMs (one per transform point ξ):
//   M[ξ][o][t] = Σ_c U[ξ][o][c] · V[ξ][c][t],   U = G g Gᵀ (weights),  V = Bᵀ d B (input tiles).
// 36 multiplies per 16 outputs instead of 144: a quarter of the direct convolution's.
//
// Input: read in place from the operand's strided block (prep fields X, SIMG, SCH, SROW, H, W, FY, FX,
// PT, PL; columns contiguous): the 6 columns b of 4 horizontally adjacent tiles (lanes) come from 5
// loads of 4 columns transposed in registers, zero outside the block (padding, a lattice's zero border).
// Every transform runs on 4 tiles at once. Work units are (image, row of tiles, block of TBLK tiles
// along it); each unit transforms its tiles (all channels) into a per-thread scratch slot, runs the 36
// GEMMs there and transforms the results into the output, so V and M stay in the core's caches.
import * as L from './layout';
import { madd } from './madd';
import { storeLanes } from './tiles';

@inline export function field(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

/** Bytes added to every plane of transform points in the scratch (see winoRun). */
export const PAD: usize = 64;

@inline export function k4(v: f32): v128 {
  return f32x4.splat(v);
}

// ---- the three transforms (1-D; applied to columns, then rows) ----

/** Bᵀ·(d0 … d5) → 6 values stored ds bytes apart. */
@inline export function bt6(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, dst: usize, ds: usize): void {
  const four = k4(4), m4 = k4(-4), m5 = k4(-5), two = k4(2), m2 = k4(-2);
  v128.store(dst, madd(d2, m5, madd(d0, four, d4)));
  v128.store(dst + ds, madd(f32x4.add(d1, d2), m4, f32x4.add(d3, d4)));
  v128.store(dst + 2 * ds, madd(f32x4.sub(d1, d2), four, f32x4.sub(d4, d3)));
  const e = f32x4.sub(d4, d2), f = f32x4.sub(d3, d1);
  v128.store(dst + 3 * ds, madd(f, two, e));
  v128.store(dst + 4 * ds, madd(f, m2, e));
  v128.store(dst + 5 * ds, madd(d3, m5, madd(d1, four, d5)));
}

/** G·(g0, g1, g2) → 6 values stored ds bytes apart. */
@inline function gt3(g0: v128, g1: v128, g2: v128, dst: usize, ds: usize): void {
  const s = f32x4.add(g0, g2);
  v128.store(dst, f32x4.mul(g0, k4(0.25)));
  v128.store(dst + ds, f32x4.mul(f32x4.add(s, g1), k4(-1.0 / 6)));
  v128.store(dst + 2 * ds, f32x4.mul(f32x4.sub(s, g1), k4(-1.0 / 6)));
  const q = madd(g2, k4(4), g0);
  v128.store(dst + 3 * ds, f32x4.mul(madd(g1, k4(2), q), k4(1.0 / 24)));
  v128.store(dst + 4 * ds, f32x4.mul(madd(g1, k4(-2), q), k4(1.0 / 24)));
  v128.store(dst + 5 * ds, g2);
}

/** Lanes of columns c … c + 3 that lie in [0, w): all ones, else zero. */
@inline export function colMask(c: i32, w: i32): v128 {
  return i32x4.lt_u(i32x4.add(i32x4.splat(c), i32x4(0, 1, 2, 3)), i32x4.splat(w));
}

/**
 * Byte offset of the load of columns c … c + 3 of a row: 4·c when any of them lies in [0, w) (then at
 * most 3 floats before or after the row are read, and masked away), else 0 (a load of the row's start,
 * masked away whole), so no load reaches far outside the operand.
 */
@inline export function colOffset(c: i32, w: i32): usize {
  return c > -4 && c < w ? <usize>(c << 2) : 0;
}

/**
 * Input tile transform of 4 horizontally adjacent tiles (lanes) of one channel, read straight from the
 * operand: source rows y0 … y0 + 5 of the plane (rows srow bytes apart, h rows; rows outside are zero),
 * source columns c + 4·lane + b, b < 6 (columns outside [0, w) are zero) → V[ξ] at dst + ξ·xs, through
 * the 36-vector scratch tmp. Per row, 5 loads of 4 columns (16 + 2 used) are transposed in registers into
 * the 6 column vectors of the 4 tiles (no padded, phase-split copy of the input is made).
 */
export function inputTiles(plane: usize, y0: i32, h: i32, srow: usize, c: i32, w: i32, tmp: usize, dst: usize, xs: usize): void {
  const m0 = colMask(c, w), m1 = colMask(c + 4, w), m2 = colMask(c + 8, w), m3 = colMask(c + 12, w), m4 = colMask(c + 16, w);
  const o0 = colOffset(c, w), o1 = colOffset(c + 4, w), o2 = colOffset(c + 8, w), o3 = colOffset(c + 12, w), o4 = colOffset(c + 16, w);
  const zero = k4(0);
  // column pass over the 6 rows: tmp[a][k] = Σ_b d[a][b] Bᵀ[k][b]
  for (let a = 0; a < 6; a++) {
    const t = tmp + <usize>a * 96, y = y0 + a;
    if (<u32>y >= <u32>h) {
      for (let k = 0; k < 6; k++) v128.store(t + (<usize>k << 4), zero);
      continue;
    }
    const r = plane + <usize>y * srow;
    const v0 = v128.and(v128.load(r + o0), m0), v1 = v128.and(v128.load(r + o1), m1);
    const v2 = v128.and(v128.load(r + o2), m2), v3 = v128.and(v128.load(r + o3), m3);
    const v4 = v128.and(v128.load(r + o4), m4);
    const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
    const p0 = v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), p1 = v128.shuffle<f32>(t0, t2, 2, 3, 6, 7);
    const p2 = v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), p3 = v128.shuffle<f32>(t1, t3, 2, 3, 6, 7);
    // columns 4 and 5 of tile `lane` are columns 0 and 1 of the tile one lane on
    bt6(p0, p1, p2, p3, v128.shuffle<f32>(p0, v4, 1, 2, 3, 4), v128.shuffle<f32>(p1, v4, 1, 2, 3, 5), t, 16);
  }
  // row pass: V[(i, k)] = Σ_a Bᵀ[i][a] tmp[a][k]
  for (let k = 0; k < 6; k++) {
    const t = tmp + (<usize>k << 4);
    bt6(v128.load(t), v128.load(t, 96), v128.load(t, 192), v128.load(t, 288), v128.load(t, 384), v128.load(t, 480),
      dst + <usize>k * xs, 6 * xs);
  }
}

/** Aᵀ·(m0 … m5) → 4 values stored ds bytes apart. */
@inline function at6(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, dst: usize, ds: usize): void {
  const a = f32x4.add(m1, m2), b = f32x4.sub(m1, m2), c = f32x4.add(m3, m4), e = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, a), c));
  v128.store(dst + ds, madd(e, k4(2), b));
  v128.store(dst + 2 * ds, madd(c, k4(4), a));
  v128.store(dst + 3 * ds, f32x4.add(madd(e, k4(8), b), m5));
}

// ---- weights: U[ξ][og][c][lane] = (G g Gᵀ)[ξ] of filter (o = 4·og + lane, c); zero for o ≥ O ----

export function winoFilterUnits(d: usize): i32 {
  return (field(d, L.O) + 3) >> 2;
}

/** Units are groups of 4 output channels. The slot-0 scratch holds the 6×3 intermediate. */
export function winoFilterRun(d: usize, from: i32, to: i32): void {
  const o = field(d, L.O), c = field(d, L.CH), og = (o + 3) >> 2;
  const src = <usize>field(d, L.WSRC), u = <usize>field(d, L.WU);
  const tmp = <usize>field(d, L.SCR) + <usize>from * 288; // 18 v128 per unit, disjoint per unit
  for (let g = from; g < to; g++) {
    for (let ci = 0; ci < c; ci++) {
      // column pass: tmp[i][j] = Σ_k G[i][k] g[k][j]
      for (let j = 0; j < 3; j++) {
        let g0 = k4(0), g1 = g0, g2 = g0;
        for (let l = 0; l < 4; l++) {
          const oi = g * 4 + l;
          if (oi >= o) break;
          const p = src + ((<usize>(oi * c + ci) * 9 + j) << 2);
          g0 = setLane(g0, l, load<f32>(p));
          g1 = setLane(g1, l, load<f32>(p, 12));
          g2 = setLane(g2, l, load<f32>(p, 24));
        }
        gt3(g0, g1, g2, tmp + (<usize>j << 4), 48);
      }
      // row pass: U[i][k] = Σ_j tmp[i][j] G[k][j]
      const base = u + ((<usize>g * c + ci) << 4), xs = <usize>og * c << 4;
      for (let i = 0; i < 6; i++) {
        const r = tmp + <usize>i * 48;
        gt3(v128.load(r), v128.load(r, 16), v128.load(r, 32), base + <usize>(i * 6) * xs, xs);
      }
    }
  }
}

@inline function setLane(v: v128, l: i32, x: f32): v128 {
  if (l == 0) return f32x4.replace_lane(v, 0, x);
  if (l == 1) return f32x4.replace_lane(v, 1, x);
  if (l == 2) return f32x4.replace_lane(v, 2, x);
  return f32x4.replace_lane(v, 3, x);
}

// ---- scratch slots: one per running thread, claimed for the duration of a `run` call ----

export function claimSlot(lock: usize, slots: i32): i32 {
  while (true) {
    const m = atomic.load<i32>(lock);
    for (let s = 0; s < slots; s++) {
      if ((m & (1 << s)) != 0) continue;
      if (atomic.cmpxchg<i32>(lock, m, m | (1 << s)) == m) return s;
      break; // the mask changed: read it again
    }
  }
  return 0;
}

// ---- the convolution ----

export function winoUnits(d: usize): i32 {
  const tw = field(d, L.TW), blk = field(d, L.TBLK);
  return field(d, L.N) * field(d, L.TH) * ((tw + blk - 1) / blk);
}

export function winoRun(d: usize, from: i32, to: i32): void {
  const c = field(d, L.CH), o = field(d, L.O), oh = field(d, L.OH), ow = field(d, L.OW);
  const th = field(d, L.TH), tw = field(d, L.TW), blk = field(d, L.TBLK);
  const blocks = (tw + blk - 1) / blk, per = th * blocks;
  const og = (o + 3) >> 2, op = og << 2;
  const lock = <usize>field(d, L.LOCK);
  const slot = claimSlot(lock, field(d, L.SLOTS));
  const tmp = <usize>field(d, L.SCR) + <usize>slot * <usize>field(d, L.SCRB);
  // planes of transform points are PAD bytes longer than their rows, so that the 36 streams written
  // together do not share cache sets
  const vbuf = tmp + 576, mbuf = vbuf + 36 * ((<usize>(c * blk) << 2) + PAD);
  const u = <usize>field(d, L.WU);
  // the operand: element (n, c, a, b) at X + n·SIMG + c·SCH + a·SROW + 4b, at virtual row FY + a, column FX + b
  const x = <usize>field(d, L.X), simg = <usize>field(d, L.SIMG), sch = <usize>field(d, L.SCH), srow = <usize>field(d, L.SROW);
  const h = field(d, L.H), w = field(d, L.W);
  const dy = field(d, L.PT) + field(d, L.FY), dx = field(d, L.PL) + field(d, L.FX);
  const out = <usize>field(d, L.OUT), oimg = <usize>field(d, L.OIMG), och = <usize>field(d, L.OCH);
  const orow = <usize>field(d, L.OROW), ocs = <usize>field(d, L.OCS);
  const bias = <usize>field(d, L.BIAS), accum = field(d, L.ACC) != 0, plain = ocs == 4 && !accum;
  const doneAt = <usize>field(d, L.DONE_AT);
  // x − x is +0 for finite x, NaN for NaN and ±∞: OR-ed over every output computed, non-zero when one is not
  // finite (a NaN or ∞ operand, or an overflow in the transforms); the caller then runs the direct kernel,
  // which limits a NaN or ∞ to the outputs whose window holds it instead of spreading it over a whole tile
  let bad = k4(0);
  const ready = <usize>field(d, L.READY);
  for (let un = from; un < to; un++) {
    const n = un / per, rest = un - n * per, ty = rest / blocks, t0 = (rest - ty * blocks) * blk;
    // image n may still be on its way in: the caller publishes each image after copying it (a few µs each)
    if (ready) while (atomic.load<i32>(ready) <= n) {}
    const tcount = tw - t0 < blk ? tw - t0 : blk, tq = (tcount + 3) & ~3;
    const tqB = <usize>tq << 2;

    // input transform: V[ξ][c][t] for the unit's tiles, 4 at a time
    const img = x + <usize>n * simg, y0 = 4 * ty - dy;
    const vxs = <usize>c * tqB + PAD; // bytes between transform points
    for (let ci = 0; ci < c; ci++) {
      const plane = img + <usize>ci * sch;
      for (let j = 0; j < tq; j += 4) {
        inputTiles(plane, y0, h, srow, 4 * (t0 + j) - dx, w, tmp, vbuf + <usize>ci * tqB + (<usize>j << 2), vxs);
      }
    }

    // 36 GEMMs: M[ξ][o][t] = Σ_c U[ξ][o][c] V[ξ][c][t], 4 output channels × 8 (or 4) tiles per register tile
    const mxs = <usize>op * tqB + PAD;
    for (let x = 0; x < 36; x++) {
      const vx = vbuf + <usize>x * vxs, mx = mbuf + <usize>x * mxs;
      for (let g = 0; g < og; g++) {
        const ua = u + ((<usize>(x * og + g) * c) << 4);
        const mg = mx + <usize>(g * 4) * tqB;
        let j = 0;
        for (; j + 8 <= tq; j += 8) gemm4x8(ua, vx + (<usize>j << 2), tqB, c, mg + (<usize>j << 2), tqB);
        if (j < tq) gemm4x4(ua, vx + (<usize>j << 2), tqB, c, mg + (<usize>j << 2), tqB);
      }
    }

    // output transform: Y = Aᵀ M A for 4 tiles at a time, transposed to rows of pixels
    const yRows = oh - 4 * ty < 4 ? oh - 4 * ty : 4;
    for (let oi = 0; oi < o; oi++) {
      const bv = bias ? v128.load32_splat(bias + (<usize>oi << 2)) : k4(0);
      const dst = out + <usize>n * oimg + <usize>oi * och + <usize>(4 * ty) * orow;
      for (let j = 0; j < tcount; j += 4) {
        const m = mbuf + <usize>oi * tqB + (<usize>j << 2);
        // column pass: tmp[r][k] = Σ_i Aᵀ[r][i] M[(i, k)]
        for (let k = 0; k < 6; k++) {
          const p = m + <usize>k * mxs;
          const s: usize = 6 * mxs;
          at6(v128.load(p), v128.load(p + s), v128.load(p + 2 * s), v128.load(p + 3 * s), v128.load(p + 4 * s), v128.load(p + 5 * s),
            tmp + (<usize>k << 4), 96);
        }
        // row pass: Y[r][s] = Σ_k tmp[r][k] A[k][s] (+ bias), in registers
        const lanes = tcount - j < 4 ? tcount - j : 4;
        const x0 = 4 * (t0 + j);
        // 4 whole tiles in a plain output row: 16 contiguous pixels, 4 stores
        const whole = plain && lanes == 4 && x0 + 16 <= ow;
        for (let r = 0; r < yRows; r++) {
          const t = tmp + <usize>r * 96;
          const m0 = v128.load(t), m1 = v128.load(t, 16), m2 = v128.load(t, 32), m3 = v128.load(t, 48), m4 = v128.load(t, 64), m5 = v128.load(t, 80);
          const pa = f32x4.add(m1, m2), pb = f32x4.sub(m1, m2), pc = f32x4.add(m3, m4), pe = f32x4.sub(m3, m4);
          const s0 = f32x4.add(f32x4.add(f32x4.add(m0, pa), pc), bv), s1 = f32x4.add(madd(pe, k4(2), pb), bv);
          const s2 = f32x4.add(madd(pc, k4(4), pa), bv), s3 = f32x4.add(f32x4.add(madd(pe, k4(8), pb), m5), bv);
          bad = v128.or(bad, v128.or(v128.or(f32x4.sub(s0, s0), f32x4.sub(s1, s1)), v128.or(f32x4.sub(s2, s2), f32x4.sub(s3, s3))));
          // transpose: lanes were tiles, now columns of one tile
          const a0 = v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), a1 = v128.shuffle<f32>(s0, s1, 2, 6, 3, 7);
          const a2 = v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), a3 = v128.shuffle<f32>(s2, s3, 2, 6, 3, 7);
          const q0 = v128.shuffle<f32>(a0, a2, 0, 1, 4, 5), q1 = v128.shuffle<f32>(a0, a2, 2, 3, 6, 7);
          const q2 = v128.shuffle<f32>(a1, a3, 0, 1, 4, 5), q3 = v128.shuffle<f32>(a1, a3, 2, 3, 6, 7);
          const row = dst + <usize>r * orow;
          if (whole) {
            const p = row + (<usize>x0 << 2);
            v128.store(p, q0);
            v128.store(p, q1, 16);
            v128.store(p, q2, 32);
            v128.store(p, q3, 48);
            continue;
          }
          storeTile(row, x0, ow, ocs, q0, accum);
          if (lanes > 1) storeTile(row, x0 + 4, ow, ocs, q1, accum);
          if (lanes > 2) storeTile(row, x0 + 8, ow, ocs, q2, accum);
          if (lanes > 3) storeTile(row, x0 + 12, ow, ocs, q3, accum);
        }
      }
    }
    // image n's outputs of this unit are written (seq-cst: a reader that sees the count sees them)
    if (doneAt) atomic.add<i32>(doneAt + (<usize>n << 2), 1);
  }
  if (v128.any_true(bad)) atomic.store<i32>(<usize>field(d, L.FIN), 1);
  atomic.and<i32>(lock, ~(1 << slot));
}

/** The 4 pixels of one tile row at column x0 (fewer at the right edge). */
@inline function storeTile(row: usize, x0: i32, ow: i32, ocs: usize, v: v128, accum: bool): void {
  const lanes = ow - x0 < 4 ? ow - x0 : 4;
  storeLanes(row + <usize>x0 * ocs, v, lanes, accum, ocs);
}

/**
 * C[r][0..8) = Σ_k A[k][r] · B[k][0..8) for 4 rows r (A packed [k][4]); rows of B and C ldb/ldc bytes apart.
 * tiles.ts's tile4x8 computes the same through a row-offset table, with bias and partial stores: used
 * here instead, the forward took 2.4–2.7 → 3.0 ms (one thread, bench case c), so the plain-stride copy stays.
 */
function gemm4x8(a: usize, b: usize, ldb: usize, k: i32, c: usize, ldc: usize): void {
  let c00 = k4(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let i = 0; i < k; i++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
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
    b += ldb;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  c += ldc;
  v128.store(c, c10);
  v128.store(c, c11, 16);
  c += ldc;
  v128.store(c, c20);
  v128.store(c, c21, 16);
  c += ldc;
  v128.store(c, c30);
  v128.store(c, c31, 16);
}

function gemm4x4(a: usize, b: usize, ldb: usize, k: i32, c: usize, ldc: usize): void {
  let c0 = k4(0), c1 = c0, c2 = c0, c3 = c0;
  for (let i = 0; i < k; i++) {
    const b0 = v128.load(b);
    c0 = madd(v128.load32_splat(a), b0, c0);
    c1 = madd(v128.load32_splat(a, 4), b0, c1);
    c2 = madd(v128.load32_splat(a, 8), b0, c2);
    c3 = madd(v128.load32_splat(a, 12), b0, c3);
    a += 16;
    b += ldb;
  }
  v128.store(c, c0);
  v128.store(c + ldc, c1);
  v128.store(c + 2 * ldc, c2);
  v128.store(c + 3 * ldc, c3);
}
