// The non-zero lists of the sparse dW (sparse-dw.ts sparseList) and dX (sparse-dx.ts sparseInputList) for a
// δ that max pooling's backward would scatter (ops/conv-pool.ts): its non-zeros can only sit at the
// windows' argmax, so they are listed from the pooled gradient dy and its argmax, without δ. The same
// entries in the same order as the scans of the scattered δ, and the same give-up points, so the gradients
// that follow are the same bit for bit.

import { compact4 } from './compact';
import { denseSoFar } from './sparse-dw';

/** Copies `bytes` (a few entries: an inline loop, cheaper than memory.copy's call) from src to dst, 16 at a time (up to 15 more). */
// @ts-ignore: decorator
@inline function copyAfter(dst: usize, src: usize, bytes: usize): void {
  for (let i: usize = 0; i < bytes; i += 16) v128.store(dst + i, v128.load(src + i));
}

/** Stores the lanes of offsets `off` and values `v` set in mask m as 4 (offset, value) pairs at q; returns how many are real. */
// @ts-ignore: decorator
@inline function pairs4(q: usize, off: v128, v: v128, m: i32): i32 {
  const o4 = compact4(off, m), v4 = compact4(v, m);
  v128.store(q, v128.shuffle<i32>(o4, v4, 0, 4, 1, 5));
  v128.store(q, v128.shuffle<i32>(o4, v4, 2, 6, 3, 7), 16);
  return <i32>popcnt(m);
}

/** Stores the lanes of offsets `off` and values `v` set in mask m as 4 (offset, chan, value, chan) triples at q; returns how many are real. */
// @ts-ignore: decorator
@inline function triples4(q: usize, off: v128, chan: v128, v: v128, m: i32): i32 {
  const o4 = compact4(off, m), v4 = compact4(v, m);
  const lo = v128.shuffle<i32>(o4, v4, 0, 4, 1, 5), hi = v128.shuffle<i32>(o4, v4, 2, 6, 3, 7);
  v128.store(q, v128.shuffle<i32>(lo, chan, 0, 4, 1, 4));
  v128.store(q, v128.shuffle<i32>(lo, chan, 2, 4, 3, 4), 16);
  v128.store(q, v128.shuffle<i32>(hi, chan, 0, 4, 1, 4), 32);
  v128.store(q, v128.shuffle<i32>(hi, chan, 2, 4, 3, 4), 48);
  return <i32>popcnt(m);
}

/**
 * One pooled row of 2×2 windows (`pw` of them, from index `row` of dy, y and arg), split by the δ row its
 * maximum is on: the upper row's (δ indices rowStart + b, b < kw) at q, the list's end, the lower row's at
 * tmp. Each entry is (at + b·px, plus rowBytes on the lower row; the value) in 8 bytes, or with `entry` 16
 * (offset, chan, value, chan), for the non-zero d = y > 0 ? dy + 0 : 0 (or dy; NaN counts). 4 windows at a
 * time, branch-free. Returns the upper row's count | the lower row's << 16.
 */
function splitRow(dy: usize, y: usize, arg: usize, row: i32, pw: i32, rowStart: i32, kw: i32, at: i32, rowBytes: i32, px: i32,
  chan: i32, entry: i32, q: usize, tmp: usize): i32 {
  const shift = entry == 16 ? 4 : 3;
  const startv = i32x4.splat(rowStart), atv = i32x4.splat(at), kwv = i32x4.splat(kw), pxv = i32x4.splat(px);
  const down = i32x4.splat(rowBytes), chanv = i32x4.splat(chan), zero = f32x4.splat(0);
  let upper = 0, lower = 0, qx = 0;
  for (; qx + 4 <= pw; qx += 4) {
    const i = <usize>(row + qx) << 2;
    const rel = i32x4.sub(v128.load(arg + i), startv); // b, or KW + b on the lower row
    const isLower = i32x4.ge_s(rel, kwv);
    const b = i32x4.sub(rel, v128.and(isLower, kwv));
    const off = i32x4.add(i32x4.add(atv, i32x4.mul(b, pxv)), v128.and(isLower, down));
    const v = v128.load(dy + i);
    let keep = f32x4.ne(v, zero);
    if (y) keep = v128.and(keep, f32x4.gt(v128.load(y + i), zero));
    const mu = i32x4.bitmask(v128.andnot(keep, isLower)), ml = i32x4.bitmask(v128.and(keep, isLower));
    if (entry == 16) {
      upper += triples4(q + (<usize>upper << 4), off, chanv, v, mu);
      lower += triples4(tmp + (<usize>lower << 4), off, chanv, v, ml);
    } else {
      upper += pairs4(q + (<usize>upper << 3), off, v, mu);
      lower += pairs4(tmp + (<usize>lower << 3), off, v, ml);
    }
  }
  for (; qx < pw; qx++) {
    const i = <usize>(row + qx) << 2;
    const rel = load<i32>(arg + i) - rowStart, isLower = rel >= kw;
    const v = load<f32>(dy + i);
    const keep = <i32>(v != 0 && (!y || load<f32>(y + i) > 0));
    const e = isLower ? tmp + (<usize>lower << shift) : q + (<usize>upper << shift);
    store<i32>(e, at + (isLower ? rowBytes + (rel - kw) * px : rel * px));
    if (entry == 16) {
      store<i32>(e, chan, 4);
      store<f32>(e, v, 8);
    } else {
      store<f32>(e, v, 4);
    }
    if (isLower) lower += keep;
    else upper += keep;
  }
  return upper | (lower << 16);
}

/**
 * Appends a split row (splitRow's result: the upper δ row's entries already at the list's end, the lower
 * row's in tmp; entries 1 << shift bytes) to the list of `count` entries, with the scan's checks after each
 * of the two δ rows (`seen` values scanned before the upper row). Returns the new count, or −1 to give up.
 */
function appendRow(split: i32, count: i32, nz: usize, tmp: usize, shift: i32, seen: i32, w: i32, total: i32, cap: i32): i32 {
  count += split & 0xffff;
  if (count > cap || denseSoFar(count, seen + w, total, cap)) return -1;
  copyAfter(nz + (<usize>count << shift), tmp, <usize>(split >>> 16) << shift);
  count += split >>> 16;
  return count > cap || denseSoFar(count, seen + 2 * w, total, cap) ? -1 : count;
}

/**
 * dy [C, O, PH, PW] (f32; C: the dW conv's channels = the batch) with argmax `arg` (i32 flat indices into
 * δ [C, O, KH, KW]) over 2×2 windows of stride 2, and `y` (ReLU's output, same layout; 0: no ReLU): each
 * value d = y > 0 ? dy + 0 : 0 (or dy) is δ at its argmax. Lists the non-zero d (NaN counts) per kernel o
 * as (byte offset of (c', a, b) in X prepared [C'][HP][WP][NP], value) pairs, δ's row a and column b
 * ascending within each (o, c') as the scan has them: per pooled row, the maxima on the upper row, then
 * those on the lower row (held in `tmp`, room for PW + 4 pairs). `nz` needs room for cap + KW + 8 pairs.
 * Returns the count, or −1 where sparseList gives up.
 */
export function sparseListPooled(dy: usize, y: usize, arg: usize, o: i32, c: i32, kh: i32, kw: i32, ph: i32, pw: i32,
  hp: i32, wp: i32, np: i32, nz: usize, nzAt: usize, cap: i32, tmp: usize): i32 {
  let count = 0;
  const total = o * c * kh * kw, px = np << 2, per = ph * pw, rowBytes = wp * px;
  for (let k = 0; k < o; k++) {
    store<i32>(nzAt + (<usize>k << 2), count);
    for (let ci = 0; ci < c; ci++) {
      const p = ci * o + k, zbase = p * kh * kw;
      for (let py = 0; py < ph; py++) {
        const a = 2 * py;
        const split = splitRow(dy, y, arg, p * per + py * pw, pw, zbase + a * kw, kw, (ci * hp + a) * rowBytes, rowBytes, px, 0, 8, nz + (<usize>count << 3), tmp);
        count = appendRow(split, count, nz, tmp, 3, ((k * c + ci) * kh + a) * kw, kw, total, cap);
        if (count < 0) return -1;
      }
    }
  }
  store<i32>(nzAt + (<usize>o << 2), count);
  return count;
}

/**
 * sparseInputList (sparse-dx.ts) for the padded δ of a stride-1 conv's dX when δ is max pooling's scatter:
 * dy [N, C, PH, PW] with argmax into δ [N, C, H, W] over 2×2 windows of stride 2, y as in sparseListPooled.
 * δ (n, c, a, b) reaches output position (r0 + a, q0 + b) of OUTCL [N][rows][cols][OP] for tap (0, 0).
 * The same triples in the same order as the scan of δ (per image, channel, row, column), and the same
 * give-up points. `tmp`: room for PW + 4 triples; nz: for cap + W + 8.
 */
export function sparseInputListPooled(dy: usize, y: usize, arg: usize, n: i32, c: i32, h: i32, w: i32, ph: i32, pw: i32,
  r0: i32, q0: i32, rows: i32, cols: i32, op: i32, wChan: i32, nz: usize, nzAt: usize, cap: i32, tmp: usize): i32 {
  let count = 0;
  const total = n * c * h * w, px = op << 2, per = ph * pw;
  for (let i = 0; i < n; i++) {
    store<i32>(nzAt + (<usize>i << 2), count);
    for (let ci = 0; ci < c; ci++) {
      const p = i * c + ci;
      for (let py = 0; py < ph; py++) {
        const a = 2 * py;
        const split = splitRow(dy, y, arg, p * per + py * pw, pw, p * h * w + a * w, w, ((i * rows + r0 + a) * cols + q0) * px, cols * px, px,
          ci * wChan, 16, nz + (<usize>count << 4), tmp);
        count = appendRow(split, count, nz, tmp, 4, ((i * c + ci) * h + a) * w, w, total, cap);
        if (count < 0) return -1;
      }
    }
  }
  store<i32>(nzAt + (<usize>n << 2), count);
  return count;
}
