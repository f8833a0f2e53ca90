// Pooling over [planes, h, w] float32 planes (twins of ../../pool.ts, same results bit for bit), and the
// flat scatter-add behind the max-pool backward (../../indexing.ts). Windows per axis come as i32
// start/end tables (clipped to the input) and, for averages, f64 weights: see ../../pool.ts PoolAxis.
// Max: the first maximum in row-major window order wins; a NaN beats any number, the last NaN wins (PyTorch).
// Averages accumulate in f64 in the js loop's order, so the rounding is the same.

/** One step of the max rule, 4 lanes: take v where v > best or v is NaN. */
// @ts-ignore: decorator
@inline function takes(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
}

/**
 * 2×2 windows, stride 2, no padding, 2·oh ≤ h and 2·ow ≤ w. out[o] = max, arg[o] = flat index into x
 * of the first maximum. Four outputs per step: the even and odd columns of two rows de-interleaved.
 */
export function maxPool2x2(x: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, out: usize, arg: usize): void {
  maxPool2x2From(x, planes, h, w, oh, ow, out, arg, 0);
}

/** maxPool2x2 with `base` added to every argmax (x being a part of a larger array: the wide kernel's epilogue). */
export function maxPool2x2From(x: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, out: usize, arg: usize, base: i32): void {
  const even = i32x4(0, 2, 4, 6), one = i32x4.splat(1), down = i32x4.splat(w);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const r0 = p * h * w + 2 * oy * w;
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4, o += 4) {
        const p0 = x + (<usize>(r0 + 2 * ox) << 2), p1 = p0 + (<usize>w << 2);
        const u0 = v128.load(p0), u1 = v128.load(p0, 16), l0 = v128.load(p1), l1 = v128.load(p1, 16);
        const ia = i32x4.add(i32x4.splat(base + r0 + 2 * ox), even), ic = i32x4.add(ia, down);
        let best = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6), bi = ia;
        const b = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
        let m = takes(b, best);
        best = v128.bitselect(b, best, m); bi = v128.bitselect(i32x4.add(ia, one), bi, m);
        const c = v128.shuffle<f32>(l0, l1, 0, 2, 4, 6);
        m = takes(c, best);
        best = v128.bitselect(c, best, m); bi = v128.bitselect(ic, bi, m);
        const d = v128.shuffle<f32>(l0, l1, 1, 3, 5, 7);
        m = takes(d, best);
        best = v128.bitselect(d, best, m); bi = v128.bitselect(i32x4.add(ic, one), bi, m);
        v128.store(out + (o << 2), best);
        v128.store(arg + (o << 2), bi);
      }
      for (; ox < ow; ox++, o++) {
        const i = r0 + 2 * ox;
        let bi = i, best = load<f32>(x + (<usize>i << 2));
        for (let k = 1; k < 4; k++) {
          const j = i + (k >> 1) * w + (k & 1);
          const v = load<f32>(x + (<usize>j << 2));
          if (v > best || v != v) { best = v; bi = j; }
        }
        store<f32>(out + (o << 2), best);
        store<i32>(arg + (o << 2), base + bi);
      }
    }
  }
}

// Any windows: four planes at a time, one per lane (every plane has the same windows, so the lanes run
// the same loop with no branch on the data). Lane l is plane p + l, or the last plane again past the
// end (computed, never stored).

/** Byte offset of lane l's plane in a group starting at plane p (planes `bytes` apart; past the end: the last plane). */
// @ts-ignore: decorator
@inline function laneAt(p: i32, l: i32, planes: i32, bytes: usize): usize {
  return <usize>min(p + l, planes - 1) * bytes;
}

/** The f32 at q, q + b1, q + b2, q + b3 (one per plane of the group). */
// @ts-ignore: decorator
@inline function lanes(q: usize, b1: usize, b2: usize, b3: usize): v128 {
  let v = v128.load32_zero(q);
  v = v128.load32_lane(q + b1, v, 1);
  v = v128.load32_lane(q + b2, v, 2);
  return v128.load32_lane(q + b3, v, 3);
}

/** Stores the lanes of the real planes (rem of them) at q, q + b1, q + b2, q + b3. */
// @ts-ignore: decorator
@inline function storeLanes(q: usize, b1: usize, b2: usize, b3: usize, rem: i32, v: v128): void {
  v128.store32_lane(q, v, 0);
  if (rem > 1) v128.store32_lane(q + b1, v, 1);
  if (rem > 2) v128.store32_lane(q + b2, v, 2);
  if (rem > 3) v128.store32_lane(q + b3, v, 3);
}

/** Any windows: output (oy, ox) reads rows rs[oy], rs[oy] + dy, … < re[oy] and columns likewise (never empty). */
export function maxPoolWindows(x: usize, planes: i32, h: i32, w: i32, rs: usize, re: usize, dy: i32, cs: usize, ce: usize, dx: i32,
  oh: i32, ow: i32, out: usize, arg: usize): void {
  const hw = h * w, ohw = oh * ow;
  for (let p = 0; p < planes; p += 4) {
    // byte offsets of lanes 1–3 from lane 0, in x and in the outputs
    const rem = min(planes - p, 4), xPlane = <usize>hw << 2, oPlane = <usize>ohw << 2;
    const x0 = <usize>p * xPlane, x1 = laneAt(p, 1, planes, xPlane) - x0, x2 = laneAt(p, 2, planes, xPlane) - x0, x3 = laneAt(p, 3, planes, xPlane) - x0;
    const o0 = <usize>p * oPlane, o1 = laneAt(p, 1, planes, oPlane) - o0, o2 = laneAt(p, 2, planes, oPlane) - o0, o3 = laneAt(p, 3, planes, oPlane) - o0;
    // flat index of each lane's plane start
    const base = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(p * hw),
      1, <i32>((x0 + x1) >> 2)), 2, <i32>((x0 + x2) >> 2)), 3, <i32>((x0 + x3) >> 2));
    for (let oy = 0; oy < oh; oy++) {
      const ya = load<i32>(rs + (<usize>oy << 2)), yb = load<i32>(re + (<usize>oy << 2));
      for (let ox = 0; ox < ow; ox++) {
        const xa = load<i32>(cs + (<usize>ox << 2)), xb = load<i32>(ce + (<usize>ox << 2));
        const first = ya * w + xa;
        let best = lanes(x + x0 + (<usize>first << 2), x1, x2, x3), bi = i32x4.add(base, i32x4.splat(first));
        for (let iy = ya; iy < yb; iy += dy) {
          for (let ix = xa; ix < xb; ix += dx) {
            const at = iy * w + ix;
            const v = lanes(x + x0 + (<usize>at << 2), x1, x2, x3);
            const m = takes(v, best);
            best = v128.bitselect(v, best, m);
            bi = v128.bitselect(i32x4.add(base, i32x4.splat(at)), bi, m);
          }
        }
        const r = <usize>(oy * ow + ox) << 2;
        storeLanes(out + o0 + r, o1, o2, o3, rem, best);
        storeLanes(arg + o0 + r, o1, o2, o3, rem, bi);
      }
    }
  }
}

/** Lanes 0, 1 of a and 0, 1 of b (f64x2 results demoted) as one f32x4. */
// @ts-ignore: decorator
@inline function demote4(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}

// @ts-ignore: decorator
@inline function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

/** (Σ of a window in each of the four planes at x, in f64) · wy · wx, as f32x4. */
// @ts-ignore: decorator
@inline function windowMean(x: usize, w: i32, ya: i32, yb: i32, xa: i32, xb: i32, x1: usize, x2: usize, x3: usize, wy: v128, wx: v128): v128 {
  let s01 = f64x2.splat(0), s23 = s01;
  for (let iy = ya; iy < yb; iy++) {
    for (let ix = xa; ix < xb; ix++) {
      const v = lanes(x + (<usize>(iy * w + ix) << 2), x1, x2, x3);
      s01 = f64x2.add(s01, f64x2.promote_low_f32x4(v));
      s23 = f64x2.add(s23, high(v));
    }
  }
  return demote4(f64x2.mul(f64x2.mul(s01, wy), wx), f64x2.mul(f64x2.mul(s23, wy), wx));
}

/** Adds g · wy · wx (in f64, then rounded) to a window of each of the four planes at dx. */
// @ts-ignore: decorator
@inline function windowSpread(dx: usize, w: i32, ya: i32, yb: i32, xa: i32, xb: i32, x1: usize, x2: usize, x3: usize, rem: i32, g: v128, wy: v128, wx: v128): void {
  const v01 = f64x2.mul(f64x2.mul(f64x2.promote_low_f32x4(g), wy), wx), v23 = f64x2.mul(f64x2.mul(high(g), wy), wx);
  for (let iy = ya; iy < yb; iy++) {
    for (let ix = xa; ix < xb; ix++) {
      const q = dx + (<usize>(iy * w + ix) << 2);
      const cur = lanes(q, x1, x2, x3);
      storeLanes(q, x1, x2, x3, rem, demote4(f64x2.add(f64x2.promote_low_f32x4(cur), v01), f64x2.add(high(cur), v23)));
    }
  }
}

/**
 * Average pooling, or with `adjoint` its adjoint. Forward: dst = (Σ over each window of src, in f64) · rw[oy] · cw[ox]
 * (an empty window gives 0). Adjoint: dst = 0, then each window's inputs get src · rw · cw (in f64, rounded after
 * each add, windows in order: as the js loop). Four planes at a time, two f64x2 per four lanes.
 */
export function avgPool(src: usize, planes: i32, h: i32, w: i32, rs: usize, re: usize, rw: usize, cs: usize, ce: usize, cw: usize,
  oh: i32, ow: i32, dst: usize, adjoint: bool): void {
  if (adjoint) memory.fill(dst, 0, <usize>(planes * h * w) << 2);
  const x = adjoint ? dst : src, y = adjoint ? src : dst; // the input-sized and the output-sized buffer
  const hw = h * w, ohw = oh * ow;
  for (let p = 0; p < planes; p += 4) {
    // byte offsets of lanes 1–3 from lane 0, in x and in y
    const rem = min(planes - p, 4), xPlane = <usize>hw << 2, oPlane = <usize>ohw << 2;
    const x0 = <usize>p * xPlane, x1 = laneAt(p, 1, planes, xPlane) - x0, x2 = laneAt(p, 2, planes, xPlane) - x0, x3 = laneAt(p, 3, planes, xPlane) - x0;
    const o0 = <usize>p * oPlane, o1 = laneAt(p, 1, planes, oPlane) - o0, o2 = laneAt(p, 2, planes, oPlane) - o0, o3 = laneAt(p, 3, planes, oPlane) - o0;
    for (let oy = 0; oy < oh; oy++) {
      const ya = load<i32>(rs + (<usize>oy << 2)), yb = load<i32>(re + (<usize>oy << 2)), wy = f64x2.splat(load<f64>(rw + (<usize>oy << 3)));
      for (let ox = 0; ox < ow; ox++) {
        const xa = load<i32>(cs + (<usize>ox << 2)), xb = load<i32>(ce + (<usize>ox << 2)), wx = f64x2.splat(load<f64>(cw + (<usize>ox << 3)));
        const at = y + o0 + (<usize>(oy * ow + ox) << 2);
        if (adjoint) windowSpread(x + x0, w, ya, yb, xa, xb, x1, x2, x3, rem, lanes(at, o1, o2, o3), wy, wx);
        else storeLanes(at, o1, o2, o3, rem, windowMean(x + x0, w, ya, yb, xa, xb, x1, x2, x3, wy, wx));
      }
    }
  }
}

/** out[0 … len) = 0, then out[idx[i]] += src[i] for i < n (indices outside [0, len) are skipped). */
export function scatterAddFlat(src: usize, idx: usize, n: i32, out: usize, len: i32): void {
  memory.fill(out, 0, <usize>len << 2);
  for (let i = 0; i < n; i++) {
    const j = load<i32>(idx + (<usize>i << 2));
    if (<u32>j < <u32>len) {
      const q = out + (<usize>j << 2);
      store<f32>(q, load<f32>(q) + load<f32>(src + (<usize>i << 2)));
    }
  }
}

/**
 * sums[p mod channels] += Σ d over plane p (f64; planes of `per` values), d = y > 0 ? dy + 0 : 0 (or dy + 0
 * when y = 0): the bias gradient of conv-pool's fused node from its pooled gradient (the sums of
 * ../../pool.ts maxPoolAdjointSums up to the order of the float64 additions). A masked ±∞ or NaN gives 0.
 */
export function pooledSums(dy: usize, y: usize, planes: i32, per: i32, channels: i32, sums: usize): void {
  memory.fill(sums, 0, <usize>channels << 3);
  const zero = f32x4.splat(0);
  for (let p = 0; p < planes; p++) {
    const base = dy + (<usize>(p * per) << 2), ybase = y + (<usize>(p * per) << 2);
    let lo = f64x2.splat(0), hi = f64x2.splat(0), s: f64 = 0;
    let i = 0;
    for (; i + 4 <= per; i += 4) {
      const q = <usize>i << 2;
      let v = f32x4.add(v128.load(base + q), zero);
      if (y) v = v128.and(v, f32x4.gt(v128.load(ybase + q), zero));
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
    }
    for (; i < per; i++) {
      const q = <usize>i << 2;
      const v = load<f32>(base + q) + 0;
      if (!y || load<f32>(ybase + q) > 0) s += <f64>v;
    }
    const at = sums + (<usize>(p % channels) << 3);
    store<f64>(at, load<f64>(at) + (f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1)) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1)) + s);
  }
}
