// Depthwise conv (groups = channels, one input channel per group, m = O/C outputs per group) in plain
// TypeScript, all planes in one call: the js counterpart of wasm/as/depthwise.ts. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';
import type { Conv2dGeometry } from './conv2d.ts';
import { float64Scratch } from './scratch.ts';

/** out[n, ci·m + j] = bias + Σ taps w[ci·m + j, 0] · x[n, ci] (float64 sums; taps outside x skipped). */
export function depthwiseConv2d(x: TypedArray, w: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): boolean {
  const { n, c, h, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow } = g;
  const wd = g.w, m = g.o / c, taps = kh * kw;
  const [lo, hi] = columnRanges(g);
  const row = float64Scratch('depthwise.row', ow);
  // Stryker disable next-line EqualityOperator: img <= n adds an image past out's end, whose writes a typed array drops
  for (let img = 0; img < n; img++) {
    // Stryker disable next-line EqualityOperator: ci <= c adds channel c = image img + 1's first planes (written again there) or past out's end
    for (let ci = 0; ci < c; ci++) {
      const xp = (img * c + ci) * h * wd;
      // Stryker disable next-line EqualityOperator: j <= m adds output plane (ci + 1)·m = channel ci + 1's first (written again there) or past out's end
      for (let j = 0; j < m; j++) {
        const oc = ci * m + j;
        plane(x, xp, w, oc * taps, bias ? bias[oc] : 0, out, (img * c * m + oc) * oh * ow, row, lo, hi, h, wd, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow);
      }
    }
  }
  return true;
}

/** Per kernel column kj: the outputs [lo, hi) whose input column ox·sw + kj·dw − pl lies inside x. */
export function columnRanges(g: Conv2dGeometry): [Int32Array, Int32Array] {
  const lo = new Int32Array(g.kw), hi = new Int32Array(g.kw);
  for (let kj = 0; kj < g.kw; kj++) {
    const shift = kj * g.dw - g.pl;
    lo[kj] = Math.max(0, Math.ceil(-shift / g.sw));
    hi[kj] = Math.max(lo[kj], Math.min(g.ow, Math.floor((g.w - 1 - shift) / g.sw) + 1));
  }
  return [lo, hi];
}

function plane(
  x: TypedArray, xp: number, w: TypedArray, wp: number, bv: number, out: TypedArray, op: number, row: Float64Array,
  lo: Int32Array, hi: Int32Array, h: number, wd: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
  dh: number, dw: number, oh: number, ow: number,
): void {
  for (let oy = 0; oy < oh; oy++) {
    row.fill(bv, 0, ow);
    for (let ki = 0; ki < kh; ki++) {
      const iy = oy * sh - pt + ki * dh;
      if (iy < 0 || iy >= h) continue;
      const xr = xp + iy * wd;
      for (let kj = 0; kj < kw; kj++) {
        const wv = w[wp + ki * kw + kj], s = xr + kj * dw - pl;
        for (let ox = lo[kj], e = hi[kj]; ox < e; ox++) row[ox] += wv * x[s + ox * sw];
      }
    }
    // Stryker disable next-line EqualityOperator: ox <= ow also writes out[o + ow], the next output row's first value (written again after) or past out's end
    for (let ox = 0, o = op + oy * ow; ox < ow; ox++) out[o + ox] = row[ox];
  }
}
