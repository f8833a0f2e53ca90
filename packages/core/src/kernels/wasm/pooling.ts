// Pooling and the flat scatter-add on the wasm kernels (as/pooling.ts): operands copied in, results out.
// Each returns false when the call should stay in js (too small to pay for the copies, or no room).
import type { Pool2dGeometry, PoolAxis } from '../pool.ts';
import type { Arena } from './arena.ts';
import type { WasmContext } from './context.ts';
import { inArena } from './in-arena.ts';

/** The exports of as/pooling.ts (typed here, not in module.ts: a build without them keeps the js kernels). */
interface PoolingExports {
  maxPool2x2(x: number, planes: number, h: number, w: number, oh: number, ow: number, out: number, arg: number): void;
  maxPoolWindows(x: number, planes: number, h: number, w: number, rs: number, re: number, dy: number, cs: number, ce: number, dx: number,
    oh: number, ow: number, out: number, arg: number): void;
  /** adjoint 0: src = x, dst = the pooled output; 1: src = its gradient, dst = dx */
  avgPool(src: number, planes: number, h: number, w: number, rs: number, re: number, rw: number, cs: number, ce: number, cw: number,
    oh: number, ow: number, dst: number, adjoint: number): void;
  scatterAddFlat(src: number, idx: number, n: number, out: number, len: number): void;
  pooledSums(dy: number, y: number, planes: number, per: number, channels: number, sums: number): void;
}

/**
 * Pooling inputs smaller than `min` floats stay in js: below that the copies in and out and the call cost
 * more than the js loop (bench/pooling.bench.ts). The scatter-add (max pooling's backward) stays in js at
 * every size (`scatterMin` Infinity): its wasm form copies the values and indices in and the whole output
 * out (four times the values' bytes), where the js loop writes the output once; in the LeNet step the js
 * scatter is 1.01–1.08× faster per step (`STEP_AB=scatter-js`, bench/step-ab.ts, six runs). Tests set both to 0.
 */
export const poolingLimits = { min: 1 << 13, scatterMin: Infinity };

/** How many calls ran here (tests check that the wasm path was taken). */
export const poolingStats = { maxPool2x2: 0, maxPool: 0, avgPool: 0, avgPoolAdjoint: 0, scatterAdd: 0 };

export function poolingKernels(ctx: WasmContext): PoolingExports | null {
  const e = ctx.exports as unknown as Partial<PoolingExports>;
  return typeof e.maxPool2x2 === 'function' ? (e as PoolingExports) : null;
}

export interface AxisPtrs { s: number; e: number; w: number }

export function allocAxis(arena: Arena, ax: PoolAxis, weights: boolean): AxisPtrs {
  const n = ax.start.length;
  return { s: arena.alloc(4 * n), e: arena.alloc(4 * n), w: weights ? arena.alloc(8 * n) : 0 };
}

/** Writes an axis's tables (after the last alloc of the call: growing the memory replaces the views). */
export function writeAxis(arena: Arena, ax: AxisPtrs, src: PoolAxis): void {
  arena.i32.set(src.start, ax.s >> 2);
  arena.i32.set(src.end, ax.e >> 2);
  if (ax.w) new Float64Array(arena.i32.buffer, ax.w, src.weight.length).set(src.weight);
}

/** Max pooling with argmax (as ../pool.ts maxPool2dForward). */
export function wasmMaxPool2d(ctx: WasmContext, x: Float32Array, g: Pool2dGeometry, out: Float32Array, argmax: Int32Array): boolean {
  const k = poolingKernels(ctx);
  if (!k || x.length < poolingLimits.min) return false;
  const oh = g.rows.start.length, ow = g.cols.start.length;
  return inArena(ctx, (arena) => {
    const xp = arena.alloc(4 * x.length), op = arena.alloc(4 * out.length), ap = arena.alloc(4 * out.length);
    const rows = g.plain2x2 ? null : allocAxis(arena, g.rows, false), cols = g.plain2x2 ? null : allocAxis(arena, g.cols, false);
    arena.f32.set(x, xp >> 2);
    if (rows && cols) {
      writeAxis(arena, rows, g.rows);
      writeAxis(arena, cols, g.cols);
      k.maxPoolWindows(xp, g.planes, g.h, g.w, rows.s, rows.e, g.rows.step, cols.s, cols.e, g.cols.step, oh, ow, op, ap);
      poolingStats.maxPool++;
    } else {
      k.maxPool2x2(xp, g.planes, g.h, g.w, oh, ow, op, ap);
      poolingStats.maxPool2x2++;
    }
    out.set(arena.f32.subarray(op >> 2, (op >> 2) + out.length));
    argmax.set(arena.i32.subarray(ap >> 2, (ap >> 2) + out.length));
  });
}

/** Average pooling (as ../pool.ts avgPool2dForward). */
export function wasmAvgPool2d(ctx: WasmContext, x: Float32Array, g: Pool2dGeometry, out: Float32Array): boolean {
  if (!avgRun(ctx, x, g, out, false)) return false;
  poolingStats.avgPool++;
  return true;
}

/** The average pooling's adjoint (as ../pool.ts avgPool2dAdjoint). */
export function wasmAvgPool2dAdjoint(ctx: WasmContext, dy: Float32Array, g: Pool2dGeometry, dx: Float32Array): boolean {
  if (!avgRun(ctx, dy, g, dx, true)) return false;
  poolingStats.avgPoolAdjoint++;
  return true;
}

/** src → dst through the average pooling (x → out) or its adjoint (dy → dx). */
function avgRun(ctx: WasmContext, src: Float32Array, g: Pool2dGeometry, dst: Float32Array, adjoint: boolean): boolean {
  const k = poolingKernels(ctx);
  if (!k || Math.max(src.length, dst.length) < poolingLimits.min) return false;
  return inArena(ctx, (arena) => {
    const sp = arena.alloc(4 * src.length), dp = arena.alloc(4 * dst.length);
    const rows = allocAxis(arena, g.rows, true), cols = allocAxis(arena, g.cols, true);
    arena.f32.set(src, sp >> 2);
    writeAxis(arena, rows, g.rows);
    writeAxis(arena, cols, g.cols);
    k.avgPool(sp, g.planes, g.h, g.w, rows.s, rows.e, rows.w, cols.s, cols.e, cols.w, g.rows.start.length, g.cols.start.length, dp, adjoint ? 1 : 0);
    dst.set(arena.f32.subarray(dp >> 2, (dp >> 2) + dst.length));
  });
}

/** out = 0, then out[idx[i]] += src[i] (as ../indexing.ts scatterAddFlat). */
export function wasmScatterAddFlat(ctx: WasmContext, src: Float32Array, idx: Int32Array, out: Float32Array): boolean {
  const k = poolingKernels(ctx);
  if (!k || out.length < poolingLimits.scatterMin) return false;
  return inArena(ctx, (arena) => {
    const sp = arena.alloc(4 * src.length), ip = arena.alloc(4 * idx.length), op = arena.alloc(4 * out.length);
    arena.f32.set(src, sp >> 2);
    arena.i32.set(idx, ip >> 2);
    k.scatterAddFlat(sp, ip, idx.length, op, out.length);
    out.set(arena.f32.subarray(op >> 2, (op >> 2) + out.length));
    poolingStats.scatterAdd++;
  });
}
