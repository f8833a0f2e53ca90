// The weight gradient of a conv whose output gradient δ is mostly zeros (after max pooling's backward,
// one value in four is non-zero; after a ReLU's, about half): dW = X ⋆ δ (eq. 11, batch and channels
// swapped: "images" n' = the conv's input channels, "channels" c' = the batch, kernel = δ) as a sum over
// δ's non-zeros only,
//   OUT[o][i][j][n'] = Σ_{(c', a, b): δ[o][c'][a][b] ≠ 0} δ[o][c'][a][b] · X[n'][c'][i·SH + a·DH − PT][j·SW + b·DW − PL],
// with X prepared channels-last (n' innermost, 16 per 64-byte line) so that one non-zero feeds 16 images ×
// 2 output columns from 8 vector loads. Products with δ's zeros are never formed (as the lattice skipping
// of the dense paths: only a non-finite X could tell, 0·∞ = NaN). Work units are (o, output row i, block
// of 16 images n'); each sums its non-zeros in (c', a, b) order, so any thread count gives the same result.
import { madd } from './madd';

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
 * Lists δ's non-zeros (NaN counts) per kernel o: δ (o, c', a, b) at w + o·wos + c'·wcs + a·4·kw + 4·b.
 * Returns their number, or −1 once it exceeds `cap` (the caller then keeps the dense kernel). Branch-free
 * (δ's zeros fall at random): every value is written, and the count only moves past a non-zero, so nz
 * needs room for cap + kw pairs.
 */
export function sparseList(w: usize, o: i32, c: i32, kh: i32, kw: i32, wos: i32, wcs: i32, dh: i32, dw: i32,
  hp: i32, wp: i32, np: i32, nz: usize, nzAt: usize, cap: i32): i32 {
  let count = 0;
  const px = np << 2; // bytes per XCL position
  for (let k = 0; k < o; k++) {
    store<i32>(nzAt + (<usize>k << 2), count);
    for (let ci = 0; ci < c; ci++) {
      const plane = w + <usize>k * wos + <usize>ci * wcs;
      for (let a = 0; a < kh; a++) {
        const row = plane + (<usize>(a * kw) << 2);
        const at = (ci * hp + a * dh) * wp * px;
        for (let b = 0; b < kw; b++) {
          const v = load<f32>(row + (<usize>b << 2));
          const q = nz + (<usize>count << 3);
          store<i32>(q, at + b * dw * px);
          store<f32>(q, v, 4);
          count += <i32>(v != 0);
        }
        if (count > cap) return -1;
      }
    }
  }
  store<i32>(nzAt + (<usize>o << 2), count);
  return count;
}

/**
 * XCL[c'][r][q][n'] = X[n'][c'] at tensor row r − pt, column q − pl: block element (n', c', a, b) at
 * x + n'·s0 + c'·s1 + a·sRow + b·sCol sits at row fy + sy·a, column fx + sx·b; zero elsewhere.
 */
export function sparsePrep(x: usize, n: i32, c: i32, h: i32, w: i32, s0: i32, s1: i32, sRow: i32, sCol: i32,
  fy: i32, sy: i32, fx: i32, sx: i32, pt: i32, pl: i32, hp: i32, wp: i32, np: i32, dst: usize): void {
  memory.fill(dst, 0, (<usize>c * hp * wp * np) << 2);
  for (let ci = 0; ci < c; ci++) {
    for (let a = 0; a < h; a++) {
      const r = fy + sy * a + pt;
      if (r < 0 || r >= hp) continue;
      for (let b = 0; b < w; b++) {
        const q = fx + sx * b + pl;
        if (q < 0 || q >= wp) continue;
        const to = dst + ((<usize>((ci * hp + r) * wp + q) * np) << 2);
        const from = x + <usize>(ci * s1 + a * sRow + b * sCol);
        for (let i = 0; i < n; i++) store<f32>(to + (<usize>i << 2), load<f32>(from + <usize>i * s0));
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

