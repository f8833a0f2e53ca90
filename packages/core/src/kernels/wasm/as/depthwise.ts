// Depthwise convolution (groups = channels, one input channel per group, `m` output channels per group)
// as one direct loop over all planes: no per-group call. out[n, ci·m + j] = bias + Σ_{ki,kj}
// w[ci·m + j, 0, ki, kj] · x[n, ci, oy·sh − pt + ki·dh, ox·sw − pl + kj·dw] (taps outside x are zeros).
// Stride 1 along rows: each input plane is copied once into a zero-padded scratch plane, and every 4
// consecutive outputs of a row accumulate all taps in one register (no bounds inside the tap loop).
// Other strides: taps added straight into the output row, outputs whose input column lies inside x only
// (`cols` holds, per kernel column kj, that range [lo, hi) as i32 pairs).
import { madd } from './madd';

export function depthwise(
  x: usize, w: usize, bias: usize, out: usize, cols: usize, scratch: usize,
  n: i32, c: i32, m: i32, h: i32, wd: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32,
): void {
  const planeIn = <usize>(h * wd) << 2, planeOut = <usize>(oh * ow) << 2, taps = kh * kw;
  // scratch plane: rows (oh−1)·sh + (kh−1)·dh + 1, columns rounded up to a whole last vector of outputs
  const hp = (oh - 1) * sh + (kh - 1) * dh + 1;
  const chunks = (ow + 3) >> 2;
  const wp = (chunks << 2) + (kw - 1) * dw;
  for (let img = 0; img < n; img++) {
    for (let ci = 0; ci < c; ci++) {
      const xp = x + <usize>(img * c + ci) * planeIn;
      if (sw == 1) padPlane(xp, scratch, h, wd, hp, wp, pt, pl);
      for (let j = 0; j < m; j++) {
        const oc = ci * m + j;
        const wt = w + (<usize>(oc * taps) << 2);
        const op = out + <usize>(img * c * m + oc) * planeOut;
        const bv: f32 = bias ? load<f32>(bias + (<usize>oc << 2)) : 0;
        if (sw == 1) rowsStride1(scratch, wt, op, bv, kh, kw, sh, dh, dw, oh, ow, wp, chunks);
        else rowsStrided(xp, wt, op, bv, cols, h, wd, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow);
      }
    }
  }
}

/** scratch (hp × wp) = the plane shifted by (pt, pl), zeros elsewhere. */
function padPlane(xp: usize, s: usize, h: i32, wd: i32, hp: i32, wp: i32, pt: i32, pl: i32): void {
  memory.fill(s, 0, <usize>(hp * wp) << 2);
  for (let y = 0; y < h; y++) {
    const r = y + pt;
    if (r < 0 || r >= hp) continue;
    let a = 0, b = wd;
    if (pl < 0) a = -pl;
    if (b + pl > wp) b = wp - pl;
    if (a >= b) continue;
    memory.copy(s + (<usize>(r * wp + a + pl) << 2), xp + (<usize>(y * wd + a) << 2), <usize>(b - a) << 2);
  }
}

function rowsStride1(s: usize, wt: usize, op: usize, bv: f32, kh: i32, kw: i32, sh: i32, dh: i32, dw: i32, oh: i32, ow: i32, wp: i32, chunks: i32): void {
  const b4 = f32x4.splat(bv);
  for (let oy = 0; oy < oh; oy++) {
    const orow = op + (<usize>(oy * ow) << 2);
    const srow = s + (<usize>(oy * sh * wp) << 2);
    for (let q = 0; q < chunks; q++) {
      let acc = b4;
      const base = srow + (<usize>(q << 2) << 2);
      for (let ki = 0; ki < kh; ki++) {
        const r = base + (<usize>(ki * dh * wp) << 2);
        const wr = wt + (<usize>(ki * kw) << 2);
        for (let kj = 0; kj < kw; kj++) {
          acc = madd(v128.load32_splat(wr + (<usize>kj << 2)), v128.load(r + (<usize>(kj * dw) << 2)), acc);
        }
      }
      const ox = q << 2, o = orow + (<usize>ox << 2);
      if (ox + 4 <= ow) v128.store(o, acc);
      else {
        store<f32>(o, f32x4.extract_lane(acc, 0));
        if (ox + 1 < ow) store<f32>(o + 4, f32x4.extract_lane(acc, 1));
        if (ox + 2 < ow) store<f32>(o + 8, f32x4.extract_lane(acc, 2));
      }
    }
  }
}

function rowsStrided(
  xp: usize, wt: usize, op: usize, bv: f32, cols: usize, h: i32, wd: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32,
): void {
  for (let oy = 0; oy < oh; oy++) {
    const orow = op + (<usize>(oy * ow) << 2);
    for (let ox = 0; ox < ow; ox++) store<f32>(orow + (<usize>ox << 2), bv);
    for (let ki = 0; ki < kh; ki++) {
      const iy = oy * sh - pt + ki * dh;
      if (iy < 0 || iy >= h) continue;
      const xrow = xp + (<usize>(iy * wd) << 2);
      for (let kj = 0; kj < kw; kj++) {
        const wv = load<f32>(wt + (<usize>(ki * kw + kj) << 2));
        const shift = kj * dw - pl; // input column of output ox: ox·sw + shift
        const lo = load<i32>(cols + (<usize>kj << 3)), hi = load<i32>(cols + (<usize>kj << 3) + 4);
        for (let ox = lo; ox < hi; ox++) {
          const o = orow + (<usize>ox << 2);
          store<f32>(o, load<f32>(o) + wv * load<f32>(xrow + (<usize>(ox * sw + shift) << 2)));
        }
      }
    }
  }
}
