// A stride-1 convolution of an input that is mostly zero padding (the chapter's dX: the delta padded by
// K−1, dilated by the stride) as a transposed convolution: one GEMM over the non-zero block,
//   cols[n][(o, ki, kj)][(a, b)] = Σ_c W[o][c][ki][kj] · block[n][c][a][b],
// then col2im adds each column into the output position it reaches (as/col2im.ts). The direct conv
// would multiply every output position by every tap; this forms only products with non-zeros.
import type { Conv2dGeometry } from '../conv2d.ts';
import type { WasmContext } from './context.ts';
import { writePrep } from './descriptors.ts';
import { F, FIELDS, KIND_COL2IM, KIND_COL2IM_FUSED, KIND_PREP, KIND_WIDE } from './layout.ts';
import { trivial, type Operand } from './operand.ts';

/** fused: GEMM and col2im per image in one job (KIND_COL2IM_FUSED); false: two jobs (for A/B runs). */
export const col2imSettings = { fused: true };

/** Use col2im when it forms at most this fraction of the direct (or phased) conv's products. */
const COL2IM_MAX_RATIO = 0.75;

/** Whether a stride-1 conv of this input block is cheaper as GEMM + col2im. */
export function preferCol2im(g: Conv2dGeometry, xo: Operand): boolean {
  if (g.sh !== 1 || g.sw !== 1) return false;
  const direct = (g.oh * g.ow) / (xo.rows.step * xo.cols.step); // products per (o, c, tap) in the (phased) direct conv
  const gemm = xo.rows.count * xo.cols.count * (1 + 1 / g.c); // + the col2im additions
  return gemm <= COL2IM_MAX_RATIO * direct;
}

export function col2imConv(ctx: WasmContext, g: Conv2dGeometry, xo: Operand, wt: number, biasp: number, outp: number): void {
  const { arena } = ctx;
  const hc = xo.rows.count, wc = xo.cols.count, blk = hc * wc;
  const kk = g.kh * g.kw, m = g.o * kk;
  // the GEMM reads each image's block as a dense [C][hc·wc] matrix; copy it so if it is strided
  const dense = xo.sCol === 4 && xo.sRow === 4 * wc && xo.s1 === 4 * blk && xo.s0 === 4 * g.c * blk;
  const bp = dense ? xo.ptr : arena.alloc(4 * g.n * g.c * blk);
  const prep = dense ? 0 : arena.alloc(4 * FIELDS);
  // the col2im descriptor right after the GEMM's: one job runs both per image (KIND_COL2IM_FUSED)
  const desc = arena.alloc(8 * FIELDS), scatter = desc + 4 * FIELDS;
  const off = arena.alloc(4 * g.c);
  const araw = arena.alloc(4 * m * g.c), apack = arena.alloc(4 * m * g.c);
  const cols = arena.alloc(4 * g.n * m * blk);
  const { i32, f32 } = arena;
  if (!dense) {
    const p = prep >> 2;
    i32.fill(0, p, p + FIELDS);
    writePrep(i32, p, g, xo, trivial(hc), trivial(wc), 0, 0, 1, hc, wc, bp);
    ctx.pool.run(KIND_PREP, prep, g.n, 2 * g.n * g.c * blk);
  }
  // A[(o, ki, kj)][c] = W[o][c][ki][kj]
  const ab = araw >> 2, wb = wt >> 2;
  for (let o = 0; o < g.o; o++) {
    for (let c = 0; c < g.c; c++) {
      const src = wb + (o * g.c + c) * kk, dst = ab + o * kk * g.c + c;
      for (let t = 0; t < kk; t++) f32[dst + t * g.c] = f32[src + t];
    }
  }
  ctx.exports.packA(araw, m, g.c, apack);
  for (let c = 0; c < g.c; c++) i32[(off >> 2) + c] = 4 * c * blk;

  let d = desc >> 2;
  i32.fill(0, d, d + FIELDS);
  i32[d + F.B] = bp;
  i32[d + F.BIMG] = 4 * g.c * blk;
  i32[d + F.N] = g.n;
  i32[d + F.O] = m;
  i32[d + F.OH] = 1;
  i32[d + F.OW] = blk;
  i32[d + F.K] = g.c;
  i32[d + F.APACK] = apack;
  i32[d + F.OFF] = off;
  i32[d + F.OUT] = cols;
  i32[d + F.OIMG] = 4 * m * blk;
  i32[d + F.OCH] = 4 * blk;
  i32[d + F.OCS] = 4;
  d = scatter >> 2;
  i32.fill(0, d, d + FIELDS);
  i32[d + F.B] = cols;
  i32[d + F.OUT] = outp;
  i32[d + F.BIAS] = biasp;
  i32[d + F.N] = g.n;
  i32[d + F.O] = g.o;
  i32[d + F.OH] = g.oh;
  i32[d + F.OW] = g.ow;
  i32[d + F.KH] = g.kh;
  i32[d + F.KW] = g.kw;
  i32[d + F.H] = hc;
  i32[d + F.W] = wc;
  i32[d + F.FY] = xo.rows.first;
  i32[d + F.SY] = xo.rows.step;
  i32[d + F.FX] = xo.cols.first;
  i32[d + F.SX] = xo.cols.step;
  i32[d + F.DH] = g.dh;
  i32[d + F.DW] = g.dw;
  i32[d + F.PT] = g.pt;
  i32[d + F.PL] = g.pl;
  // each image's columns (m·blk floats, ~100 KB for LeNet's conv2 dX) are scattered by the thread that
  // just wrote them, from its cache: as two jobs, all images' columns (6.5 MB there) went through memory
  if (col2imSettings.fused) ctx.pool.run(KIND_COL2IM_FUSED, desc, g.n, 2 * g.n * m * blk * (g.c + 1));
  else {
    ctx.pool.run(KIND_WIDE, desc, g.n * ((m >> 2) + (m & 3)), 2 * g.n * m * blk * g.c);
    ctx.pool.run(KIND_COL2IM, scatter, g.n * g.o, 2 * g.n * m * blk);
  }
}
