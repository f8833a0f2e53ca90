// The gradients of conv-pool's fused node (ops/conv-pool.ts) with δ, max pooling's scatter of the pooled
// gradient, never built, copied in or scanned: its non-zeros are listed from the pooled gradient and argmax
// (as/sparse-pooled.ts) and the sparse jobs run over them, dW = X ⋆ δ (eq. 11, sparse-dw.ts) and
// dX = pad(δ) ⋆ rot180(W) (eq. 14, sparse-dx.ts). The planner's choices for these convs are kept (the dot
// kernel's shape and not the Winograd form for dW, not the dot kernel for dX, the same cost rules), so the
// results are the convs' over δ bit for bit; false where they differ, and the caller builds δ. The pooled
// gradient is copied into wasm memory once for both convs.
import type { LatticeView } from '../../lattice.ts';
import type { PooledGrad, PooledInputGrad, PooledWeightGrad } from '../backend.ts';
import { type Arena, WasmMemoryFull } from './arena.ts';
import type { WasmContext } from './context.ts';
import { useDotKernel } from './conv.ts';
import { denseOperand, isPlain, type Operand, viewOperand } from './operand.ts';
import { type PooledDelta, sparseWeightGradPooled } from './sparse-dw.ts';
import { sparseInputGradPooled } from './sparse-dx.ts';
import { useWinogradWeightGrad } from './winograd-dw.ts';

const f32 = (v: unknown): v is Float32Array => v instanceof Float32Array;

/** The pooled gradient copied into wasm memory (once, for both convs). */
function pooledIn(arena: Arena, d: PooledGrad & { dy: Float32Array; y: Float32Array | null }): PooledDelta {
  const n = d.dy.length;
  const dy = arena.alloc(4 * n), y = d.y ? arena.alloc(4 * n) : 0, arg = arena.alloc(4 * n);
  arena.f32.set(d.dy, dy >> 2);
  if (d.y) arena.f32.set(d.y, y >> 2);
  arena.i32.set(d.argmax, arg >> 2);
  return { dy, y, arg, ph: d.ph, pw: d.pw };
}

/**
 * The dX conv (stride 1, δ padded by dx.pad, the dense kernel dx.w) and/or the dW conv (x with g.n images and
 * g.c channels, kernel δ; δ's channel sums into dw.sums when given) over δ's non-zeros listed from the pooled
 * gradient, in one arena; false when either should run over δ (float64, or the planner would take another
 * kernel), or wasm memory is full.
 */
export function wasmConvPoolGrads(ctx: WasmContext, d: PooledGrad, dx: PooledInputGrad | null, dw: PooledWeightGrad | null): boolean {
  const e = ctx.exports;
  if (!f32(d.dy) || !(d.y === null || f32(d.y)) || typeof e.sparseListPooled !== 'function' || typeof e.sparseInputListPooled !== 'function') return false;
  if (dx && (!f32(dx.w) || !f32(dx.out) || useDotKernel(dx.g))) return false;
  if (dw && (!f32(dw.out) || !(f32(dw.x) || f32((dw.x as LatticeView).base)) || !useDotKernel(dw.g))) return false;
  const { arena } = ctx;
  arena.reset();
  try {
    const pd = pooledIn(arena, d as PooledGrad & { dy: Float32Array; y: Float32Array | null });
    if (dx) {
      const g = dx.g, outp = arena.alloc(4 * dx.out.length);
      const wo = denseOperand(ctx, dx.w as Float32Array, g.o, g.c, g.kh, g.kw);
      if (!wo || !isPlain(wo, g.c, g.kh, g.kw)) return false; // (the planner would compact the kernel first)
      const at = { rows: { first: dx.pad[0], step: 1, count: g.h - 2 * dx.pad[0] }, cols: { first: dx.pad[1], step: 1, count: g.w - 2 * dx.pad[1] } };
      if (!sparseInputGradPooled(ctx, g, at, wo.ptr, wo.s0, wo.s1, pd, outp)) return false;
      dx.out.set(arena.f32.subarray(outp >> 2, (outp >> 2) + dx.out.length));
      ctx.stats.sparseInputGradPooled++;
    }
    if (dw) {
      const g = dw.g, outp = arena.alloc(4 * dw.out.length);
      const xo: Operand | null = ArrayBuffer.isView(dw.x) ? denseOperand(ctx, dw.x as Float32Array, g.n, g.c, g.h, g.w) : viewOperand(ctx, dw.x);
      if (!xo || useWinogradWeightGrad(g, xo)) return false;
      if (!sparseWeightGradPooled(ctx, g, xo, pd, outp)) return false;
      dw.out.set(arena.f32.subarray(outp >> 2, (outp >> 2) + dw.out.length));
      if (dw.sums) {
        const sp = arena.alloc(8 * dw.sums.length), per = d.ph * d.pw;
        e.pooledSums(pd.dy, pd.y, d.dy.length / per, per, dw.sums.length, sp);
        dw.sums.set(new Float64Array(arena.f32.buffer, sp, dw.sums.length));
      }
      ctx.stats.sparseWeightGradPooled++;
    }
    return true;
  } catch (err) {
    if (err instanceof WasmMemoryFull) return false;
    throw err;
  }
}
