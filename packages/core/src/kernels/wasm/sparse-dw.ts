// Plans a weight-gradient conv (the dot kernel's shape: short output rows, kernel = δ) over δ's non-zeros
// only (as/sparse-dw.ts). After max pooling's backward, δ holds one non-zero per pooling window (LeNet's
// conv2 dW: 25 %), which no lattice describes, so the dense kernels multiply all its zeros. Here δ's
// non-zeros become a list of (offset, value) pairs and X is prepared channels-last (images innermost):
// each pair updates 16 images × 2 output columns from 8 vector loads. With few images (LeNet's conv1 dW
// has one) the lanes go along output rows instead (8 columns × 4 rows per pair, every image; stride-1
// columns, rows of at most 8). The cheaper form is taken when its vector lanes (non-zeros × lanes per
// non-zero) are at most `maxCostRatio` of the dense kernel's products.
import type { Conv2dGeometry } from '../conv2d.ts';
import type { WasmContext } from './context.ts';
import { FIELDS, KIND_SPARSE_DW, KIND_SPARSE_DW_ROWS } from './layout.ts';
import type { Operand } from './operand.ts';

/** mode 'never'/'always' for tests and A/B runs; maxCostRatio: see above; rows: false keeps the rows form off (A/B runs). */
export const sparseWeightGradSettings = { mode: 'auto' as 'auto' | 'never' | 'always', maxCostRatio: 0.5, rows: true };

const up = (a: number, m: number) => Math.ceil(a / m) * m;

/** X's block copied to a new arena buffer of `bytes` with byte strides [n', c', row, column] over hp × wp positions, zero elsewhere. */
function prep(ctx: WasmContext, g: Conv2dGeometry, xo: Operand, hp: number, wp: number, bytes: number, [dN, dC, dR, dQ]: number[]): number {
  const dst = ctx.arena.alloc(bytes);
  ctx.exports.sparsePrep(xo.ptr, g.n, g.c, xo.rows.count, xo.cols.count, xo.s0, xo.s1, xo.sRow, xo.sCol,
    xo.rows.first, xo.rows.step, xo.cols.first, xo.cols.step, g.pt, g.pl, hp, wp, dN, dC, dR, dQ, dst, bytes);
  return dst;
}

/** Which form a sparse weight gradient of geometry g takes, how many non-zeros it may have, and X's prepared size. */
interface SparseForm { rows: boolean; np: number; cap: number; hp: number; wp: number }

function sparseForm(g: Conv2dGeometry): SparseForm | null {
  const s = sparseWeightGradSettings;
  if (s.mode === 'never') return null;
  // vector lanes per non-zero: channels-last (images in blocks of 16), or rows (8 columns, every image)
  const np = up(g.n, 16), total = g.o * g.c * g.kh * g.kw;
  const lanesCl = g.oh * g.ow * np, lanesRows = s.rows && g.sw === 1 && g.ow <= 8 ? g.n * g.oh * 8 : Infinity;
  const rows = lanesRows < lanesCl;
  const cap = s.mode === 'always' ? total : Math.floor((s.maxCostRatio * total * g.n * g.oh * g.ow) / Math.min(lanesCl, lanesRows));
  if (cap < 1) return null;
  const hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const wp = rows ? up((g.kw - 1) * g.dw + 8, 4) : (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  return { rows, np, cap, hp, wp };
}

/**
 * Runs the conv (kernel w [O, C, KH, KW] at wt with contiguous rows, kernels wos and channels wcs bytes
 * apart; no bias) over the kernel's non-zeros into outp when that is cheaper; false (nothing written) otherwise.
 */
export function sparseWeightGrad(ctx: WasmContext, g: Conv2dGeometry, xo: Operand, wt: number, wos: number, wcs: number, biasp: number, outp: number): boolean {
  const f = biasp === 0 ? sparseForm(g) : null;
  if (!f) return false;
  const nz = ctx.arena.alloc(8 * (f.cap + g.kw)), nzAt = ctx.arena.alloc(4 * (g.o + 1));
  const count = ctx.exports.sparseList(wt, g.o, g.c, g.kh, g.kw, wos, wcs, g.dh, g.dw, f.hp, f.wp, f.rows ? 1 : f.np, nz, nzAt, f.cap);
  if (count < 0) return false;
  sparseRun(ctx, g, xo, f, nz, nzAt, count, outp);
  return true;
}

/**
 * The weight gradient's kernel δ as max pooling's backward would scatter it (ops/conv-pool.ts), at byte
 * addresses in wasm memory: the pooled gradient dy [C, O, PH, PW] of 2×2 windows, ReLU's output y (0: none)
 * and the argmax (flat into δ [C, O, KH, KW]).
 */
export interface PooledDelta { dy: number; y: number; arg: number; ph: number; pw: number }

/** sparseWeightGrad for a kernel δ given as a pooled gradient (g: undilated kernel, no bias): the same list without δ. */
export function sparseWeightGradPooled(ctx: WasmContext, g: Conv2dGeometry, xo: Operand, d: PooledDelta, outp: number): boolean {
  const f = g.dh === 1 && g.dw === 1 ? sparseForm(g) : null;
  if (!f) return false;
  const nz = ctx.arena.alloc(8 * (f.cap + g.kw + 8)), nzAt = ctx.arena.alloc(4 * (g.o + 1)), tmp = ctx.arena.alloc(8 * (d.pw + 4));
  const count = ctx.exports.sparseListPooled(d.dy, d.y, d.arg, g.o, g.c, g.kh, g.kw, d.ph, d.pw, f.hp, f.wp, f.rows ? 1 : f.np, nz, nzAt, f.cap, tmp);
  if (count < 0) return false;
  sparseRun(ctx, g, xo, f, nz, nzAt, count, outp);
  return true;
}

/** The job over a non-zero list (count pairs at nz, nzAt per kernel) into outp [N, O, OH, OW]. */
function sparseRun(ctx: WasmContext, g: Conv2dGeometry, xo: Operand, f: SparseForm, nz: number, nzAt: number, count: number, outp: number): void {
  const { arena } = ctx;
  const { rows, np, hp, wp } = f;
  const desc = arena.alloc(4 * FIELDS);
  if (rows) {
    const planes = prep(ctx, g, xo, hp, wp, 4 * g.n * g.c * hp * wp, [4 * g.c * hp * wp, 4 * hp * wp, 4 * wp, 4]); // [n'][c'][hp][wr]
    const acc = arena.alloc(32 * g.n * g.o * g.oh);
    const { i32 } = arena, d = desc >> 2;
    i32.fill(0, d, d + FIELDS);
    // field order of as/sparse-dw.ts (rows form): X C HP WR NZ NZAT O OH SH N OUT
    i32.set([planes, g.c, hp, wp, nz, nzAt, g.o, g.oh, g.sh, g.n, acc], d);
    ctx.pool.run(KIND_SPARSE_DW_ROWS, desc, g.n * g.o * ((g.oh >> 2) + (g.oh & 3)), 2 * count * g.n * g.oh * 8);
    // OUT[n][o][i][j] = acc[n][o][i][j], j < OW of 8
    ctx.exports.gather4(acc, g.n, g.o, g.oh, g.ow, 32 * g.o * g.oh, 32 * g.oh, 32, 4, outp);
    return;
  }
  const xcl = prep(ctx, g, xo, hp, wp, 4 * g.c * hp * wp * np, [4, 4 * hp * wp * np, 4 * wp * np, 4 * np]); // [c'][hp][wp][np]
  const acc = arena.alloc(4 * g.o * g.oh * g.ow * np);
  const { i32 } = arena, d = desc >> 2;
  i32.fill(0, d, d + FIELDS);
  // field order of as/sparse-dw.ts: XCL NP HP WP NZ NZAT O OH OW SH SW OUT
  i32.set([xcl, np, hp, wp, nz, nzAt, g.o, g.oh, g.ow, g.sh, g.sw, acc], d);
  ctx.pool.run(KIND_SPARSE_DW, desc, g.o * g.oh * (np >> 4), 2 * count * g.oh * g.ow * np);
  // OUT[n][o][i][j] = acc[o][i][j][n]
  ctx.exports.gather4(acc, g.n, g.o, g.oh, g.ow, 4, 4 * g.oh * g.ow * np, 4 * g.ow * np, 4 * np, outp);
}
