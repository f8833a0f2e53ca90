// Depthwise convolution (groups = channels, one input channel per group, `m` output channels per group)
// as one direct loop over all planes: no per-group call. out[n, ci·m + j] = bias + Σ_{ki,kj}
// w[ci·m + j, 0, ki, kj] · x[n, ci, oy·sh − pt + ki·dh, ox·sw − pl + kj·dw] (taps outside x are zeros and
// skipped). With sw = 1 a tap's contributions to an output row are a contiguous run of x: 4 lanes at a time.
// `cols` holds, per kernel column kj, the range [lo, hi) of outputs whose input column is inside x (i32 pairs).
import { madd } from './madd';

export function depthwise(
  x: usize, w: usize, bias: usize, out: usize, cols: usize,
  n: i32, c: i32, m: i32, h: i32, wd: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32,
): void {
  const planeIn = <usize>(h * wd) << 2, planeOut = <usize>(oh * ow) << 2, taps = kh * kw;
  for (let img = 0; img < n; img++) {
    for (let ci = 0; ci < c; ci++) {
      const xp = x + <usize>(img * c + ci) * planeIn;
      for (let j = 0; j < m; j++) {
        const oc = ci * m + j;
        const wp = w + (<usize>(oc * taps) << 2);
        const op = out + <usize>(img * c * m + oc) * planeOut;
        const bv: f32 = bias ? load<f32>(bias + (<usize>oc << 2)) : 0;
        for (let oy = 0; oy < oh; oy++) {
          const orow = op + (<usize>(oy * ow) << 2);
          for (let ox = 0; ox < ow; ox++) store<f32>(orow + (<usize>ox << 2), bv);
          for (let ki = 0; ki < kh; ki++) {
            const iy = oy * sh - pt + ki * dh;
            if (iy < 0 || iy >= h) continue;
            const xrow = xp + (<usize>(iy * wd) << 2);
            for (let kj = 0; kj < kw; kj++) {
              const wv = load<f32>(wp + (<usize>(ki * kw + kj) << 2));
              const shift = kj * dw - pl; // input column of output ox: ox·sw + shift
              // outputs [lo, hi) whose input column lies in [0, wd): precomputed per kj (cols table)
              const lo = load<i32>(cols + (<usize>kj << 3)), hi = load<i32>(cols + (<usize>kj << 3) + 4);
              if (lo >= hi) continue;
              let ox = lo;
              if (sw == 1) {
                const wv4 = f32x4.splat(wv);
                for (; ox + 4 <= hi; ox += 4) {
                  const o = orow + (<usize>ox << 2);
                  v128.store(o, madd(wv4, v128.load(xrow + (<usize>(ox + shift) << 2)), v128.load(o)));
                }
              }
              for (; ox < hi; ox++) {
                const o = orow + (<usize>ox << 2);
                store<f32>(o, load<f32>(o) + wv * load<f32>(xrow + (<usize>(ox * sw + shift) << 2)));
              }
            }
          }
        }
      }
    }
  }
}
