// Separable resampling of the last two dims of a contiguous [planes, H, W] buffer (nearest and bilinear
// interpolation): out[p, oy, ox] = Σ_a Σ_b wy[oy, a] · wx[ox, b] · x[p, iy[oy, a], ix[ox, b]], with a
// fixed number of taps per output index on each axis. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';

/** Per output index i: taps index[i·taps + t] with weight[i·taps + t]. */
export interface ResampleAxis { taps: number; index: Int32Array; weight: Float64Array }

export function resampleForward(x: TypedArray, planes: number, h: number, w: number, rows: ResampleAxis, cols: ResampleAxis, out: TypedArray): void {
  const oh = rows.index.length / rows.taps, ow = cols.index.length / cols.taps;
  const tr = rows.taps, tc = cols.taps;
  let o = 0;
  // Stryker disable next-line EqualityOperator: p <= planes adds a plane past the ends of the arrays, whose writes a typed array drops
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        let s = 0;
        for (let a = oy * tr; a < (oy + 1) * tr; a++) {
          const row = base + rows.index[a] * w, wy = rows.weight[a];
          let t = 0;
          for (let b = ox * tc; b < (ox + 1) * tc; b++) t += cols.weight[b] * x[row + cols.index[b]];
          s += wy * t;
        }
        out[o] = s;
      }
    }
  }
}

/** The adjoint: dx = 0, then each output's gradient goes back to its taps, weighted. */
export function resampleAdjoint(dy: TypedArray, planes: number, h: number, w: number, rows: ResampleAxis, cols: ResampleAxis, dx: TypedArray): void {
  const oh = rows.index.length / rows.taps, ow = cols.index.length / cols.taps;
  const tr = rows.taps, tc = cols.taps;
  dx.fill(0);
  let o = 0;
  // Stryker disable next-line EqualityOperator: p <= planes adds a plane past the ends of the arrays, whose writes a typed array drops
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        const g = dy[o];
        for (let a = oy * tr; a < (oy + 1) * tr; a++) {
          const row = base + rows.index[a] * w, gy = g * rows.weight[a];
          for (let b = ox * tc; b < (ox + 1) * tc; b++) dx[row + cols.index[b]] += gy * cols.weight[b];
        }
      }
    }
  }
}
