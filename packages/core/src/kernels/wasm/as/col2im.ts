// col2im: scatters the columns of a transposed convolution back onto the output planes. With
// cols[(o, ki, kj)][(a, b)] = Σ_c W[o][c][ki][kj] · X[c][a][b] (a GEMM over the non-zero block X of a
// padded, dilated input), output (y, x) = (FY + SY·a − ki·DH + PT, FX + SX·b − kj·DW + PL) receives
// cols[(o, ki, kj)][(a, b)]: no product with a padding or dilation zero is ever formed.
// Work units are (image n, output channel o); each owns its plane.
import * as L from './layout';
import { wideRun } from './wide';

@inline function field(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

export function col2imUnits(d: usize): i32 {
  return field(d, L.N) * field(d, L.O);
}

export function col2imRun(d: usize, from: i32, to: i32): void {
  const o = field(d, L.O), oh = field(d, L.OH), ow = field(d, L.OW), kh = field(d, L.KH), kw = field(d, L.KW);
  const h = field(d, L.H), w = field(d, L.W), fy = field(d, L.FY), sy = field(d, L.SY), fx = field(d, L.FX), sx = field(d, L.SX);
  const dh = field(d, L.DH), dw = field(d, L.DW), pt = field(d, L.PT), pl = field(d, L.PL);
  const cols = <usize>field(d, L.B), out = <usize>field(d, L.OUT), bias = <usize>field(d, L.BIAS);
  const blockBytes = <usize>(h * w) << 2, planeFloats = oh * ow;
  for (let u = from; u < to; u++) {
    const n = u / o, oc = u - n * o;
    const plane = out + ((<usize>(n * o + oc) * planeFloats) << 2);
    const bv = bias ? load<f32>(bias + (<usize>oc << 2)) : <f32>0;
    const bv4 = f32x4.splat(bv);
    let i = 0;
    for (; i + 4 <= planeFloats; i += 4) v128.store(plane + (<usize>i << 2), bv4);
    for (; i < planeFloats; i++) store<f32>(plane + (<usize>i << 2), bv);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const src = cols + <usize>((n * o + oc) * kh * kw + ki * kw + kj) * blockBytes;
        const x0 = fx - kj * dw + pl; // output column of b = 0
        const bLo = x0 >= 0 ? 0 : (sx - 1 - x0) / sx;
        let bHi = ow - 1 - x0 < 0 ? 0 : (ow - 1 - x0) / sx + 1;
        if (bHi > w) bHi = w;
        if (bHi <= bLo) continue;
        for (let a = 0; a < h; a++) {
          const y = fy + sy * a - ki * dh + pt;
          if (y < 0 || y >= oh) continue;
          const srow = src + (<usize>(a * w) << 2);
          const drow = plane + (<usize>(y * ow) << 2);
          if (sx == 1) {
            let b = bLo;
            for (; b + 4 <= bHi; b += 4) {
              const q = drow + (<usize>(x0 + b) << 2);
              v128.store(q, f32x4.add(v128.load(q), v128.load(srow + (<usize>b << 2))));
            }
            for (; b < bHi; b++) {
              const q = drow + (<usize>(x0 + b) << 2);
              store<f32>(q, load<f32>(q) + load<f32>(srow + (<usize>b << 2)));
            }
          } else {
            for (let b = bLo; b < bHi; b++) {
              const q = drow + (<usize>(x0 + sx * b) << 2);
              store<f32>(q, load<f32>(q) + load<f32>(srow + (<usize>b << 2)));
            }
          }
        }
      }
    }
  }
}

/**
 * The GEMM and the col2im of a transposed convolution fused per image (KIND_COL2IM_FUSED): unit n runs
 * the GEMM units of image n (descriptor d, a wide job with OH = 1) and then scatters that image's
 * columns (the col2im descriptor right after d), while they are still in this core's cache. The same
 * arithmetic as the two jobs one after the other.
 */
export function col2imFusedUnits(d: usize): i32 {
  return field(d, L.N);
}

export function col2imFusedRun(d: usize, from: i32, to: i32): void {
  const s = d + (<usize>L.FIELDS << 2);
  const m = field(d, L.O), groups = (m >> 2) + (m & 3), o = field(s, L.O);
  for (let n = from; n < to; n++) {
    wideRun(d, n * groups, (n + 1) * groups);
    col2imRun(s, n * o, (n + 1) * o);
  }
}
