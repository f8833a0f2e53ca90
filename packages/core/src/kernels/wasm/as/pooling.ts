// Pooling over [planes, h, w] float32 planes (twins of ../../pool.ts, same results bit for bit), and the
// flat scatter-add behind the max-pool backward (../../indexing.ts). Windows per axis come as i32
// start/end tables (clipped to the input) and, for averages, f64 weights: see ../../pool.ts PoolAxis.
// Max: the first maximum in row-major window order wins; a NaN beats any number, the first NaN wins.
// Averages accumulate in f64 in the js loop's order, so the rounding is the same.

/** One step of the max rule, 4 lanes: take v where v > best, or v is NaN and best is not. */
// @ts-ignore: decorator
@inline function takes(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), v128.andnot(f32x4.ne(v, v), f32x4.ne(best, best)));
}

/**
 * 2×2 windows, stride 2, no padding, 2·oh ≤ h and 2·ow ≤ w. out[o] = max, arg[o] = flat index into x
 * of the first maximum. Four outputs per step: the even and odd columns of two rows de-interleaved.
 */
export function maxPool2x2(x: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, out: usize, arg: usize): void {
  const even = i32x4(0, 2, 4, 6), one = i32x4.splat(1), down = i32x4.splat(w);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const r0 = p * h * w + 2 * oy * w;
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4, o += 4) {
        const p0 = x + (<usize>(r0 + 2 * ox) << 2), p1 = p0 + (<usize>w << 2);
        const u0 = v128.load(p0), u1 = v128.load(p0, 16), l0 = v128.load(p1), l1 = v128.load(p1, 16);
        const ia = i32x4.add(i32x4.splat(r0 + 2 * ox), even), ic = i32x4.add(ia, down);
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
          if (v > best || (v != v && best == best)) { best = v; bi = j; }
        }
        store<f32>(out + (o << 2), best);
        store<i32>(arg + (o << 2), bi);
      }
    }
  }
}

/** Any windows: output (oy, ox) reads rows rs[oy], rs[oy] + dy, … < re[oy] and columns likewise (never empty). */
export function maxPoolWindows(x: usize, planes: i32, h: i32, w: i32, rs: usize, re: usize, dy: i32, cs: usize, ce: usize, dx: i32,
  oh: i32, ow: i32, out: usize, arg: usize): void {
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const ya = load<i32>(rs + (<usize>oy << 2)), yb = load<i32>(re + (<usize>oy << 2));
      for (let ox = 0; ox < ow; ox++, o++) {
        const xa = load<i32>(cs + (<usize>ox << 2)), xb = load<i32>(ce + (<usize>ox << 2));
        let bi = base + ya * w + xa;
        let best = load<f32>(x + (<usize>bi << 2));
        for (let iy = ya; iy < yb; iy += dy) {
          const row = base + iy * w;
          for (let ix = xa; ix < xb; ix += dx) {
            // branch-free: on random data a branch here mispredicts about every other tap
            const v = load<f32>(x + (<usize>(row + ix) << 2));
            const t = <i32>(v > best) | (<i32>(v != v) & <i32>(best == best));
            best = select<f32>(v, best, t);
            bi = select<i32>(row + ix, bi, t);
          }
        }
        store<f32>(out + (o << 2), best);
        store<i32>(arg + (o << 2), bi);
      }
    }
  }
}

/** out = (Σ over each window, in f64) · rw[oy] · cw[ox]; an empty window gives 0. */
export function avgPoolWindows(x: usize, planes: i32, h: i32, w: i32, rs: usize, re: usize, rw: usize, cs: usize, ce: usize, cw: usize,
  oh: i32, ow: i32, out: usize): void {
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const ya = load<i32>(rs + (<usize>oy << 2)), yb = load<i32>(re + (<usize>oy << 2)), wy = load<f64>(rw + (<usize>oy << 3));
      for (let ox = 0; ox < ow; ox++, o++) {
        const xa = load<i32>(cs + (<usize>ox << 2)), xb = load<i32>(ce + (<usize>ox << 2));
        let s: f64 = 0;
        for (let iy = ya; iy < yb; iy++) {
          const row = x + (<usize>(base + iy * w) << 2);
          for (let ix = xa; ix < xb; ix++) s += <f64>load<f32>(row + (<usize>ix << 2));
        }
        store<f32>(out + (o << 2), <f32>(s * wy * load<f64>(cw + (<usize>ox << 3))));
      }
    }
  }
}

/**
 * The adjoint of avgPoolWindows: dx = 0, then each window's inputs get dy · rw · cw (in f64, then rounded,
 * one window after the other, as the js loop).
 */
export function avgPoolAdjoint(dy: usize, planes: i32, h: i32, w: i32, rs: usize, re: usize, rw: usize, cs: usize, ce: usize, cw: usize,
  oh: i32, ow: i32, dx: usize): void {
  memory.fill(dx, 0, <usize>(planes * h * w) << 2);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const ya = load<i32>(rs + (<usize>oy << 2)), yb = load<i32>(re + (<usize>oy << 2)), wy = load<f64>(rw + (<usize>oy << 3));
      for (let ox = 0; ox < ow; ox++, o++) {
        const xa = load<i32>(cs + (<usize>ox << 2)), xb = load<i32>(ce + (<usize>ox << 2));
        const v = <f64>load<f32>(dy + (o << 2)) * wy * load<f64>(cw + (<usize>ox << 3));
        for (let iy = ya; iy < yb; iy++) {
          const row = dx + (<usize>(base + iy * w) << 2);
          for (let ix = xa; ix < xb; ix++) {
            const q = row + (<usize>ix << 2);
            store<f32>(q, <f32>(<f64>load<f32>(q) + v));
          }
        }
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
