// conv2d (cross-correlation) kernel in plain TypeScript. No Tensor, no graph.
//
// An implicit-im2col GEMM: out[o][q] = Σ_p W[o][p] · X[q + off[p]], where q runs over every output
// position of the batch (its window's corner in a zero-padded float64 copy of x) and p over the taps
// (c, ki, kj) (their offset off[p] from that corner). im2col's K × Q matrix is never built: four
// positions at a time are gathered into a small packed tile, and the register-blocked product of
// panel.ts runs every output channel over it. The same loop serves a 3×3 layer (Q large, K small)
// and the weight gradient's correlation (Q = 9, K = N·H·W), since the batch's positions form one axis.
import type { TypedArray } from '../tensor.ts';
import { ARENA, B_OFF, C_OFF, clearC, KC, MC, NB, packA, tileTimesBlock } from './panel.ts';
import { float64Scratch, int32Scratch } from './scratch.ts';

/** Everything a conv kernel needs to know; sizes already checked by the op. */
export interface Conv2dGeometry {
  n: number; c: number; h: number; w: number; // input [N, C, H, W]
  o: number; kh: number; kw: number;           // weights [O, C, KH, KW]
  sh: number; sw: number;                      // stride
  pt: number; pl: number;                      // top / left zero padding (bottom/right implied by oh, ow)
  dh: number; dw: number;                      // kernel dilation
  oh: number; ow: number;                      // output [N, O, OH, OW]
}

/** out = conv(x, wt) + bias, out [N, O, OH, OW]. */
export function conv2dForward(x: TypedArray, wt: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): void {
  const { n, o } = g;
  const plane = g.oh * g.ow;
  const q = n * plane, qp = Math.ceil(q / 4) * 4;
  const k = g.c * g.kh * g.kw;

  const { data: xp, hp, wp } = padInput(x, g);
  const off = int32Scratch('conv.off', k);
  tapOffsets(g, hp, wp, off);
  const qs = int32Scratch('conv.q', qp);
  positionStarts(g, hp, wp, qs, q, qp);

  // Blocks: MC output channels × NB positions, accumulated over depth passes of KC taps.
  for (let o0 = 0; o0 < o; o0 += MC) {
    const mc = Math.min(MC, o - o0), rows = mc + (mc & 1);
    for (let t0 = 0; t0 < q; t0 += NB) {
      const nb = Math.min(NB, q - t0);
      clearC(rows);
      for (let p0 = 0; p0 < k; p0 += KC) {
        const kc = Math.min(KC, k - p0);
        packA(wt, o0 * k + p0, k, mc, kc);
        sweepTiles(xp, off, qs, t0, nb, p0, kc, rows);
      }
      writeBlock(t0, nb, o0, mc, bias, o, plane, out);
    }
  }
}

// Hot loops live in small functions of their own so V8 optimizes each with complete type feedback.

/** For each tile of four positions in [t0, t0 + nb): gather its taps, multiply into the C block. */
function sweepTiles(xp: Float64Array, off: Int32Array, qs: Int32Array, t0: number, nb: number, p0: number, kc: number, rows: number): void {
  for (let t = 0; t < nb; t += 4) {
    const u = t0 + t;
    gatherTile(xp, off, p0, kc, qs[u], qs[u + 1], qs[u + 2], qs[u + 3]);
    tileTimesBlock(kc, rows, t);
  }
}

/** B tile [4p + j] = xp[q_j + off[p0 + p]]: the im2col columns of four output positions, interleaved. */
function gatherTile(xp: Float64Array, off: Int32Array, p0: number, kc: number, q0: number, q1: number, q2: number, q3: number): void {
  const s = ARENA;
  for (let p = 0, d = B_OFF; p < kc; p++, d += 4) {
    const o = off[p0 + p];
    s[d] = xp[q0 + o];
    s[d + 1] = xp[q1 + o];
    s[d + 2] = xp[q2 + o];
    s[d + 3] = xp[q3 + o];
  }
}

/** C block [oc][col] for positions t0 + col → out[img][o0 + oc][s] (t0 + col = img·plane + s), plus bias. */
function writeBlock(t0: number, nb: number, o0: number, mc: number, bias: TypedArray | null, o: number, plane: number, out: TypedArray): void {
  const s = ARENA;
  const img0 = Math.floor(t0 / plane), s0 = t0 - img0 * plane;
  for (let oc = 0; oc < mc; oc++) {
    const bv = bias ? bias[o0 + oc] : 0;
    let img = img0, sp = s0;
    let dst = (img * o + o0 + oc) * plane + sp;
    for (let col = 0, src = C_OFF + oc * NB; col < nb; col++, src++) {
      out[dst++] = s[src] + bv;
      if (++sp === plane) {
        sp = 0;
        img++;
        dst = (img * o + o0 + oc) * plane;
      }
    }
  }
}

/**
 * A float64 copy of x with the zero padding the taps reach: hp × wp per channel, where
 * hp = (OH−1)·sh + (KH−1)·dh + 1 (rows below it are never read, so they are not copied).
 */
function padInput(x: TypedArray, g: Conv2dGeometry): { data: Float64Array; hp: number; wp: number } {
  const { n, c, h, w, pt, pl } = g;
  const hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const wp = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  const rows = Math.min(h, hp - pt), cols = Math.min(w, wp - pl); // input rows/cols that are read
  const planes = n * c, size = planes * hp * wp;
  const xp = float64Scratch('conv.x', size);
  const padded = pt > 0 || pl > 0 || rows < hp - pt || cols < wp - pl;
  if (padded) xp.fill(0, 0, size);
  if (!padded && rows === h && cols === w) {
    for (let i = 0; i < size; i++) xp[i] = x[i];
  } else {
    for (let pc = 0; pc < planes; pc++) {
      for (let y = 0; y < rows; y++) {
        const s = (pc * h + y) * w, d = (pc * hp + y + pt) * wp + pl;
        for (let j = 0; j < cols; j++) xp[d + j] = x[s + j];
      }
    }
  }
  return { data: xp, hp, wp };
}

/** off[(c·KH + ki)·KW + kj] = where tap (c, ki, kj) sits relative to a window's corner. */
function tapOffsets(g: Conv2dGeometry, hp: number, wp: number, off: Int32Array): void {
  let p = 0;
  for (let ci = 0; ci < g.c; ci++)
    for (let ki = 0; ki < g.kh; ki++)
      for (let kj = 0; kj < g.kw; kj++) off[p++] = (ci * hp + ki * g.dh) * wp + kj * g.dw;
}

/** qs[img·OH·OW + oy·OW + ox] = corner of that output's window; the tail repeats the last one. */
function positionStarts(g: Conv2dGeometry, hp: number, wp: number, qs: Int32Array, q: number, qp: number): void {
  let t = 0;
  for (let img = 0; img < g.n; img++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++) qs[t++] = (img * g.c * hp + oy * g.sh) * wp + ox * g.sw;
  for (; t < qp; t++) qs[t] = qs[q - 1];
}

