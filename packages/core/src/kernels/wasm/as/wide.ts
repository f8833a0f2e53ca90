// The wide kernel: a GEMM or a convolution vectorised along output rows (see tiles.ts).
// Work units are (image n, output row oy, row group g); a group is 4 rows of A, or one leftover row.
import * as L from './layout';
import { relu } from './elementwise';
import { maxPool2x2From } from './pooling';
import { prepRange } from './prep';
import { tile1x16, tile4x1, tile4x4, tile4x8 } from './tiles';

@inline function field(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

/** Packs A [o][k] for the tiles: groups of 4 rows interleaved as [k][4], then the leftover rows as they are. */
export function packA(src: usize, o: i32, k: i32, dst: usize): void {
  const full = o >> 2;
  for (let g = 0; g < full; g++) {
    const r0 = src + ((<usize>g * 4 * k) << 2), kb = <usize>k << 2;
    for (let i = 0; i < k; i++, dst += 16) {
      const p = r0 + (<usize>i << 2);
      store<f32>(dst, load<f32>(p));
      store<f32>(dst, load<f32>(p + kb), 4);
      store<f32>(dst, load<f32>(p + 2 * kb), 8);
      store<f32>(dst, load<f32>(p + 3 * kb), 12);
    }
  }
  const rest = <usize>((o - full * 4) * k) << 2;
  memory.copy(dst, src + ((<usize>full * 4 * k) << 2), rest);
}

export function wideUnits(d: usize): i32 {
  const o = field(d, L.O);
  return field(d, L.N) * field(d, L.OH) * ((o >> 2) + (o & 3));
}

export function wideRun(d: usize, from: i32, to: i32): void {
  const o = field(d, L.O), oh = field(d, L.OH), ow = field(d, L.OW), k = field(d, L.K);
  const full = o >> 2, groups = full + (o & 3), per = oh * groups;
  prepRange(d, from, to, per);
  const apack = <usize>field(d, L.APACK), off = <usize>field(d, L.OFF);
  const b = <usize>field(d, L.B), bimg = <usize>field(d, L.BIMG), brow = <usize>field(d, L.BROW);
  const out = <usize>field(d, L.OUT), oimg = <usize>field(d, L.OIMG), och = <usize>field(d, L.OCH);
  const orow = <usize>field(d, L.OROW), ocs = <usize>field(d, L.OCS);
  const biasBase = <usize>field(d, L.BIAS), accum = field(d, L.ACC) != 0, pooled = field(d, L.POOL_OUT) != 0;
  for (let u = from; u < to; u++) {
    const n = u / per, t = u - n * per, oy = t / groups, g = t - oy * groups;
    if (pooled && t == 0 && u > from) poolImage(d, n - 1); // the previous image is complete (chunks are whole images)
    const bRow = b + <usize>n * bimg + <usize>oy * brow;
    const r = g < full ? g * 4 : g + full * 3; // first row of A in this group
    const cRow = out + <usize>n * oimg + <usize>r * och + <usize>oy * orow;
    const bias = biasBase ? biasBase + (<usize>r << 2) : 0;
    if (g < full) {
      const a = apack + ((<usize>g * k) << 4);
      let x = 0;
      while (x < ow) {
        const lanes = ow - x;
        if (lanes > 4) {
          tile4x8(a, bRow + (<usize>x << 2), off, k, cRow + <usize>x * ocs, och, ocs, lanes < 8 ? lanes : 8, bias, accum);
          x += 8;
        } else if (lanes > 2) {
          tile4x4(a, bRow + (<usize>x << 2), off, k, cRow + <usize>x * ocs, och, ocs, lanes, bias, accum);
          x += 4;
        } else {
          tile4x1(a, bRow + (<usize>x << 2), off, k, cRow + <usize>x * ocs, och, bias, accum);
          x += 1;
        }
      }
    } else {
      const a = apack + ((<usize>full * k) << 4) + ((<usize>(g - full) * k) << 2);
      for (let x = 0; x < ow; x += 16) {
        tile1x16(a, bRow + (<usize>x << 2), off, k, cRow + <usize>x * ocs, ocs, ow - x < 16 ? ow - x : 16, bias, accum);
      }
    }
  }
  if (pooled && to > from) poolImage(d, (to - 1) / per);
}

/** The epilogue (layout.ts POOL_OUT): image n's output, NCHW at OUT, max-pooled over 2×2 windows (and ReLU'd) while in this thread's cache. */
function poolImage(d: usize, n: i32): void {
  const o = field(d, L.O), oh = field(d, L.OH), ow = field(d, L.OW), ph = oh >> 1, pw = ow >> 1, img = o * ph * pw;
  const out = <usize>field(d, L.POOL_OUT) + (<usize>(n * img) << 2), arg = <usize>field(d, L.POOL_ARG) + (<usize>(n * img) << 2);
  maxPool2x2From(<usize>field(d, L.OUT) + <usize>n * <usize>field(d, L.OIMG), o, oh, ow, ph, pw, out, arg, n * o * oh * ow);
  if (field(d, L.POOL_RELU)) relu(out, out, img);
}
