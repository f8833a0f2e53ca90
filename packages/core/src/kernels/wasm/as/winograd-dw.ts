// Winograd F(4×4, 3×3) run backwards for a weight gradient: a stride-1 conv whose output is 3×3 and
// whose kernel is large (the chapter's dW = X ⋆ δ, eq. 11: the delta is the kernel, batch and channels
// swapped). With y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for a 4×4 output tile, the gradient of Σ δ·y with respect
// to g is Gᵀ[(A δ Aᵀ) ⊙ (Bᵀ d B)]G: tile the kernel (δ) in 4×4 blocks, read the 6×6 input patch
// under each, and sum over the kernel's channels and tiles before one final Gᵀ·G per output:
//   S[ξ][n][o] = Σ_{c, t} V[ξ][n][c, t] · D[ξ][o][c, t],   V = Bᵀ d B,  D = A δ Aᵀ,   out[n][o] = Gᵀ S G.
// Both operands are read in place, 4 horizontally adjacent tiles as one vector (columns transposed in
// registers, zero outside the blocks: winograd.ts's inputTiles for the input). Units are (kernel channels, block of tile rows): a unit transforms its tiles of every input
// image and every kernel into a per-thread scratch slot and writes its partial S to its own place;
// the final job adds the units' partials in unit order, so the result does not depend on the threads.
import * as L from './layout';
import { madd } from './madd';
import { claimSlot, colMask, colOffset, field, inputTiles, k4, PAD } from './winograd';

/** A·(y0 … y3) → 6 values stored ds bytes apart (A = (Aᵀ)ᵀ, 6×4). */
@inline function a4(y0: v128, y1: v128, y2: v128, y3: v128, dst: usize, ds: usize): void {
  const e = f32x4.add(y0, y2), f = f32x4.add(y1, y3);
  const g = madd(y2, k4(4), y0), h = f32x4.mul(madd(y3, k4(4), y1), k4(2));
  v128.store(dst, y0);
  v128.store(dst + ds, f32x4.add(e, f));
  v128.store(dst + 2 * ds, f32x4.sub(e, f));
  v128.store(dst + 3 * ds, f32x4.add(g, h));
  v128.store(dst + 4 * ds, f32x4.sub(g, h));
  v128.store(dst + 5 * ds, y3);
}

/** Blocks of tile rows of the kernel (a unit takes CBLK channels of one block, or TBLK rows of one channel). */
@inline function blocksOf(d: usize): i32 {
  const th = field(d, L.TH), rb = field(d, L.TBLK);
  return (th + rb - 1) / rb;
}

export function winoDwUnits(d: usize): i32 {
  const cb = field(d, L.CBLK);
  return (field(d, L.CH) + cb - 1) / cb * blocksOf(d);
}

export function winoDwRun(d: usize, from: i32, to: i32): void {
  const n = field(d, L.N), c = field(d, L.CH), o = field(d, L.O);
  const th = field(d, L.TH), tq = field(d, L.TW), rb = field(d, L.TBLK), blocks = blocksOf(d), cb = field(d, L.CBLK);
  const np = (n + 3) & ~3, opad = (o + 1) & ~1;
  const lock = <usize>field(d, L.LOCK);
  const slot = claimSlot(lock, field(d, L.SLOTS));
  const tmp = <usize>field(d, L.SCR) + <usize>slot * <usize>field(d, L.SCRB);
  const kb = cb * rb * tq; // tiles (k) per unit at most
  // planes of transform points are PAD bytes longer than their rows, so that the 36 streams written
  // together do not share cache sets (a 4 KiB multiple would alias in L1)
  const vbuf = tmp + 576, dbuf = vbuf + 36 * ((<usize>(np * kb) << 2) + PAD);
  // the input: element (n, c, a, b) at X + n·SIMG + c·SCH + a·SROW + 4b, at virtual row FY + a, column FX + b
  const x = <usize>field(d, L.X), simg = <usize>field(d, L.SIMG), sch = <usize>field(d, L.SCH), srow = <usize>field(d, L.SROW);
  const h = field(d, L.H), w = field(d, L.W);
  const dy = field(d, L.PT) + field(d, L.FY), dx = field(d, L.PL) + field(d, L.FX);
  // the kernel: element (o, c, a, b) at WB + o·WKO + c·WKC + a·4·WKW + 4b
  const wb = <usize>field(d, L.WB), wko = <usize>field(d, L.WKO), wkc = <usize>field(d, L.WKC);
  const kh = field(d, L.WKH), kw = field(d, L.WKW), krow = <usize>kw << 2;
  const zero = k4(0);
  const part = <usize>field(d, L.WU), partB = <usize>(36 * n * o) << 2;
  for (let u = from; u < to; u++) {
    const cg = u / blocks, r0 = (u - cg * blocks) * rb, c0 = cg * cb;
    const rows = th - r0 < rb ? th - r0 : rb, cn = c - c0 < cb ? c - c0 : cb;
    const k = cn * rows * tq, kB = <usize>k << 2;
    const vxs = <usize>np * kB + PAD, dxs = <usize>opad * kB + PAD;
    for (let cc = 0; cc < cn; cc++) {
      const ci = c0 + cc;
      // V[ξ][n][t]: input patches of every image
      for (let ni = 0; ni < n; ni++) {
        const plane = x + <usize>ni * simg + <usize>ci * sch;
        for (let r = 0; r < rows; r++) {
          const y0 = 4 * (r0 + r) - dy, t = (cc * rows + r) * tq;
          for (let j = 0; j < tq; j += 4) {
            inputTiles(plane, y0, h, srow, 4 * j - dx, w, tmp, vbuf + <usize>ni * kB + (<usize>(t + j) << 2), vxs);
          }
        }
      }
      // D[ξ][o][t] = A δ Aᵀ of every kernel's tiles
      for (let oi = 0; oi < o; oi++) {
        const plane = wb + <usize>oi * wko + <usize>ci * wkc;
        for (let r = 0; r < rows; r++) {
          const t = (cc * rows + r) * tq;
          for (let j = 0; j < tq; j += 4) {
            // columns 4j … 4j + 15 (4 tiles), zero from kw on
            const col = 4 * j;
            const m0 = colMask(col, kw), m1 = colMask(col + 4, kw), m2 = colMask(col + 8, kw), m3 = colMask(col + 12, kw);
            const o0 = colOffset(col, kw), o1 = colOffset(col + 4, kw), o2 = colOffset(col + 8, kw), o3 = colOffset(col + 12, kw);
            // column pass: tmp[rr][k] = Σ_s δ[rr][s] A[k][s]
            for (let rr = 0; rr < 4; rr++) {
              const ky = 4 * (r0 + r) + rr, dst = tmp + <usize>rr * 96;
              if (ky >= kh) {
                for (let q = 0; q < 6; q++) v128.store(dst + (<usize>q << 4), zero);
                continue;
              }
              const p = plane + <usize>ky * krow;
              const v0 = v128.and(v128.load(p + o0), m0), v1 = v128.and(v128.load(p + o1), m1);
              const v2 = v128.and(v128.load(p + o2), m2), v3 = v128.and(v128.load(p + o3), m3);
              // transpose: lane = tile, vector s = column s of each tile
              const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
              const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
              a4(v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), v128.shuffle<f32>(t0, t2, 2, 3, 6, 7),
                v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), dst, 16);
            }
            const dst = dbuf + <usize>oi * kB + (<usize>(t + j) << 2);
            for (let kk = 0; kk < 6; kk++) {
              const q = tmp + (<usize>kk << 4);
              a4(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), dst + <usize>kk * dxs, 6 * dxs);
            }
          }
        }
      }
    }
    // partial S[ξ][n][o] of this unit: 4 images × 2 kernels per register tile, vectors along t
    const out = part + <usize>u * partB;
    for (let x = 0; x < 36; x++) {
      const vx = vbuf + <usize>x * vxs, dx = dbuf + <usize>x * dxs, sx = out + (<usize>(x * n * o) << 2);
      for (let ni = 0; ni < np; ni += 4) {
        for (let oi = 0; oi < opad; oi += 2) {
          dot4x2(vx + <usize>ni * kB, dx + <usize>oi * kB, kB, k, sx, ni, oi, n, o);
        }
      }
    }
  }
  atomic.and<i32>(lock, ~(1 << slot));
}

/** Σ of the 4 lanes of a, b, c, e as the 4 lanes of one vector. */
@inline function hsum4(a: v128, b: v128, c: v128, e: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7)); // a0+a2 b0+b2 a1+a3 b1+b3
  const ce = f32x4.add(v128.shuffle<f32>(c, e, 0, 4, 1, 5), v128.shuffle<f32>(c, e, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, ce, 0, 1, 4, 5), v128.shuffle<f32>(ab, ce, 2, 3, 6, 7)); // Σa Σb Σc Σe
}

/**
 * S[n0 + a][o0 + b] = Σ_t V[a][t] · D[b][t] for a < 4, b < 2 (rows kB bytes apart, k floats, a multiple
 * of 4), stored where n0 + a < n and o0 + b < o.
 */
function dot4x2(v: usize, dd: usize, kB: usize, k: i32, s: usize, n0: i32, o0: i32, n: i32, o: i32): void {
  let c00 = k4(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let i = 0; i < k; i += 4) {
    const p = <usize>i << 2;
    const d0 = v128.load(dd + p), d1 = v128.load(dd + kB + p);
    const v0 = v128.load(v + p), v1 = v128.load(v + kB + p), v2 = v128.load(v + 2 * kB + p), v3 = v128.load(v + 3 * kB + p);
    c00 = madd(v0, d0, c00);
    c01 = madd(v0, d1, c01);
    c10 = madd(v1, d0, c10);
    c11 = madd(v1, d1, c11);
    c20 = madd(v2, d0, c20);
    c21 = madd(v2, d1, c21);
    c30 = madd(v3, d0, c30);
    c31 = madd(v3, d1, c31);
  }
  const e = hsum4(c00, c10, c20, c30), f = hsum4(c01, c11, c21, c31); // lanes: images n0 … n0 + 3
  const rows = n - n0 < 4 ? n - n0 : 4;
  const p0 = s + (<usize>(n0 * o + o0) << 2), ob = <usize>o << 2;
  store<f32>(p0, f32x4.extract_lane(e, 0));
  if (o0 + 1 < o) store<f32>(p0, f32x4.extract_lane(f, 0), 4);
  if (rows > 1) {
    store<f32>(p0 + ob, f32x4.extract_lane(e, 1));
    if (o0 + 1 < o) store<f32>(p0 + ob, f32x4.extract_lane(f, 1), 4);
  }
  if (rows > 2) {
    store<f32>(p0 + 2 * ob, f32x4.extract_lane(e, 2));
    if (o0 + 1 < o) store<f32>(p0 + 2 * ob, f32x4.extract_lane(f, 2), 4);
  }
  if (rows > 3) {
    store<f32>(p0 + 3 * ob, f32x4.extract_lane(e, 3));
    if (o0 + 1 < o) store<f32>(p0 + 3 * ob, f32x4.extract_lane(f, 3), 4);
  }
}

export function winoDwFinalUnits(d: usize): i32 {
  return field(d, L.N);
}

/** Gᵀ·(m0 … m5) → 3 values, scalar: reads m at src + i·step, writes dst + i·dstep (bytes). */
@inline function gt6(src: usize, step: usize, dst: usize, dstep: usize): void {
  const m0 = load<f32>(src), m1 = load<f32>(src + step), m2 = load<f32>(src + 2 * step);
  const m3 = load<f32>(src + 3 * step), m4 = load<f32>(src + 4 * step), m5 = load<f32>(src + 5 * step);
  const a = m1 + m2, b = m3 + m4;
  store<f32>(dst, 0.25 * m0 - a / 6 + b / 24);
  store<f32>(dst + dstep, (m2 - m1) / 6 + (m3 - m4) / 12);
  store<f32>(dst + 2 * dstep, (b - a) / 6 + m5);
}

/**
 * Units are images n: out[n][o] = Gᵀ (Σ_units S[ξ][n][o]) G (+ bias), for every kernel o. Unit n uses
 * 36·O + 32 floats of scratch at SCR + n·(36·O + 32)·4.
 */
export function winoDwFinalRun(d: usize, from: i32, to: i32): void {
  const n = field(d, L.N), o = field(d, L.O), units = winoDwUnits(d);
  const part = <usize>field(d, L.WU), partB = <usize>(36 * n * o) << 2;
  const out = <usize>field(d, L.OUT), oimg = <usize>field(d, L.OIMG), och = <usize>field(d, L.OCH);
  const orow = <usize>field(d, L.OROW), ocs = <usize>field(d, L.OCS), bias = <usize>field(d, L.BIAS);
  const ob = <usize>o << 2;
  let bad = false; // an output not finite (see winoRun): the caller runs the direct kernel instead
  for (let ni = from; ni < to; ni++) {
    const s = <usize>field(d, L.SCR) + <usize>ni * ((<usize>(36 * o + 32)) << 2), h = s + 36 * ob, z = h + 72; // S[ξ][o], 18 and 9 floats
    // S[ξ][·] = Σ_units, in unit order: rows of O floats, 4 at a time
    for (let x = 0; x < 36; x++) {
      const row = part + <usize>(x * n + ni) * ob, dst = s + <usize>x * ob;
      let j = 0;
      for (; j + 4 <= o; j += 4) {
        let p = row + (<usize>j << 2), acc = k4(0);
        for (let un = 0; un < units; un++, p += partB) acc = f32x4.add(acc, v128.load(p));
        v128.store(dst + (<usize>j << 2), acc);
      }
      for (; j < o; j++) {
        let p = row + (<usize>j << 2), acc: f32 = 0;
        for (let un = 0; un < units; un++, p += partB) acc += load<f32>(p);
        store<f32>(dst + (<usize>j << 2), acc);
      }
    }
    for (let oi = 0; oi < o; oi++) {
      const m = s + (<usize>oi << 2);
      for (let a = 0; a < 6; a++) gt6(m + <usize>(a * 6) * ob, ob, h + <usize>a * 12, 4); // along ξ's column index: h[a][j]
      for (let j = 0; j < 3; j++) gt6(h + (<usize>j << 2), 12, z + (<usize>j << 2), 12); // along its row index: z[i][j]
      const bv: f32 = bias ? load<f32>(bias + (<usize>oi << 2)) : 0;
      const dst = out + <usize>ni * oimg + <usize>oi * och;
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const v = load<f32>(z + (<usize>(i * 3 + j) << 2)) + bv;
          if (v - v != 0) bad = true;
          store<f32>(dst + <usize>i * orow + <usize>j * ocs, v);
        }
      }
    }
  }
  if (bad) atomic.store<i32>(<usize>field(d, L.FIN), 1);
}
