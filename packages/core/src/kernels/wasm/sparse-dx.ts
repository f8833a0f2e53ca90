// Plans a stride-1 conv of a mostly-zero input block — the conv2d backward's dX = pad(δ, K−1) ⋆ rot180(W)
// after max pooling's backward, where δ holds one non-zero per window that no lattice describes — as a
// scatter of the block's non-zeros only (as/sparse-dx.ts): each non-zero x adds x·W[:, c, ki, kj] to the
// output positions its taps reach, channels-last (16 output channels per 64-byte line), then the result
// is gathered back to [N, O, OH, OW]. The col2im path (col2im.ts) forms the same products plus those of
// δ's zeros. Taken when (non-zeros · output channels rounded up to 16 · 2) ≤ maxCostRatio · (block size ·
// output channels): the 2 for the read-modify-write of every product (col2im's GEMM keeps its sums in registers).
import type { Conv2dGeometry } from '../conv2d.ts';
import type { WasmContext } from './context.ts';
import { FIELDS, KIND_SPARSE_DX } from './layout.ts';
import type { Operand } from './operand.ts';
import type { PooledDelta } from './sparse-dw.ts';

/** mode 'never'/'always' for tests and A/B runs; maxCostRatio: see above. */
export const sparseInputGradSettings = { mode: 'auto' as 'auto' | 'never' | 'always', maxCostRatio: 0.75 };

const up = (a: number, m: number) => Math.ceil(a / m) * m;

/** Where the input block sits (operand.ts's rows and cols): the only part of the operand the plan reads. */
type Placement = Pick<Operand, 'rows' | 'cols'>;

/** The plan of a sparse dX over a block placed at `xo`: the non-zero cap, OUTCL's span and the list's sizes. */
function sparsePlan(g: Conv2dGeometry, xo: Placement) {
  const s = sparseInputGradSettings;
  if (s.mode === 'never' || g.sh !== 1 || g.sw !== 1) return null;
  const h = xo.rows.count, w = xo.cols.count, op = up(g.o, 16), block = g.n * g.c * h * w;
  const cap = s.mode === 'always' ? block : Math.floor((s.maxCostRatio * block * g.o) / (2 * op));
  if (cap < 1) return null;
  // output rows (and columns) the taps reach, and the output's own: input row R = FY + SY·a reaches
  // R + PT − ki·DH; the buffer spans both ranges so that nothing is clipped while scattering
  const span = (first: number, step: number, count: number, pad: number, k: number, d: number, size: number) => {
    const lo = Math.min(first + pad - (k - 1) * d, 0), hi = Math.max(first + step * (count - 1) + pad, size - 1);
    return { lo, len: hi - lo + 1, at0: first + pad - lo };
  };
  const ry = span(xo.rows.first, xo.rows.step, h, g.pt, g.kh, g.dh, g.oh), rx = span(xo.cols.first, xo.cols.step, w, g.pl, g.kw, g.dw, g.ow);
  return { h, w, op, cap, ry, rx, wChan: 4 * g.kh * g.kw * op };
}

/**
 * Runs the stride-1 conv (no bias; weights [O, C, KH, KW] at wt, rows contiguous, kernels wos and channels
 * wcs bytes apart) over the input block's non-zeros into outp when cheaper; false (nothing written) otherwise.
 */
export function sparseInputGrad(ctx: WasmContext, g: Conv2dGeometry, xo: Operand, wt: number, wos: number, wcs: number, biasp: number, outp: number): boolean {
  const plan = biasp === 0 ? sparsePlan(g, xo) : null;
  if (!plan) return false;
  const { h, w, op, cap, ry, rx, wChan } = plan;
  const nz = ctx.arena.alloc(16 * (cap + w)), nzAt = ctx.arena.alloc(4 * (g.n + 1));
  const list = (upTo: number) => ctx.exports.sparseInputList(xo.ptr, g.n, g.c, h, w, xo.s0, xo.s1, xo.sRow, xo.sCol,
    ry.at0, xo.rows.step, rx.at0, xo.cols.step, ry.len, rx.len, op, wChan, nz, nzAt, cap, upTo);
  // A block still being copied (operand.ts, `staged`) is probed on its first image, which is in: the
  // whole list gives up there exactly when the probe does; otherwise the copy is finished and all listed.
  let count = list(xo.staged ? 1 : g.n);
  if (count >= 0 && xo.staged) {
    xo.staged.finish();
    count = list(g.n);
  }
  if (count < 0) return false;
  sparseRun(ctx, g, plan, wt, wos, wcs, nz, nzAt, count, outp);
  return true;
}

/**
 * sparseInputGrad for a block that is max pooling's scatter of a pooled gradient (sparse-dw.ts
 * PooledDelta; the block [N, C, H, W] placed at `xo`, unit steps): the same list without the block.
 */
export function sparseInputGradPooled(ctx: WasmContext, g: Conv2dGeometry, xo: Placement, wt: number, wos: number, wcs: number, d: PooledDelta, outp: number): boolean {
  const plan = xo.rows.step === 1 && xo.cols.step === 1 ? sparsePlan(g, xo) : null;
  if (!plan) return false;
  const { h, w, op, cap, ry, rx, wChan } = plan;
  const nz = ctx.arena.alloc(16 * (cap + w + 8)), nzAt = ctx.arena.alloc(4 * (g.n + 1)), tmp = ctx.arena.alloc(16 * (d.pw + 4));
  const count = ctx.exports.sparseInputListPooled(d.dy, d.y, d.arg, g.n, g.c, h, w, d.ph, d.pw, ry.at0, rx.at0, ry.len, rx.len, op, wChan, nz, nzAt, cap, tmp);
  if (count < 0) return false;
  sparseRun(ctx, g, plan, wt, wos, wcs, nz, nzAt, count, outp);
  return true;
}

/** The job over a triple list into outp [N, O, OH, OW]. */
function sparseRun(ctx: WasmContext, g: Conv2dGeometry, plan: NonNullable<ReturnType<typeof sparsePlan>>, wt: number, wos: number, wcs: number,
  nz: number, nzAt: number, count: number, outp: number): void {
  const { arena } = ctx;
  const { op, ry, rx, wChan } = plan;
  const img = 4 * ry.len * rx.len * op;
  const wcl = arena.alloc(wChan * g.c), outcl = arena.alloc(img * g.n), desc = arena.alloc(4 * FIELDS);
  ctx.exports.sparseWeights(wt, g.o, g.c, g.kh, g.kw, wos, wcs, op, wcl);
  const { i32 } = arena, d = desc >> 2;
  i32.fill(0, d, d + FIELDS);
  // field order of as/sparse-dx.ts: OUT W OP KH KW TROW TCOL NZ NZAT N IMG
  i32.set([outcl, wcl, op, g.kh, g.kw, 4 * g.dh * rx.len * op, 4 * g.dw * op, nz, nzAt, g.n, img], d);
  ctx.pool.run(KIND_SPARSE_DX, desc, g.n, 2 * count * op * g.kh * g.kw);
  // OUT[n][o][oy][ox] = OUTCL[n][oy − lo_y][ox − lo_x][o]
  const origin = outcl + 4 * ((-ry.lo * rx.len - rx.lo) * op);
  ctx.exports.gather4(origin, g.n, g.o, g.oh, g.ow, img, 4, 4 * rx.len * op, 4 * op, outp);
}
