// Reference conv2d (cross-correlation) kernel in plain TypeScript: im2col + GEMM. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';
import { gemm } from './gemm.ts';
import { scratch } from './scratch.ts';

/** Everything a conv kernel needs to know; sizes already checked by the op. */
export interface Conv2dGeometry {
  n: number; c: number; h: number; w: number; // input [N, C, H, W]
  o: number; kh: number; kw: number;           // weights [O, C, KH, KW]
  sh: number; sw: number;                      // stride
  pt: number; pl: number;                      // top / left zero padding (bottom/right implied by oh, ow)
  dh: number; dw: number;                      // kernel dilation
  oh: number; ow: number;                      // output [N, O, OH, OW]
}

/**
 * col[(ci·KH + ki)·KW + kj][oy·OW + ox] = x[ci][oy·sh − pt + ki·dh][ox·sw − pl + kj·dw], 0 outside.
 */
export function im2col(x: TypedArray, xOff: number, g: Conv2dGeometry, col: TypedArray): void {
  const { c, h, w, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow } = g;
  const plane = oh * ow;
  let row = 0;
  for (let ci = 0; ci < c; ci++) {
    const xc = xOff + ci * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row++) {
        const r0 = row * plane;
        const dx = kj * dw - pl;
        // ox range whose input column lies inside [0, w)
        const oxLo = Math.min(ow, Math.max(0, Math.ceil(-dx / sw)));
        const oxHi = Math.max(oxLo, Math.min(ow, Math.floor((w - 1 - dx) / sw) + 1));
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - pt + ki * dh;
          const cr = r0 + oy * ow;
          if (iy < 0 || iy >= h) {
            col.fill(0, cr, cr + ow);
            continue;
          }
          const xr = xc + iy * w + dx;
          col.fill(0, cr, cr + oxLo);
          if (sw === 1) {
            for (let ox = oxLo; ox < oxHi; ox++) col[cr + ox] = x[xr + ox];
          } else {
            for (let ox = oxLo; ox < oxHi; ox++) col[cr + ox] = x[xr + ox * sw];
          }
          col.fill(0, cr + oxHi, cr + ow);
        }
      }
    }
  }
}

/** out[n] = W · im2col(x[n]) (+ bias per output channel). */
export function conv2dForward(x: TypedArray, wt: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): void {
  const kdim = g.c * g.kh * g.kw;
  const plane = g.oh * g.ow;
  const col = scratch(x instanceof Float64Array ? 'float64' : 'float32', 'im2col', kdim * plane);
  for (let n = 0; n < g.n; n++) {
    im2col(x, n * g.c * g.h * g.w, g, col);
    const oOff = n * g.o * plane;
    gemm(g.o, plane, kdim, wt, 0, col, 0, out, oOff, false);
    if (bias) {
      for (let o = 0; o < g.o; o++) {
        const bv = bias[o];
        const r = oOff + o * plane;
        for (let q = 0; q < plane; q++) out[r + q] += bv;
      }
    }
  }
}
