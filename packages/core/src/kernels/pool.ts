// 2-D pooling loops over the last two dims of a contiguous [planes, H, W] buffer. No Tensor, no graph.
//
// Every pooling (max/avg with padding, ceil mode, dilation, count_include_pad, divisor override, and the
// adaptive ones) is described per spatial axis by its windows, already clipped to the input: output i
// reads input indices start[i], start[i] + step, … < end[i]. Average pooling's divisor factors into a
// weight per output row times a weight per output column (PyTorch's pool sizes are products of the
// per-axis extents; a divisor override goes into one axis).
import type { TypedArray } from '../tensor.ts';

/** The windows of one spatial axis (see above). `weight[i]`: average pooling's factor for output i. */
export interface PoolAxis {
  start: Int32Array;
  end: Int32Array;
  step: number;
  weight: Float64Array;
}

/** Sizes already checked by the op. `plain2x2`: 2×2 windows, stride 2, no padding, all inside the input. */
export interface Pool2dGeometry {
  planes: number; h: number; w: number;
  rows: PoolAxis; cols: PoolAxis;
  plain2x2: boolean;
}

/**
 * out = max over each window; argmax[i] = flat index into x of the first maximum in row-major
 * window order (ties resolve to the earliest element, as PyTorch's CPU kernel). A NaN in a window wins,
 * and of several NaNs the last (PyTorch's `val > max || isnan(val)`). Windows are never empty (the op checks).
 */
export function maxPool2dForward(x: TypedArray, g: Pool2dGeometry, out: TypedArray, argmax: Int32Array): void {
  if (g.plain2x2 && maxPool2x2(x, g, out, argmax)) return;
  const { planes, h, w, rows, cols } = g;
  const oh = rows.start.length, ow = cols.start.length, dy = rows.step, dx = cols.step;
  let o = 0;
  // Stryker disable next-line EqualityOperator: p <= planes adds a plane past the ends of the arrays, whose writes a typed array drops
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const ya = rows.start[oy], yb = rows.end[oy];
      for (let ox = 0; ox < ow; ox++, o++) {
        const xa = cols.start[ox], xb = cols.end[ox];
        let bi = base + ya * w + xa;
        let best = x[bi];
        for (let iy = ya; iy < yb; iy += dy) {
          const row = base + iy * w;
          for (let ix = xa; ix < xb; ix += dx) {
            const v = x[row + ix];
            if (v > best || v !== v) { best = v; bi = row + ix; }
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
 * (Exported for its test: that the fast path handles every NaN-free plain input itself.)
 */
export function maxPool2x2(x: TypedArray, g: Pool2dGeometry, out: TypedArray, argmax: Int32Array): boolean {
  const { planes, h, w } = g;
  const oh = g.rows.start.length, ow = g.cols.start.length;
  let o = 0, total = 0;
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const r0 = p * h * w + 2 * oy * w, r1 = r0 + w;
      for (let ox = 0; ox < ow; ox++, o++) {
        const i0 = r0 + 2 * ox, i2 = r1 + 2 * ox;
        const a = x[i0], b = x[i0 + 1], c = x[i2], d = x[i2 + 1];
        // Stryker disable next-line AssignmentOperator: total -= … is NaN exactly when total += … is (a NaN, or ∞ − ∞ across windows): only the sign of the unused sum changes
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

/** out = (sum over each window) · rows.weight[oy] · cols.weight[ox]; an empty window gives 0. */
export function avgPool2dForward(x: TypedArray, g: Pool2dGeometry, out: TypedArray): void {
  const { planes, h, w, rows, cols } = g;
  const oh = rows.start.length, ow = cols.start.length;
  let o = 0;
  // Stryker disable next-line EqualityOperator: p <= planes adds a plane past the ends of the arrays, whose writes a typed array drops
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const ya = rows.start[oy], yb = rows.end[oy], wy = rows.weight[oy];
      for (let ox = 0; ox < ow; ox++, o++) {
        const xa = cols.start[ox], xb = cols.end[ox];
        let s = 0;
        for (let iy = ya; iy < yb; iy++) {
          const row = base + iy * w;
          for (let ix = xa; ix < xb; ix++) s += x[row + ix];
        }
        out[o] = s * wy * cols.weight[ox];
      }
    }
  }
}

/** The adjoint of avgPool2dForward: dx = 0, then every window's inputs get its output gradient times its weight. */
export function avgPool2dAdjoint(dy: TypedArray, g: Pool2dGeometry, dx: TypedArray): void {
  const { planes, h, w, rows, cols } = g;
  const oh = rows.start.length, ow = cols.start.length;
  dx.fill(0);
  let o = 0;
  // Stryker disable next-line EqualityOperator: p <= planes adds a plane past the ends of the arrays, whose writes a typed array drops
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const ya = rows.start[oy], yb = rows.end[oy], wy = rows.weight[oy];
      for (let ox = 0; ox < ow; ox++, o++) {
        const xa = cols.start[ox], xb = cols.end[ox];
        const v = dy[o] * wy * cols.weight[ox];
        for (let iy = ya; iy < yb; iy++) {
          const row = base + iy * w;
          for (let ix = xa; ix < xb; ix++) dx[row + ix] += v;
        }
      }
    }
  }
}

/** [0, 1]: ReLU's gradient factor indexed by +(y > 0). */
const STEP = new Float64Array([0, 1]);

/**
 * Max pooling's backward, with ReLU's before it when `y` (the ReLU's output) is given, in one pass:
 * dz = 0, then dz[argmax[i]] += d_i with d_i = y[i] > 0 ? dy[i] + 0 : 0 (or dy[i] without y), and
 * sums[c] += d_i (float64, plane by plane) for channel c = ⌊i / per⌋ mod sums.length: the output
 * planes are [N, C] with `per` values each. Twin of scatterAddFlat(stepScale(dy, y, 0)) and its channel sums.
 */
export function maxPoolAdjointSums(dy: TypedArray, y: TypedArray | null, argmax: Int32Array, per: number, dz: TypedArray, sums: Float64Array): void {
  dz.fill(0);
  sums.fill(0);
  const channels = sums.length;
  let finite = 1;
  for (let p = 0, i = 0; i < dy.length; p++) {
    let s = 0;
    if (y === null) {
      for (const end = i + per; i < end; i++) {
        const d = dy[i];
        dz[argmax[i]] += d;
        s += d;
      }
    } else {
      // branch-free (the sign of y is a coin toss): 0·dy is only wrong for dy = ±∞ or NaN, redone below
      for (const end = i + per; i < end; i++) {
        const g = dy[i], d = g * STEP[+(y[i] > 0)] + 0;
        finite &= +(Math.abs(g) < Infinity);
        dz[argmax[i]] += d;
        s += d;
      }
    }
    sums[p % channels] += s;
  }
  if (!finite) {
    const d = new Float64Array(dy.length);
    for (let i = 0; i < d.length; i++) d[i] = y![i] > 0 ? dy[i] + 0 : 0;
    maxPoolAdjointSums(d, null, argmax, per, dz, sums);
  }
}
