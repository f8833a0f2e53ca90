// The input gradient of a conv whose output gradient δ is mostly zeros (after max pooling's backward):
// dX = pad(δ, K−1) ⋆ rot180(W), a stride-1 conv of a padded input block, as a scatter of the block's
// non-zeros only (the col2im form, ../col2im.ts, without the products of δ's zeros). Only a non-finite
// W could tell (0·∞ = NaN), as with the lattice skipping of the dense paths.
import { compact4, nonzeroMask } from './compact';
import { madd } from './madd';
import { denseSoFar } from './sparse-dw';

@inline function field(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

// OUTCL[n][r][q][o] (channels-last, rows/columns over every position a tap can reach, o padded to 16)
// += x · W[o][c][ki][kj] for each non-zero x = block[n][c][a][b] and each tap, at r = a-row − ki·DH,
// q = b-column − kj·DW (offsets precomputed per pair). Work units are images; each adds its pairs in
// (c, a, b) order, taps in (ki, kj) order, so any thread count gives the same result.

/**
 * Lists the block's non-zeros per image as (byte offset into OUTCL of the tap (0, 0) position, byte offset
 * of channel c in WCL, value): block (n, c, a, b) at x + n·s0 + c·s1 + a·sRow + b·sCol, output position
 * (r0 + a·sy, q0 + b·sx) for tap (0, 0). −1 once more than cap. Contiguous columns go 4 at a time, branch-free
 * (the non-zeros' triples compacted to the front, 4 entries written), so nz needs room for cap + w triples.
 * Only images [0, upTo) are listed (a probe of the first ones; the density rule still counts all n): it
 * gives −1 exactly when the whole list would give up within them.
 */
export function sparseInputList(x: usize, n: i32, c: i32, h: i32, w: i32, s0: i32, s1: i32, sRow: i32, sCol: i32,
  r0: i32, sy: i32, q0: i32, sx: i32, rows: i32, cols: i32, op: i32, wChan: i32, nz: usize, nzAt: usize, cap: i32, upTo: i32): i32 {
  let count = 0, seen = 0;
  const total = n * c * h * w;
  const px = op << 2;
  const sxpx = sx * px, lanes = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(sxpx));
  for (let i = 0; i < upTo; i++) {
    store<i32>(nzAt + (<usize>i << 2), count);
    for (let ci = 0; ci < c; ci++) {
      for (let a = 0; a < h; a++) {
        const row = x + <usize>(i * s0 + ci * s1 + a * sRow);
        const at = ((i * rows + r0 + a * sy) * cols + q0) * px;
        let b = 0;
        if (sCol === 4) {
          // contiguous columns, 4 at a time: the non-zeros' triples compacted to the front, 4 entries stored
          const chan = i32x4.splat(ci * wChan);
          for (; b + 4 <= w; b += 4) {
            const v = v128.load(row + (<usize>b << 2));
            const m = nonzeroMask(v);
            const offs = compact4(i32x4.add(i32x4.splat(at + b * sxpx), lanes), m), vals = compact4(v, m);
            const lo = v128.shuffle<i32>(offs, vals, 0, 4, 1, 5), hi = v128.shuffle<i32>(offs, vals, 2, 6, 3, 7);
            const q = nz + (<usize>count << 4);
            v128.store(q, v128.shuffle<i32>(lo, chan, 0, 4, 1, 4));
            v128.store(q, v128.shuffle<i32>(lo, chan, 2, 4, 3, 4), 16);
            v128.store(q, v128.shuffle<i32>(hi, chan, 0, 4, 1, 4), 32);
            v128.store(q, v128.shuffle<i32>(hi, chan, 2, 4, 3, 4), 48);
            count += <i32>popcnt(m);
          }
        }
        for (; b < w; b++) {
          const v = load<f32>(row + <usize>(b * sCol));
          const q = nz + (<usize>count << 4);
          store<i32>(q, at + b * sx * px);
          store<i32>(q, ci * wChan, 4);
          store<f32>(q, v, 8);
          count += <i32>(v != 0);
        }
        seen += w;
        if (count > cap || denseSoFar(count, seen, total, cap)) return -1;
      }
    }
  }
  store<i32>(nzAt + (<usize>upTo << 2), count);
  return count;
}

// descriptor fields of the input-gradient job
const I_OUT = 0;  // OUTCL, zeroed by the caller
const I_W = 1;    // WCL [C][KH][KW][OP]
const I_OP = 2;   // output channels rounded up to 16
const I_KH = 3;
const I_KW = 4;
const I_TROW = 5; // bytes of OUTCL between tap rows (DH rows)
const I_TCOL = 6; // bytes between tap columns (DW columns)
const I_NZ = 7;
const I_NZAT = 8;
const I_N = 9;
const I_IMG = 10; // bytes of OUTCL per image

export function sparseDxUnits(d: usize): i32 {
  return field(d, I_N);
}

export function sparseDxRun(d: usize, from: i32, to: i32): void {
  const out = <usize>field(d, I_OUT), wcl = <usize>field(d, I_W), op = field(d, I_OP), kh = field(d, I_KH), kw = field(d, I_KW);
  const trow = <usize>field(d, I_TROW), tcol = <usize>field(d, I_TCOL), nz = <usize>field(d, I_NZ), nzAt = <usize>field(d, I_NZAT);
  const blocks = op >> 4, tap = <usize>op << 2;
  const img = <usize>field(d, I_IMG);
  for (let n = from; n < to; n++) {
    memory.fill(out + <usize>n * img, 0, img);
    const z0 = load<i32>(nzAt + (<usize>n << 2)), z1 = load<i32>(nzAt + (<usize>n << 2), 4);
    for (let z = z0; z < z1; z++) {
      const q = nz + (<usize>z << 4);
      const base = out + <usize>load<i32>(q), wc = wcl + <usize>load<i32>(q, 4);
      const v = v128.load32_splat(q + 8);
      for (let blk = 0; blk < blocks; blk++) {
        let wp = wc + (<usize>blk << 6);
        for (let ki = 0; ki < kh; ki++) {
          let p = base - <usize>ki * trow + (<usize>blk << 6);
          for (let kj = 0; kj < kw; kj++, p -= tcol, wp += tap) {
            v128.store(p, madd(v, v128.load(wp), v128.load(p)));
            v128.store(p, madd(v, v128.load(wp, 16), v128.load(p, 16)), 16);
            v128.store(p, madd(v, v128.load(wp, 32), v128.load(p, 32)), 32);
            v128.store(p, madd(v, v128.load(wp, 48), v128.load(p, 48)), 48);
          }
        }
      }
    }
  }
}

/** WCL[c][ki][kj][o] = W[o][c][ki][kj] (W at w: o, c wos, wcs bytes apart, rows contiguous), o padded to op with zeros. */
export function sparseWeights(w: usize, o: i32, c: i32, kh: i32, kw: i32, wos: i32, wcs: i32, op: i32, dst: usize): void {
  const taps = kh * kw;
  for (let ci = 0; ci < c; ci++) {
    for (let t = 0; t < taps; t++, dst += <usize>op << 2) {
      const src = w + <usize>ci * wcs + (<usize>t << 2);
      for (let k = 0; k < o; k++) store<f32>(dst + (<usize>k << 2), load<f32>(src + <usize>k * wos));
      for (let k = o; k < op; k++) store<f32>(dst + (<usize>k << 2), 0);
    }
  }
}
