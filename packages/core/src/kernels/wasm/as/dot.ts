// The dot kernel: a convolution whose output rows are short and whose kernel rows are long (the weight
// gradient, where the "kernel" is δ). It vectorises along kernel rows, 4 taps per v128, and reduces the lanes
// at the end. Tiles: 4 output channels × 2 output positions, or 1 channel × 4 positions for leftover channels.
// Work units are (image n, channel group g); each walks the input channels in chunks whose weights fit L1.
import * as L from './layout';
import { madd } from './madd';
import { prepRange } from './prep';

@inline function field(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

@inline function hsum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(s, v128.shuffle<f32>(s, s, 1, 0, 3, 2)), 0);
}

export function dotUnits(d: usize): i32 {
  const o = field(d, L.O);
  return field(d, L.N) * ((o >> 2) + (o & 3));
}

/** Channels per pass: the 4 weight rows of a pass (4·cs·KH·KW floats) stay within ~16 KiB of L1. */
@inline function chunkChannels(kh: i32, kw: i32, c: i32): i32 {
  const per = 16 * kh * kw;
  const cs = per > 0 ? 16384 / per : c;
  return cs < 1 ? 1 : cs > c ? c : cs;
}

export function dotRun(d: usize, from: i32, to: i32): void {
  const o = field(d, L.O), full = o >> 2, groups = full + (o & 3);
  prepRange(d, from, to, groups);
  const c = field(d, L.CH), kh = field(d, L.KH), kw = field(d, L.KW), np = field(d, L.OH) * field(d, L.OW);
  const krow = <usize>field(d, L.KROW), cstr = <usize>field(d, L.CSTR);
  const b = <usize>field(d, L.B), bimg = <usize>field(d, L.BIMG), wt = <usize>field(d, L.WT);
  const pos = <usize>field(d, L.POS), out = <usize>field(d, L.OUT), bias = <usize>field(d, L.BIAS);
  const kv = kw >> 2, tail = kw & 3;
  // lanes ≥ tail of the last vector belong to the next row: zero them in both operands
  const mask = i32x4.gt_s(i32x4.splat(tail), i32x4(0, 1, 2, 3));
  // weights: rows of kw contiguous floats, kh rows per channel; channels WCS and output channels WOS bytes apart
  const wRowBytes = <usize>kw << 2, wChan = <usize>field(d, L.WOS), wPlane = <usize>field(d, L.WCS);
  const plane = <usize>np << 2;
  const cs = chunkChannels(kh, kw, c);
  for (let u = from; u < to; u++) {
    const n = u / groups, g = u - n * groups;
    const img = b + <usize>n * bimg;
    const four = g < full;
    const r = four ? g * 4 : full * 4 + (g - full);
    const rows = four ? 4 : 1;
    const oBase = out + ((<usize>(n * o + r) * np) << 2);
    // start from the bias; each pass over a chunk of channels adds its partial sums
    for (let i = 0; i < rows; i++) {
      const bv: f32 = bias ? load<f32>(bias + (<usize>(r + i) << 2)) : 0;
      for (let p = 0; p < np; p++) store<f32>(oBase + <usize>i * plane + (<usize>p << 2), bv);
    }
    for (let c0 = 0; c0 < c; c0 += cs) {
      const c1 = c0 + cs < c ? c0 + cs : c;
      const w0 = wt + <usize>r * wChan + <usize>c0 * wPlane;
      const x0c = img + <usize>c0 * cstr;
      if (four) {
        let p = 0;
        for (; p + 1 < np; p += 2) {
          const q0 = <usize>load<i32>(pos + (<usize>p << 2)), q1 = <usize>load<i32>(pos + (<usize>p << 2), 4);
          let s00 = f32x4.splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
          for (let ci = c0; ci < c1; ci++) {
            let xr = x0c + <usize>(ci - c0) * cstr;
            let wr = w0 + <usize>(ci - c0) * wPlane;
            for (let ki = 0; ki < kh; ki++, xr += krow, wr += wRowBytes) {
              let x0 = xr + q0, x1 = xr + q1, w = wr;
              for (let v = 0; v < kv; v++, x0 += 16, x1 += 16, w += 16) {
                const a0 = v128.load(x0), a1 = v128.load(x1);
                const b0 = v128.load(w), b1 = v128.load(w + wChan), b2 = v128.load(w + 2 * wChan), b3 = v128.load(w + 3 * wChan);
                s00 = madd(a0, b0, s00);
                s01 = madd(a1, b0, s01);
                s10 = madd(a0, b1, s10);
                s11 = madd(a1, b1, s11);
                s20 = madd(a0, b2, s20);
                s21 = madd(a1, b2, s21);
                s30 = madd(a0, b3, s30);
                s31 = madd(a1, b3, s31);
              }
              if (tail) {
                const a0 = v128.and(v128.load(x0), mask), a1 = v128.and(v128.load(x1), mask);
                const b0 = v128.and(v128.load(w), mask), b1 = v128.and(v128.load(w + wChan), mask);
                const b2 = v128.and(v128.load(w + 2 * wChan), mask), b3 = v128.and(v128.load(w + 3 * wChan), mask);
                s00 = madd(a0, b0, s00);
                s01 = madd(a1, b0, s01);
                s10 = madd(a0, b1, s10);
                s11 = madd(a1, b1, s11);
                s20 = madd(a0, b2, s20);
                s21 = madd(a1, b2, s21);
                s30 = madd(a0, b3, s30);
                s31 = madd(a1, b3, s31);
              }
            }
          }
          const pb = oBase + (<usize>p << 2);
          addTo(pb, hsum(s00));
          addTo(pb + plane, hsum(s10));
          addTo(pb + 2 * plane, hsum(s20));
          addTo(pb + 3 * plane, hsum(s30));
          addTo(pb + 4, hsum(s01));
          addTo(pb + plane + 4, hsum(s11));
          addTo(pb + 2 * plane + 4, hsum(s21));
          addTo(pb + 3 * plane + 4, hsum(s31));
        }
        if (p < np) {
          // an odd last position alone (a pair would compute a position that does not exist)
          const q0 = <usize>load<i32>(pos + (<usize>p << 2));
          let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
          for (let ci = c0; ci < c1; ci++) {
            let xr = x0c + <usize>(ci - c0) * cstr;
            let wr = w0 + <usize>(ci - c0) * wPlane;
            for (let ki = 0; ki < kh; ki++, xr += krow, wr += wRowBytes) {
              let x0 = xr + q0, w = wr;
              for (let v = 0; v < kv; v++, x0 += 16, w += 16) {
                const a0 = v128.load(x0);
                s0 = madd(a0, v128.load(w), s0);
                s1 = madd(a0, v128.load(w + wChan), s1);
                s2 = madd(a0, v128.load(w + 2 * wChan), s2);
                s3 = madd(a0, v128.load(w + 3 * wChan), s3);
              }
              if (tail) {
                const a0 = v128.and(v128.load(x0), mask);
                s0 = madd(a0, v128.and(v128.load(w), mask), s0);
                s1 = madd(a0, v128.and(v128.load(w + wChan), mask), s1);
                s2 = madd(a0, v128.and(v128.load(w + 2 * wChan), mask), s2);
                s3 = madd(a0, v128.and(v128.load(w + 3 * wChan), mask), s3);
              }
            }
          }
          const pb = oBase + (<usize>p << 2);
          addTo(pb, hsum(s0));
          addTo(pb + plane, hsum(s1));
          addTo(pb + 2 * plane, hsum(s2));
          addTo(pb + 3 * plane, hsum(s3));
        }
      } else {
        for (let p = 0; p < np; p += 4) {
          const pp = pos + (<usize>p << 2);
          const q0 = <usize>load<i32>(pp), q1 = <usize>load<i32>(pp, 4), q2 = <usize>load<i32>(pp, 8), q3 = <usize>load<i32>(pp, 12);
          let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
          for (let ci = c0; ci < c1; ci++) {
            let xr = x0c + <usize>(ci - c0) * cstr;
            let wr = w0 + <usize>(ci - c0) * wPlane;
            for (let ki = 0; ki < kh; ki++, xr += krow, wr += wRowBytes) {
              let x = xr, w = wr;
              for (let v = 0; v < kv; v++, x += 16, w += 16) {
                const b0 = v128.load(w);
                s0 = madd(v128.load(x + q0), b0, s0);
                s1 = madd(v128.load(x + q1), b0, s1);
                s2 = madd(v128.load(x + q2), b0, s2);
                s3 = madd(v128.load(x + q3), b0, s3);
              }
              if (tail) {
                const b0 = v128.and(v128.load(w), mask);
                s0 = madd(v128.and(v128.load(x + q0), mask), b0, s0);
                s1 = madd(v128.and(v128.load(x + q1), mask), b0, s1);
                s2 = madd(v128.and(v128.load(x + q2), mask), b0, s2);
                s3 = madd(v128.and(v128.load(x + q3), mask), b0, s3);
              }
            }
          }
          const pb = oBase + (<usize>p << 2);
          addTo(pb, hsum(s0));
          if (p + 1 < np) addTo(pb + 4, hsum(s1));
          if (p + 2 < np) addTo(pb + 8, hsum(s2));
          if (p + 3 < np) addTo(pb + 12, hsum(s3));
        }
      }
    }
  }
}

@inline function addTo(p: usize, v: f32): void {
  store<f32>(p, load<f32>(p) + v);
}
