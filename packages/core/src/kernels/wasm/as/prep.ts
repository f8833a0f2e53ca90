// Input preparation: copies image n of a strided block (a tensor, or the non-zeros of a padded, dilated
// one) into a zero-padded buffer the kernels read without bounds checks. With P > 1 every padded row is
// stored as P "phase" rows (columns r, r+P, r+2P, …), so a stride-P walk along the row becomes contiguous.
// Runs as a job of its own (KIND_PREP, one image per unit) before the kernel job that reads the buffer, or
// inside the kernel job (prepRange) when the pool hands out whole images.
import * as L from './layout';
import { deinterleave4 } from './phase4';
import { storeTransposed4 } from './transpose';

@inline function field(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

// Rows are short (tens of floats): memory.fill/copy cost a call out of wasm each, more than the copy.
// Above LONG bytes they win. Every byte is still written once, with its final value.
const LONG: usize = 1024;

@inline function zeroFloats(p: usize, bytes: usize): void {
  if (bytes >= LONG) {
    memory.fill(p, 0, bytes);
    return;
  }
  const end = p + bytes, z = f32x4.splat(0);
  for (; p + 16 <= end; p += 16) v128.store(p, z);
  for (; p < end; p += 4) store<f32>(p, 0);
}

@inline function copyFloats(dst: usize, src: usize, bytes: usize): void {
  if (bytes >= LONG) {
    memory.copy(dst, src, bytes);
    return;
  }
  const end = dst + bytes;
  for (; dst + 16 <= end; dst += 16, src += 16) v128.store(dst, v128.load(src));
  for (; dst < end; dst += 4, src += 4) store<f32>(dst, load<f32>(src));
}

export function prepImage(d: usize, n: i32): void {
  const c = field(d, L.CH), h = field(d, L.H), w = field(d, L.W);
  const fy = field(d, L.FY), sy = field(d, L.SY), fx = field(d, L.FX), sx = field(d, L.SX);
  const pt = field(d, L.PT), pl = field(d, L.PL), ph = field(d, L.P), hp = field(d, L.HP), wq = field(d, L.WQ);
  const sch = field(d, L.SCH), srowB = field(d, L.SROW), scol = field(d, L.SCOL);
  const rowBytes = <usize>(ph * wq) << 2;
  const img = <usize>(field(d, L.X) + n * field(d, L.SIMG));
  let dst = <usize>field(d, L.B) + <usize>n * field(d, L.BIMG);
  const contiguous = ph == 1 && sx == 1 && scol == 4;
  for (let ci = 0; ci < c; ci++) {
    const plane = img + <usize>(ci * sch);
    for (let iy = 0; iy < hp; iy++, dst += rowBytes) {
      const v = iy - pt - fy;
      const a = v / sy;
      if (v < 0 || v - a * sy != 0 || a >= h) {
        zeroFloats(dst, rowBytes);
        continue;
      }
      const srow = plane + <usize>(a * srowB);
      if (ph == 2 && sx == 1 && scol == 4) {
        deinterleave2(dst, srow, -pl - fx, w, wq);
      } else if (ph == 4 && sx == 1 && scol == 4) {
        deinterleave4(dst, srow, -pl - fx, w, wq);
      } else if (sx == 1) {
        // phase r holds virtual columns q·P + r − PL, i.e. block column t = q·P + c0 with c0 = r − PL − FX
        for (let r = 0; r < ph; r++) {
          const seg = dst + (<usize>(r * wq) << 2);
          const c0 = r - pl - fx;
          let qlo = c0 >= 0 ? 0 : (ph - 1 - c0) / ph;
          let qhi = w - 1 - c0 < 0 ? 0 : (w - 1 - c0) / ph + 1;
          if (qlo > wq) qlo = wq;
          if (qhi > wq) qhi = wq;
          if (qhi < qlo) qhi = qlo;
          zeroFloats(seg, <usize>qlo << 2);
          if (contiguous) {
            copyFloats(seg + (<usize>qlo << 2), srow + (<usize>(qlo + c0) << 2), <usize>(qhi - qlo) << 2);
          } else {
            for (let q = qlo; q < qhi; q++) store<f32>(seg + (<usize>q << 2), load<f32>(srow + <usize>((q * ph + c0) * scol)));
          }
          zeroFloats(seg + (<usize>qhi << 2), <usize>(wq - qhi) << 2);
        }
      } else {
        let q = dst;
        for (let r = 0; r < ph; r++) {
          for (let j = r; j < wq * ph; j += ph, q += 4) {
            const t = j - pl - fx, b = t / sx;
            store<f32>(q, t >= 0 && t - b * sx == 0 && b < w ? load<f32>(srow + <usize>(b * scol)) : 0);
          }
        }
      }
    }
  }
}

/** Phase row r (r = 0, 1) of a stride-2 split: seg[q] = src[2q + c0 + r] where inside [0, w), else 0. */
@inline function phaseScalar(seg: usize, src: usize, c0: i32, w: i32, q0: i32, q1: i32): void {
  for (let q = q0; q < q1; q++) {
    const t = 2 * q + c0;
    store<f32>(seg + (<usize>q << 2), t >= 0 && t < w ? load<f32>(src + (<usize>t << 2)) : 0);
  }
}

/** Both phase rows of a stride-2 split of a contiguous row (src[t], t < w; t = 2q + c0 + r), 4 columns per step. */
function deinterleave2(dst: usize, src: usize, c0: i32, w: i32, wq: i32): void {
  const odd = dst + (<usize>wq << 2);
  // columns q where 2q + c0 ≥ 0 and 2q + c0 + 1 < w: both phases read inside the row
  let lo = c0 >= 0 ? 0 : (1 - c0) / 2;
  let hi = w - 2 - c0 < 0 ? 0 : (w - 2 - c0) / 2 + 1;
  if (lo > wq) lo = wq;
  if (hi > wq) hi = wq;
  if (hi < lo) hi = lo;
  if (hi - lo < 4) {
    phaseScalar(dst, src, c0, w, 0, wq);
    phaseScalar(odd, src, c0 + 1, w, 0, wq);
    return;
  }
  phaseScalar(dst, src, c0, w, 0, lo);
  phaseScalar(odd, src, c0 + 1, w, 0, lo);
  // 4 columns per step; the last step is moved back to end at hi (it rewrites a few columns with the
  // same values), so no scalar tail is left inside the row
  for (let q = lo; ; q += 4) {
    if (q > hi - 4) q = hi - 4;
    const p = src + (<usize>(2 * q + c0) << 2);
    const a = v128.load(p), b = v128.load(p, 16);
    v128.store(dst + (<usize>q << 2), v128.shuffle<f32>(a, b, 0, 2, 4, 6));
    v128.store(odd + (<usize>q << 2), v128.shuffle<f32>(a, b, 1, 3, 5, 7));
    if (q == hi - 4) break;
  }
  phaseScalar(dst, src, c0, w, hi, wq);
  phaseScalar(odd, src, c0 + 1, w, hi, wq);
}

/**
 * With PREP set, prepares the images of units [from, to) (`per` units an image) before they are computed.
 * The pool then hands out chunks of whole images, so each image is prepared once, by the thread that
 * reads it next, from its own cache. (A chunk cut inside an image would only prepare it twice: the same
 * bytes with the same values, never a half-written buffer seen as ready.)
 */
export function prepRange(d: usize, from: i32, to: i32, per: i32): void {
  if (field(d, L.PREP) == 0 || to <= from) return;
  const last = (to - 1) / per;
  for (let n = from / per; n <= last; n++) prepImage(d, n);
}

/** dst[i][j][a][b] (dense) = src at byte offset i·s0 + j·s1 + a·s2 + b·s3: a strided block made contiguous. */
export function gather4(src: usize, n0: i32, n1: i32, n2: i32, n3: i32, s0: i32, s1: i32, s2: i32, s3: i32, dst: usize): void {
  if (s1 === 4 && n1 >= 4 && n3 >= 4) {
    gather4Adjacent(src, n0, n1, n2, n3, s0, s2, s3, dst);
    return;
  }
  if (s2 === 4 && n2 >= 4 && n3 >= 4) {
    // a adjacent in src (e.g. a matrix transposed for linear's x·Wᵀ): the same, with a in place of j
    for (let i = 0; i < n0; i++) {
      for (let j = 0; j < n1; j++) gather4Adjacent(src + <usize>(i * s0 + j * s1), 1, n2, 1, n3, 0, 0, s3, dst + (<usize>((i * n1 + j) * n2 * n3) << 2));
    }
    return;
  }
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      for (let a = 0; a < n2; a++) {
        const row = src + <usize>(i * s0 + j * s1 + a * s2);
        for (let b = 0; b < n3; b++, dst += 4) store<f32>(dst, load<f32>(row + <usize>(b * s3)));
      }
    }
  }
}

/**
 * gather4 with s1 = 4 (j adjacent in src, e.g. a channels-last result back to [N, C, H, W]): 4 j × 4 b at a
 * time, transposed in registers; the j and b tails one value at a time.
 */
function gather4Adjacent(src: usize, n0: i32, n1: i32, n2: i32, n3: i32, s0: i32, s2: i32, s3: i32, dst: usize): void {
  const plane = <usize>(n2 * n3) << 2;
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j += 4) {
      const lanes = min(4, n1 - j);
      for (let a = 0; a < n2; a++) {
        const row = src + <usize>(i * s0 + (j << 2) + a * s2);
        const out = dst + (<usize>(((i * n1 + j) * n2 + a) * n3) << 2);
        let b = 0;
        if (lanes === 4) {
          for (; b + 4 <= n3; b += 4) {
            const p = row + <usize>(b * s3);
            const r0 = v128.load(p), r1 = v128.load(p + <usize>s3), r2 = v128.load(p + 2 * <usize>s3), r3 = v128.load(p + 3 * <usize>s3);
            storeTransposed4(r0, r1, r2, r3, out + (<usize>b << 2), plane);
          }
        }
        for (; b < n3; b++) {
          const p = row + <usize>(b * s3), o = out + (<usize>b << 2);
          for (let m = 0; m < lanes; m++) store<f32>(o + <usize>m * plane, load<f32>(p + (<usize>m << 2)));
        }
      }
    }
  }
}
