// The weight gradient of a conv whose output gradient δ is mostly zeros (after max pooling's backward,
// one value in four is non-zero; after a ReLU's, about half): dW = X ⋆ δ (eq. 11, batch and channels
// swapped: "images" n' = the conv's input channels, "channels" c' = the batch, kernel = δ) as a sum over
// δ's non-zeros only,
//   OUT[o][i][j][n'] = Σ_{(c', a, b): δ[o][c'][a][b] ≠ 0} δ[o][c'][a][b] · X[n'][c'][i·SH + a·DH − PT][j·SW + b·DW − PL],
// with X prepared channels-last (n' innermost, 16 per 64-byte line) so that one non-zero feeds 16 images ×
// 2 output columns from 8 vector loads. Products with δ's zeros are never formed (as the lattice skipping
// of the dense paths: only a non-finite X could tell, 0·∞ = NaN). Work units are (o, output row i, block
// of 16 images n'); each sums its non-zeros in (c', a, b) order, so any thread count gives the same result.
import { compact4, nonzeroMask } from './compact';
import { madd } from './madd';
import { storeTransposed4 } from './transpose';

@inline function field(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

// descriptor fields (i32; pointers and strides in bytes), written by ../sparse-dw.ts
const XCL = 0;  // X channels-last [C'][HP][WP][NP] (f32), zero outside the block
const NP = 1;   // images n' rounded up to 16
const HP = 2;
const WP = 3;
const NZ = 4;   // non-zeros: pairs (i32 byte offset of (c', a·DH, b·DW) in XCL, f32 value), grouped by o
const NZAT = 5; // i32[O + 1]: first pair of each o
const O = 6;
const OH = 7;
const OW = 8;
const SH = 9;
const SW = 10;
const OUT = 11; // [O][OH][OW][NP] (f32)

/**
 * True when a scan that has seen `seen` of `total` values, `count` of them non-zero, should give up before its
 * cap: past 4,096 values, a running density over twice the cap's (cap / total) means a dense block, whose
 * full scan up to the cap (up to half the block) would cost more than the check saves.
 */
// @ts-ignore: decorator
@inline
export function denseSoFar(count: i32, seen: i32, total: i32, cap: i32): bool {
  return seen >= 4096 && <i64>count * <i64>total > (<i64>cap * <i64>seen) << 1;
}

/**
 * Lists δ's non-zeros (NaN counts) per kernel o: δ (o, c', a, b) at w + o·wos + c'·wcs + a·4·kw + 4·b.
 * Returns their number, or −1 once it exceeds `cap` (the caller then keeps the dense kernel). Branch-free
 * (δ's zeros fall at random): 4 values at a time, the non-zeros' pairs are compacted to the front of two
 * vectors and all 4 slots written, and the count only moves past the non-zeros (the tail of a row: every
 * value written, the count moved past a non-zero), so nz needs room for cap + kw pairs.
 */
export function sparseList(w: usize, o: i32, c: i32, kh: i32, kw: i32, wos: i32, wcs: i32, dh: i32, dw: i32,
  hp: i32, wp: i32, np: i32, nz: usize, nzAt: usize, cap: i32): i32 {
  let count = 0, seen = 0;
  const total = o * c * kh * kw;
  const px = np << 2; // bytes per XCL position
  const dwpx = dw * px, lanes = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(dwpx));
  for (let k = 0; k < o; k++) {
    store<i32>(nzAt + (<usize>k << 2), count);
    for (let ci = 0; ci < c; ci++) {
      const plane = w + <usize>k * wos + <usize>ci * wcs;
      for (let a = 0; a < kh; a++) {
        const row = plane + (<usize>(a * kw) << 2);
        const at = (ci * hp + a * dh) * wp * px;
        // 4 values at a time: the non-zeros' (offset, value) pairs compacted to the front, 4 pairs stored
        let b = 0;
        for (; b + 4 <= kw; b += 4) {
          const v = v128.load(row + (<usize>b << 2));
          const m = nonzeroMask(v);
          const offs = compact4(i32x4.add(i32x4.splat(at + b * dwpx), lanes), m), vals = compact4(v, m);
          const q = nz + (<usize>count << 3);
          v128.store(q, v128.shuffle<i32>(offs, vals, 0, 4, 1, 5));
          v128.store(q, v128.shuffle<i32>(offs, vals, 2, 6, 3, 7), 16);
          count += <i32>popcnt(m);
        }
        for (; b < kw; b++) {
          const v = load<f32>(row + (<usize>b << 2));
          const q = nz + (<usize>count << 3);
          store<i32>(q, at + b * dwpx);
          store<f32>(q, v, 4);
          count += <i32>(v != 0);
        }
        seen += kw;
        if (count > cap || denseSoFar(count, seen, total, cap)) return -1;
      }
    }
  }
  store<i32>(nzAt + (<usize>o << 2), count);
  return count;
}

/**
 * X copied for the two forms, zero outside the block: element (n', c') at tensor row r − pt, column q − pl
 * goes to dst + n'·dN + c'·dC + r·dR + q·dQ (bytes; r < hp, q < wp), where block element (n', c', a, b)
 * at x + n'·s0 + c'·s1 + a·sRow + b·sCol sits at row fy + sy·a, column fx + sx·b. `bytes`: dst's size.
 */
export function sparsePrep(x: usize, n: i32, c: i32, h: i32, w: i32, s0: i32, s1: i32, sRow: i32, sCol: i32,
  fy: i32, sy: i32, fx: i32, sx: i32, pt: i32, pl: i32, hp: i32, wp: i32, dN: i32, dC: i32, dR: i32, dQ: i32, dst: usize, bytes: i32): void {
  memory.fill(dst, 0, <usize>bytes);
  // channels-last (images n' innermost) from contiguous columns: 4 images × 4 columns at a time, transposed in registers
  const cl = dN === 4 && sCol === 4 && sx === 1;
  // planes (columns innermost on both sides): whole row segments copied per image
  const rowCopy = !cl && dQ === 4 && sCol === 4 && sx === 1;
  const b0 = max(0, -(fx + pl)), b1 = min(w, wp - fx - pl); // columns whose q lies in [0, wp)
  for (let ci = 0; ci < c; ci++) {
    for (let a = 0; a < h; a++) {
      const r = fy + sy * a + pt;
      if (r < 0 || r >= hp) continue;
      if (rowCopy) {
        if (b1 > b0) {
          const to = dst + <usize>(ci * dC + r * dR + (fx + b0 + pl) * 4), from = x + <usize>(ci * s1 + a * sRow + (b0 << 2));
          for (let i = 0; i < n; i++) memory.copy(to + <usize>(i * dN), from + <usize>i * s0, <usize>(b1 - b0) << 2);
        }
        continue;
      }
      let b = 0;
      for (; cl && b + 4 <= w; b += 4) {
        const q = fx + b + pl;
        if (q < 0 || q + 3 >= wp) break;
        const to = dst + <usize>(ci * dC + r * dR + q * dQ);
        const from = x + <usize>(ci * s1 + a * sRow + (b << 2));
        let i = 0;
        for (; i + 4 <= n; i += 4) {
          const p = from + <usize>i * s0;
          const r0 = v128.load(p), r1 = v128.load(p + <usize>s0), r2 = v128.load(p + 2 * <usize>s0), r3 = v128.load(p + 3 * <usize>s0);
          storeTransposed4(r0, r1, r2, r3, to + (<usize>i << 2), <usize>dQ);
        }
        for (; i < n; i++) {
          const p = from + <usize>i * s0, o = to + (<usize>i << 2);
          for (let j = 0; j < 4; j++) store<f32>(o + <usize>(j * dQ), load<f32>(p + (<usize>j << 2)));
        }
      }
      for (; b < w; b++) {
        const q = fx + sx * b + pl;
        if (q < 0 || q >= wp) continue;
        const to = dst + <usize>(ci * dC + r * dR + q * dQ);
        const from = x + <usize>(ci * s1 + a * sRow + b * sCol);
        for (let i = 0; i < n; i++) store<f32>(to + <usize>(i * dN), load<f32>(from + <usize>i * s0));
      }
    }
  }
}

export function sparseDwUnits(d: usize): i32 {
  return field(d, O) * field(d, OH) * (field(d, NP) >> 4);
}

// A unit's tile: 16 images (4 vectors: one 64-byte line of XCL per position) × 2 output columns.
export function sparseDwRun(d: usize, from: i32, to: i32): void {
  const xcl = <usize>field(d, XCL), np = field(d, NP), wp = field(d, WP), oh = field(d, OH), ow = field(d, OW);
  const nz = <usize>field(d, NZ), nzAt = <usize>field(d, NZAT), sh = field(d, SH), sw = field(d, SW), out = <usize>field(d, OUT);
  const blocks = np >> 4, px = <usize>np << 2, step = <usize>sw * px; // bytes between output columns in XCL
  for (let u = from; u < to; u++) {
    const o = u / (oh * blocks), t = u - o * oh * blocks, i = t / blocks, blk = t - i * blocks;
    const z0 = load<i32>(nzAt + (<usize>o << 2)), z1 = load<i32>(nzAt + (<usize>o << 2), 4);
    const rowBase = xcl + <usize>(i * sh * wp) * px + (<usize>blk << 6);
    const outRow = out + (<usize>((o * oh + i) * ow) * px) + (<usize>blk << 6);
    let j = 0;
    for (; j + 2 <= ow; j += 2) {
      const base = rowBase + <usize>j * step;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
      for (let z = z0; z < z1; z++) {
        const q = nz + (<usize>z << 3);
        const p = base + <usize>load<i32>(q);
        const v = v128.load32_splat(q + 4);
        a0 = madd(v, v128.load(p), a0);
        a1 = madd(v, v128.load(p, 16), a1);
        a2 = madd(v, v128.load(p, 32), a2);
        a3 = madd(v, v128.load(p, 48), a3);
        b0 = madd(v, v128.load(p + step), b0);
        b1 = madd(v, v128.load(p + step, 16), b1);
        b2 = madd(v, v128.load(p + step, 32), b2);
        b3 = madd(v, v128.load(p + step, 48), b3);
      }
      const dst = outRow + <usize>j * px;
      v128.store(dst, a0);
      v128.store(dst, a1, 16);
      v128.store(dst, a2, 32);
      v128.store(dst, a3, 48);
      v128.store(dst + px, b0);
      v128.store(dst + px, b1, 16);
      v128.store(dst + px, b2, 32);
      v128.store(dst + px, b3, 48);
    }
    if (j < ow) {
      const base = rowBase + <usize>j * step;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (let z = z0; z < z1; z++) {
        const q = nz + (<usize>z << 3);
        const p = base + <usize>load<i32>(q);
        const v = v128.load32_splat(q + 4);
        a0 = madd(v, v128.load(p), a0);
        a1 = madd(v, v128.load(p, 16), a1);
        a2 = madd(v, v128.load(p, 32), a2);
        a3 = madd(v, v128.load(p, 48), a3);
      }
      const dst = outRow + <usize>j * px;
      v128.store(dst, a0);
      v128.store(dst, a1, 16);
      v128.store(dst, a2, 32);
      v128.store(dst, a3, 48);
    }
  }
}


// The same sum for few images n' (LeNet's conv1: one input channel), vectorised along output rows
// instead: X planes [n'][c'][HP][WR] (zero-padded, WR ≥ the last tap's column + 8), pairs from sparseList
// with np = 1 (offset of (c', a·DH, b·DW) in a plane stack), and OUT[n'][o][i][0..8) for rows i of a
// block of 4 (or 1): 8 accumulators, 8 loads per pair. Needs SW = 1 (an output row is contiguous in X).
const R_X = 0;    // X planes
const R_C = 1;    // c' (planes per image)
const R_HP = 2;
const R_WR = 3;
const R_NZ = 4;
const R_NZAT = 5;
const R_O = 6;
const R_OH = 7;
const R_SH = 8;
const R_N = 9;
const R_OUT = 10; // [n'][o][OH][8]

export function sparseDwRowsUnits(d: usize): i32 {
  const oh = field(d, R_OH);
  return field(d, R_N) * field(d, R_O) * ((oh >> 2) + (oh & 3));
}

export function sparseDwRowsRun(d: usize, from: i32, to: i32): void {
  const x = <usize>field(d, R_X), c = field(d, R_C), hp = field(d, R_HP), wr = field(d, R_WR), nz = <usize>field(d, R_NZ);
  const nzAt = <usize>field(d, R_NZAT), o = field(d, R_O), oh = field(d, R_OH), sh = field(d, R_SH), out = <usize>field(d, R_OUT);
  const full = oh >> 2, blocks = full + (oh & 3), row = <usize>(sh * wr) << 2, img = <usize>(c * hp * wr) << 2;
  for (let u = from; u < to; u++) {
    const n = u / (o * blocks), t = u - n * o * blocks, k = t / blocks, blk = t - k * blocks;
    const i = blk < full ? blk * 4 : full * 4 + (blk - full);
    const z0 = load<i32>(nzAt + (<usize>k << 2)), z1 = load<i32>(nzAt + (<usize>k << 2), 4);
    const base = x + <usize>n * img + <usize>i * row;
    const dst = out + ((<usize>((n * o + k) * oh + i)) << 5);
    if (blk < full) {
      let a0 = f32x4.splat(0), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
      for (let z = z0; z < z1; z++) {
        const q = nz + (<usize>z << 3);
        const p = base + <usize>load<i32>(q);
        const v = v128.load32_splat(q + 4);
        a0 = madd(v, v128.load(p), a0);
        a1 = madd(v, v128.load(p, 16), a1);
        b0 = madd(v, v128.load(p + row), b0);
        b1 = madd(v, v128.load(p + row, 16), b1);
        c0 = madd(v, v128.load(p + 2 * row), c0);
        c1 = madd(v, v128.load(p + 2 * row, 16), c1);
        e0 = madd(v, v128.load(p + 3 * row), e0);
        e1 = madd(v, v128.load(p + 3 * row, 16), e1);
      }
      v128.store(dst, a0);
      v128.store(dst, a1, 16);
      v128.store(dst, b0, 32);
      v128.store(dst, b1, 48);
      v128.store(dst, c0, 64);
      v128.store(dst, c1, 80);
      v128.store(dst, e0, 96);
      v128.store(dst, e1, 112);
    } else {
      let a0 = f32x4.splat(0), a1 = a0;
      for (let z = z0; z < z1; z++) {
        const q = nz + (<usize>z << 3);
        const p = base + <usize>load<i32>(q);
        const v = v128.load32_splat(q + 4);
        a0 = madd(v, v128.load(p), a0);
        a1 = madd(v, v128.load(p, 16), a1);
      }
      v128.store(dst, a0);
      v128.store(dst, a1, 16);
    }
  }
}

