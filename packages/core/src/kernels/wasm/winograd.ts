// Plans a 3×3, stride-1, undilated conv as Winograd F(4×4, 3×3) (as/winograd.ts): the weights are
// transformed once (U = G g Gᵀ, a job of its own), then one job reads the input in place (no padded
// copy), transforms its tiles, runs the 36 per-point GEMMs and transforms the results into the output,
// one (image, row of tiles, block of tiles) per unit. Used for the forward and for the chapter's dX
// correlation (the delta padded by K−1−P, a padding-only lattice operand read in place).
import type { Conv2dGeometry } from '../conv2d.ts';
import type { WasmContext } from './context.ts';
import { writeOut, writePrep } from './descriptors.ts';
import { F, FIELDS, KIND_WINO, KIND_WINO_FILTER } from './layout.ts';
import type { Operand } from './operand.ts';

/**
 * For tests and benchmarks: `mode` 'auto' (default) uses Winograd where the cost estimate says it pays,
 * 'always' wherever the geometry allows it, 'never' keeps the direct kernels; `dwUnitBytes`: the weight
 * gradient's transformed tiles per work unit (winograd-dw.ts; 1 MiB, half this machine's L2);
 * `stagedInput`: the forward's input is copied in image by image while the job runs (false: whole, first).
 */
export const winogradSettings: { mode: 'auto' | 'always' | 'never'; dwUnitBytes: number; stagedInput: boolean } = {
  mode: 'auto', dwUnitBytes: 1 << 20, stagedInput: true,
};

/** Bytes each plane of transform points is padded by in the scratch (as/winograd.ts). */
export const PAD = 64;
/** Most tiles a unit takes along a row: its transformed tiles (36·(C + O)·16 floats) stay in L2. */
const MAX_BLOCK = 16;
/**
 * Use Winograd when its estimated vector work is at most this fraction of the direct kernel's. The
 * estimate undercounts Winograd's time by ~1.5× (one thread, whole calls: bench case c's forward takes
 * 0.68 of the direct kernel's time for an estimated 0.43; at 0.75, 64×32×8×8 → 32 ran 1.3× slower).
 */
export const MAX_COST_RATIO = 0.55;

/** Tiles per unit along a row (a multiple of 4, the transforms' width) and units per row of tiles. */
function blocking(tw: number): { blk: number; blocks: number } {
  const blocks = Math.ceil(tw / MAX_BLOCK);
  return { blk: Math.ceil(tw / blocks / 4) * 4, blocks };
}

/**
 * Vector operations per 4×4 output tile, computed: the GEMMs (36·C·O / 4 lanes), the input transform
 * (≈78 per input channel) and the output transform with its transposes (≈65 per output channel).
 * The direct kernel spends 16 outputs · 9 · C · O / 4 lanes per tile.
 */
function tileCost(g: Conv2dGeometry): number {
  const op = Math.ceil(g.o / 4) * 4;
  return 9 * g.c * op + 78 * g.c + 65 * g.o;
}

/**
 * Whether this conv may run as Winograd: 3×3, stride 1, dilation 1, a dense (or padding-only) input, and
 * cheaper. Operands are not scanned for NaN or ±∞ beforehand: the jobs flag an output that is not finite
 * (descriptor field FIN), and winogradConv and winogradWeightGrad then return false for the direct kernel.
 */
export function useWinograd(g: Conv2dGeometry, xo: Operand): boolean {
  if (winogradSettings.mode === 'never') return false;
  if (g.kh !== 3 || g.kw !== 3 || g.sh !== 1 || g.sw !== 1 || g.dh !== 1 || g.dw !== 1) return false;
  // inputs on a lattice with step > 1 (the dilated delta of a strided conv's dX) go to the phased conv,
  // which skips their zeros; the transforms read rows of contiguous columns
  if (xo.rows.step !== 1 || xo.cols.step !== 1 || xo.sCol !== 4) return false;
  if (winogradSettings.mode === 'always') return true;
  const th = Math.ceil(g.oh / 4), { blk, blocks } = blocking(Math.ceil(g.ow / 4));
  const wino = th * blocks * blk * tileCost(g);
  const direct = (g.oh * Math.ceil(g.ow / 4) * 4 / 16) * 36 * g.c * g.o;
  return wino <= MAX_COST_RATIO * direct;
}

/**
 * Per-thread scratch slots of a Winograd job (at least minBytes in all) and the lock word that hands
 * them out; written into descriptor d by writeSlots.
 */
export interface ScratchSlots { scratch: number; slotBytes: number; lock: number; slots: number }

export function scratchSlots(ctx: WasmContext, slotBytes: number, minBytes: number): ScratchSlots {
  const slots = Math.min(32, ctx.pool.maxWorkers + 1);
  return { scratch: ctx.arena.alloc(Math.max(slots * slotBytes, minBytes)), slotBytes, lock: ctx.arena.alloc(4), slots };
}

export function writeSlots(i32: Int32Array, d: number, s: ScratchSlots): void {
  i32[d + F.SCR] = s.scratch;
  i32[d + F.SCRB] = s.slotBytes;
  i32[d + F.LOCK] = s.lock;
  i32[d + F.SLOTS] = s.slots;
  i32[s.lock >> 2] = 0;
}

/**
 * out = conv(x, w) + bias ([N, O, OH, OW], computed at outp in wasm memory and copied to `out` unless null) with x
 * the operand xo (any lattice of step 1 with contiguous columns: a block with zeros around it, read in
 * place) and w dense [O, C, 3, 3] at wt. When workers share the job, the caller copies each image out as
 * soon as its units are done (counted per image in wasm memory), between its own chunks and while the
 * workers finish theirs, so most of the copy overlaps the computation. False when an output is not finite
 * (a NaN or ±∞ operand, which the transforms would spread over a whole 4×4 tile where the direct kernel
 * limits it to the outputs whose window holds it, or an overflow inside the transforms): the caller then
 * runs the direct kernel, which rewrites all of `out`.
 */
export function winogradConv(ctx: WasmContext, g: Conv2dGeometry, xo: Operand, wt: number, biasp: number, outp: number,
  out: Float32Array | null): boolean {
  const { arena, pool } = ctx;
  const th = Math.ceil(g.oh / 4), tw = Math.ceil(g.ow / 4);
  const { blk, blocks } = blocking(tw);
  const og = Math.ceil(g.o / 4), op = 4 * og;
  const u = arena.alloc(4 * 36 * op * g.c);
  const ss = scratchSlots(ctx, 576 + 36 * (4 * blk * (g.c + op) + 2 * PAD), og * 288);
  const desc = arena.alloc(4 * FIELDS), fdesc = arena.alloc(4 * FIELDS);
  const doneAt = arena.alloc(4 * g.n), fin = arena.alloc(4);
  const { i32 } = arena;

  // Caller-side work deferred by the planner (first-touching the output's pages) waits for the main job,
  // where it overlaps the workers' computing; the weight job is small and usually runs on the caller alone.
  const deferred = pool.takeDeferred();
  // weights: U = G g Gᵀ, 4 output channels per unit
  let d = fdesc >> 2;
  i32.fill(0, d, d + FIELDS);
  i32[d + F.O] = g.o;
  i32[d + F.CH] = g.c;
  i32[d + F.WSRC] = wt;
  i32[d + F.WU] = u;
  i32[d + F.SCR] = ss.scratch;
  pool.run(KIND_WINO_FILTER, fdesc, og, og * g.c * 4 * 330);

  d = desc >> 2;
  i32.fill(0, d, d + FIELDS);
  // the operand's fields (X … PL); nothing is prepared
  writePrep(i32, d, g, xo, xo.rows, xo.cols, g.pt, g.pl, 1, 0, 0, 0);
  writeOut(i32, d, g, g.oh, g.ow, outp, 4 * g.ow, 4, biasp);
  i32[d + F.WU] = u;
  i32[d + F.TH] = th;
  i32[d + F.TW] = tw;
  i32[d + F.TBLK] = blk;
  writeSlots(i32, d, ss);
  i32.fill(0, doneAt >> 2, (doneAt >> 2) + g.n);
  i32[d + F.DONE_AT] = doneAt;
  i32[fin >> 2] = 0;
  i32[d + F.FIN] = fin;
  // x may still be arriving: its images are copied while the workers start (see pool.defer below)
  i32[d + F.READY] = xo.staged?.ready ?? 0;
  const per = th * blocks, image = g.o * g.oh * g.ow;
  let copied = 0;
  const copyDone = out && ((): boolean => {
    const at = copied;
    while (copied < g.n && Atomics.load(i32, (doneAt >> 2) + copied) === per) copied++;
    if (copied === at) return false;
    const from = (outp >> 2) + at * image;
    out.set(arena.f32.subarray(from, from + (copied - at) * image), at * image);
    return true;
  });
  // scalar-equivalent work (4 lanes per vector operation), so that chunks take about as long as the direct kernel's
  const flops = 2 * 4 * g.n * per * blk * tileCost(g);
  // Caller-side work once the workers are woken: the rest of x (each image published as it lands, and
  // units wait for their image), then the deferred work. Alone, the caller does it all first.
  pool.defer(xo.staged ? () => { xo.staged!.finish(); deferred?.(); } : deferred);
  pool.run(KIND_WINO, desc, g.n * per, flops, 1, copyDone ?? undefined);
  if (i32[fin >> 2] !== 0) return false;
  copyDone?.();
  return true;
}
