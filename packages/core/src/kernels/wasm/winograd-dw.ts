// Plans a stride-1 conv with a 3×3 output and a large kernel — the chapter's weight gradient
// dW = X ⋆ δ (eq. 11) of a 3×3 stride-1 conv, batch and channels swapped — as Winograd F(4×4, 3×3) run
// backwards (as/winograd-dw.ts): one job reads both operands in place and forms per-unit partial sums
// S[ξ][n][o] over (kernel channel, block of tile rows), a last job adds them in unit order and
// transforms them back (Gᵀ S G).
import type { Conv2dGeometry } from '../conv2d.ts';
import type { WasmContext } from './context.ts';
import { writeOut, writePrep } from './descriptors.ts';
import { F, FIELDS, KIND_WINO_DW, KIND_WINO_DW_FINAL } from './layout.ts';
import type { Operand } from './operand.ts';
import { MAX_COST_RATIO, PAD, scratchSlots, winogradSettings, writeSlots } from './winograd.ts';

/** Largest padded images × kernels: every unit keeps 36 partial sums per pair. */
const MAX_PAIRS = 64 * 64;

const up = (a: number, m: number) => Math.ceil(a / m) * m;

/**
 * Whether this conv (output 3×3) may run as the Winograd weight gradient (operands are not scanned for NaN
 * or ±∞: see useWinograd).
 */
export function useWinogradWeightGrad(g: Conv2dGeometry, xo: Operand): boolean {
  if (winogradSettings.mode === 'never') return false;
  if (g.oh !== 3 || g.ow !== 3 || g.sh !== 1 || g.sw !== 1 || g.dh !== 1 || g.dw !== 1) return false;
  if (xo.rows.step !== 1 || xo.cols.step !== 1 || xo.sCol !== 4) return false;
  const np = up(g.n, 4), op = up(g.o, 2);
  if (np * op > MAX_PAIRS) return false;
  if (winogradSettings.mode === 'always') return true;
  // vector operations per (channel, 4×4 kernel tile): 36 GEMM products per image-kernel pair / 4 lanes,
  // the input transform (≈78 per image) and the kernel transform (≈45 per kernel); the direct kernel
  // spends 16 · 9 · N · O / 4 (case c's dW: estimated 0.40, measured 0.67 of the direct kernel's time).
  const tiles = Math.ceil(g.kh / 4) * up(Math.ceil(g.kw / 4), 4);
  const wino = tiles * (9 * np * op + 78 * g.n + 45 * g.o);
  const direct = (g.kh * g.kw / 16) * 36 * g.n * g.o;
  return wino <= MAX_COST_RATIO * direct;
}

/**
 * out (at outp, [N, O, 3, 3]) = conv(x, w) + bias, x the operand xo (lattice step 1), w [O, C, KH, KW] at
 * wt with rows contiguous, kernels wos and channels wcs bytes apart. False when an output is not finite (as
 * winogradConv: the caller then runs the direct kernel).
 */
export function winogradWeightGrad(ctx: WasmContext, g: Conv2dGeometry, xo: Operand, wt: number, wos: number, wcs: number,
  biasp: number, outp: number): boolean {
  const { arena, pool } = ctx;
  const th = Math.ceil(g.kh / 4), tq = up(Math.ceil(g.kw / 4), 4);
  const np = up(g.n, 4), op = up(g.o, 2);
  const rowBytes = 4 * 36 * tq * (np + op);
  // a unit: several channels of the whole kernel, or one channel's block of tile rows; at least 4 units
  // (its transformed tiles, 36 per tile of each image and kernel, fit in dwUnitBytes)
  const unitBytes = winogradSettings.dwUnitBytes;
  const rb = Math.max(1, Math.min(th, Math.floor(unitBytes / rowBytes)));
  const cb = rb < th ? 1 : Math.max(1, Math.min(Math.floor(unitBytes / (th * rowBytes)), Math.ceil(g.c / 4)));
  const units = Math.ceil(g.c / cb) * Math.ceil(th / rb);
  const part = arena.alloc(4 * units * 36 * g.n * g.o);
  const ss = scratchSlots(ctx, 576 + cb * rb * rowBytes + 36 * 2 * PAD, 4 * g.n * (36 * g.o + 32));
  const desc = arena.alloc(4 * FIELDS), fin = arena.alloc(4);
  const { i32 } = arena;

  // both operands are read in place: the input through its prep fields (nothing is prepared), the kernel here
  const d = desc >> 2;
  i32.fill(0, d, d + FIELDS);
  writePrep(i32, d, g, xo, xo.rows, xo.cols, g.pt, g.pl, 1, 0, 0, 0);
  writeOut(i32, d, g, 3, 3, outp, 12, 4, biasp);
  i32[d + F.WB] = wt;
  i32[d + F.WKO] = wos;
  i32[d + F.WKC] = wcs;
  i32[d + F.WKH] = g.kh;
  i32[d + F.WKW] = g.kw;
  i32[d + F.TH] = th;
  i32[d + F.TW] = tq;
  i32[d + F.TBLK] = rb;
  i32[d + F.CBLK] = cb;
  i32[d + F.WU] = part;
  i32[fin >> 2] = 0;
  i32[d + F.FIN] = fin;
  writeSlots(i32, d, ss);
  // scalar-equivalent work (4 lanes per vector operation)
  const flops = 2 * 4 * g.c * th * tq * (9 * np * op + 78 * g.n + 45 * g.o);
  pool.run(KIND_WINO_DW, desc, units, flops);
  pool.run(KIND_WINO_DW_FINAL, desc, g.n, 2 * g.n * g.o * (36 * units + 200));
  return i32[fin >> 2] === 0;
}
