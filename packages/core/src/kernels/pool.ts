// 2-D pooling loops over the last two dims of a contiguous [planes, H, W] buffer. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

/** Sizes already checked by the op. Windows are clipped to the input (padding never wins a max). */
export interface Pool2dGeometry {
  planes: number; h: number; w: number;
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  oh: number; ow: number;
}

/**
 * out = max over each window; argmax[i] = flat index into x of the first maximum in row-major
 * window order (ties resolve to the earliest element). A NaN in a window wins, as in PyTorch.
 */
export function maxPool2dForward(x: TypedArray, g: Pool2dGeometry, out: TypedArray, argmax: Int32Array): void {
  if (g.kh === 2 && g.kw === 2 && g.sh === 2 && g.sw === 2 && g.ph === 0 && g.pw === 0 && maxPool2x2(x, g, out, argmax)) return;
  const { planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = y0 < 0 ? 0 : y0, yb = y0 + kh > h ? h : y0 + kh;
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = ox * sw - pw;
        const xa = x0 < 0 ? 0 : x0, xb = x0 + kw > w ? w : x0 + kw;
        let bi = base + ya * w + xa;
        let best = x[bi];
        for (let iy = ya; iy < yb; iy++) {
          const row = base + iy * w;
          for (let ix = xa; ix < xb; ix++) {
            const v = x[row + ix];
            if (v > best || (v !== v && best === best)) { best = v; bi = row + ix; }
          }
        }
        out[o] = best;
        argmax[o] = bi;
      }
    }
  }
}

/**
 * The common 2×2, stride 2, unpadded case without branches on the data (comparisons feed index
 * arithmetic; random data would defeat the branch predictor). Same first-maximum rule on ties.
 * Returns false when the input holds a NaN (or ∞ − ∞), which the general loop must handle.
 */
function maxPool2x2(x: TypedArray, g: Pool2dGeometry, out: TypedArray, argmax: Int32Array): boolean {
  const { planes, h, w, oh, ow } = g;
  let o = 0, total = 0;
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const r0 = p * h * w + 2 * oy * w, r1 = r0 + w;
      for (let ox = 0; ox < ow; ox++, o++) {
        const i0 = r0 + 2 * ox, i2 = r1 + 2 * ox;
        const a = x[i0], b = x[i0 + 1], c = x[i2], d = x[i2 + 1];
        total += a + b + c + d;
        const j0 = i0 + +(b > a), j1 = i2 + +(d > c); // best of each row
        const j = j0 + (j1 - j0) * +(x[j1] > x[j0]);
        out[o] = x[j];
        argmax[o] = j;
      }
    }
  }
  return total === total;
}

/** out = (sum over each window, padding counted as zeros) / (kh·kw): count_include_pad. */
export function avgPool2dForward(x: TypedArray, g: Pool2dGeometry, out: TypedArray): void {
  const { planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const inv = 1 / (kh * kw);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = y0 < 0 ? 0 : y0, yb = y0 + kh > h ? h : y0 + kh;
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = ox * sw - pw;
        const xa = x0 < 0 ? 0 : x0, xb = x0 + kw > w ? w : x0 + kw;
        let s = 0;
        for (let iy = ya; iy < yb; iy++) {
          const row = base + iy * w;
          for (let ix = xa; ix < xb; ix++) s += x[row + ix];
        }
        out[o] = s * inv;
      }
    }
  }
}

/** The adjoint of avgPool2dForward: dx = 0, then every window gets its output gradient / (kh·kw). */
export function avgPool2dAdjoint(dy: TypedArray, g: Pool2dGeometry, dx: TypedArray): void {
  const { planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const inv = 1 / (kh * kw);
  dx.fill(0);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = y0 < 0 ? 0 : y0, yb = y0 + kh > h ? h : y0 + kh;
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = ox * sw - pw;
        const xa = x0 < 0 ? 0 : x0, xb = x0 + kw > w ? w : x0 + kw;
        const v = dy[o] * inv;
        for (let iy = ya; iy < yb; iy++) {
          const row = base + iy * w;
          for (let ix = xa; ix < xb; ix++) dx[row + ix] += v;
        }
      }
    }
  }
}
