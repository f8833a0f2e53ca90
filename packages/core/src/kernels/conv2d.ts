// conv2d (cross-correlation) kernel in plain TypeScript. No Tensor, no graph.
//
// An implicit-im2col GEMM: out[o][q] = Σ_p W[o][p] · X[q + off[p]], where q runs over every output
// position of the batch (its window's corner in a zero-padded float64 copy of x) and p over the taps
// (c, ki, kj) (their offset off[p] from that corner); conv-plan.ts builds those tables, and skips the
// lattice zeros of the backward's dilated operands. im2col's K × Q matrix is never built: four
// positions at a time are gathered into a small packed tile, and the register-blocked product of
// panel.ts runs every output channel over it. The same loop serves a 3×3 layer (Q large, K small)
// and the weight gradient's correlation (Q = 9, K = N·H·W), since the batch's positions form one axis.
import type { LatticeView } from '../lattice.ts';
import type { TypedArray } from '../tensor.ts';
import { planConv } from './conv-plan.ts';
import { A_OFF, ARENA, B_OFF, C_OFF, clearC, KC, MC, NB, packAGather, tileTimesBlock } from './panel.ts';

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
  conv2dForwardLattice(x, wt, bias, g, out);
}

/** As conv2dForward; x and w may be lattice views (lattice.ts), whose zeros are skipped, not read. */
export function conv2dForwardLattice(x: TypedArray | LatticeView, wt: TypedArray | LatticeView, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): void {
  const plan = planConv(x, wt, g);
  const { xp, groups, qs, qd, off, wcol, wbase, wOff, wLd } = plan;
  const { o } = g;
  const plane = g.oh * g.ow;
  // Per group: blocks of MC output channels × NB positions, accumulated over depth passes of KC taps.
  for (let gi = 0; gi < plan.groupCount; gi++) {
    const q0 = groups[4 * gi], q1 = groups[4 * gi + 1], t0 = groups[4 * gi + 2], k = groups[4 * gi + 3] - t0;
    // Stryker disable next-line EqualityOperator: o0 <= o adds a pass only when o is a multiple of MC, with mc = 0 rows: it packs and writes nothing
    for (let o0 = 0; o0 < o; o0 += MC) {
      const mc = Math.min(MC, o - o0);
      // Stryker disable next-line EqualityOperator: b0 <= q1 adds a pass only when the group's positions are a multiple of NB, with nb = 0: it writes nothing
      for (let b0 = q0; b0 < q1; b0 += NB) {
        const nb = Math.min(NB, q1 - b0);
        clearC(mc);
        // Stryker disable next-line EqualityOperator: p0 <= k adds a pass only when k is a multiple of KC, with kc = 0: it adds empty sums (+0) to C
        for (let p0 = 0; p0 < k; p0 += KC) {
          const kc = Math.min(KC, k - p0);
          packAGather(wbase, wOff + o0 * wLd, wLd, wcol, t0 + p0, mc, kc);
          // Stryker disable next-line ConditionalExpression: false sends one channel through sweepTiles, whose single-row product sums the same terms in the same order: only speed differs
          if (mc === 1) sweepTilesOneChannel(xp, off, qs, b0, nb, t0 + p0, kc);
          else sweepTiles(xp, off, qs, b0, nb, t0 + p0, kc, mc);
        }
        writeBlock(qd, b0, nb, o0, mc, bias, plane, out);
      }
    }
  }
}

// Hot loops live in small functions of their own so V8 optimizes each with complete type feedback.

/** For each tile of four positions in [b0, b0 + nb): gather its taps [p0, p0 + kc), multiply into the C block. */
function sweepTiles(xp: Float64Array, off: Int32Array, qs: Int32Array, b0: number, nb: number, p0: number, kc: number, rows: number): void {
  for (let t = 0; t < nb; t += 4) {
    const u = b0 + t;
    gatherTile(xp, off, p0, kc, qs[u], qs[u + 1], qs[u + 2], qs[u + 3]);
    tileTimesBlock(kc, rows, t);
  }
}

/**
 * One output channel (a 1-channel layer's dX): each gathered value would be used once, so the
 * 1×4 product reads x through the offset table directly instead.
 */
function sweepTilesOneChannel(xp: Float64Array, off: Int32Array, qs: Int32Array, b0: number, nb: number, p0: number, kc: number): void {
  // Stryker disable next-line EqualityOperator: t <= nb adds a tile at column nb (nb ≤ NB, a multiple of 4): C row 0's columns past nb or row 1's first four, which writeBlock never reads for one channel (and clearC clears before a block of more rows)
  for (let t = 0; t < nb; t += 4) {
    const u = b0 + t;
    direct1x4(xp, off, p0, kc, qs[u], qs[u + 1], qs[u + 2], qs[u + 3], C_OFF + t);
  }
}

/** C[0][col..col+3] (at ci) += Σ_p A[p] · xp[q_j + off[p0 + p]], A the packed single-row panel. */
function direct1x4(xp: Float64Array, off: Int32Array, p0: number, kc: number, q0: number, q1: number, q2: number, q3: number, ci: number): void {
  const s = ARENA;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let p = 0; p < kc; p++) {
    const o = off[p0 + p], a = s[A_OFF + p];
    c0 += a * xp[q0 + o];
    c1 += a * xp[q1 + o];
    c2 += a * xp[q2 + o];
    c3 += a * xp[q3 + o];
  }
  s[ci] += c0; s[ci + 1] += c1; s[ci + 2] += c2; s[ci + 3] += c3;
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

/** C block [oc][col] → out[qd[b0 + col] + (o0 + oc)·plane] plus bias (tile padding, qd = −1, is dropped). */
function writeBlock(qd: Int32Array, b0: number, nb: number, o0: number, mc: number, bias: TypedArray | null, plane: number, out: TypedArray): void {
  const s = ARENA;
  for (let oc = 0; oc < mc; oc++) {
    const bv = bias ? bias[o0 + oc] : 0;
    const shift = (o0 + oc) * plane;
    for (let col = 0, src = C_OFF + oc * NB; col < nb; col++, src++) {
      const d = qd[b0 + col];
      if (d >= 0) out[d + shift] = s[src] + bv;
    }
  }
}
