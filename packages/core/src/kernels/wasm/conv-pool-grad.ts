// The gradients of conv-pool's fused node (ops/conv-pool.ts) with δ, max pooling's scatter of the pooled
// gradient, never built, copied in or scanned: its non-zeros are listed from the pooled gradient and argmax
// (as/sparse-pooled.ts) and the sparse jobs run over them, dW = X ⋆ δ (eq. 11, sparse-dw.ts) and
// dX = pad(δ) ⋆ rot180(W) (eq. 14, sparse-dx.ts). The planner's choices for these convs are kept (the dot
// kernel's shape and not the Winograd form for dW, not the dot kernel for dX, the same cost rules), so the
// results are the convs' over δ bit for bit; false where they differ, and the caller builds δ.
import type { LatticeView } from '../../lattice.ts';
import type { PooledGrad } from '../backend.ts';
import type { Conv2dGeometry } from '../conv2d.ts';
import { type Arena, WasmMemoryFull } from './arena.ts';
import type { WasmContext } from './context.ts';
import { useDotKernel } from './conv.ts';
import { denseOperand, isPlain, type Operand, viewOperand } from './operand.ts';
import { type PooledDelta, sparseWeightGradPooled } from './sparse-dw.ts';
import { sparseInputGradPooled } from './sparse-dx.ts';
import { useWinogradWeightGrad } from './winograd-dw.ts';

type PooledF32 = PooledGrad & { dy: Float32Array; y: Float32Array | null };

/** The pooled gradient copied into wasm memory. */
function pooledIn(arena: Arena, d: PooledF32): PooledDelta {
  const n = d.dy.length;
  const dy = arena.alloc(4 * n), y = d.y ? arena.alloc(4 * n) : 0, arg = arena.alloc(4 * n);
  arena.f32.set(d.dy, dy >> 2);
  if (d.y) arena.f32.set(d.y, y >> 2);
  arena.i32.set(d.argmax, arg >> 2);
  return { dy, y, arg, ph: d.ph, pw: d.pw };
}

/** Runs `body` on a fresh arena; false when it declines or wasm memory is full. */
function inFreshArena(ctx: WasmContext, body: (arena: Arena) => boolean): boolean {
  ctx.arena.reset();
  try {
    return body(ctx.arena);
  } catch (e) {
    if (e instanceof WasmMemoryFull) return false;
    throw e;
  }
}

/**
 * out [N', O, OH, OW] = the dW conv of x (g.n images, g.c channels) with kernel δ, and δ's channel sums
 * into `sums` when given (as/pooling.ts pooledSums); false (nothing written) when it should run over δ.
 */
export function wasmConvPoolWeightGrad(ctx: WasmContext, x: Float32Array | LatticeView, g: Conv2dGeometry, d: PooledF32,
  out: Float32Array, sums: Float64Array | null): boolean {
  if (!useDotKernel(g) || typeof ctx.exports.sparseListPooled !== 'function') return false;
  return inFreshArena(ctx, (arena) => {
    const outp = arena.alloc(4 * out.length);
    const xo: Operand | null = ArrayBuffer.isView(x) ? denseOperand(ctx, x, g.n, g.c, g.h, g.w) : viewOperand(ctx, x);
    if (!xo || useWinogradWeightGrad(g, xo)) return false;
    const pd = pooledIn(arena, d);
    if (!sparseWeightGradPooled(ctx, g, xo, pd, outp)) return false;
    out.set(arena.f32.subarray(outp >> 2, (outp >> 2) + out.length));
    if (sums) {
      const sp = arena.alloc(8 * sums.length), per = d.ph * d.pw;
      ctx.exports.pooledSums(pd.dy, pd.y, d.dy.length / per, per, sums.length, sp);
      sums.set(new Float64Array(arena.f32.buffer, sp, sums.length));
    }
    ctx.stats.sparseWeightGradPooled++;
    return true;
  });
}

/** out [N, O, OH, OW] = the dX conv (stride 1) of δ padded by `pad` with the dense kernel w; false (nothing written) when it should run over δ. */
export function wasmConvPoolInputGrad(ctx: WasmContext, w: Float32Array, g: Conv2dGeometry, pad: readonly [number, number], d: PooledF32,
  out: Float32Array): boolean {
  if (useDotKernel(g) || typeof ctx.exports.sparseInputListPooled !== 'function') return false;
  return inFreshArena(ctx, (arena) => {
    const outp = arena.alloc(4 * out.length);
    const wo = denseOperand(ctx, w, g.o, g.c, g.kh, g.kw);
    if (!wo || !isPlain(wo, g.c, g.kh, g.kw)) return false; // (the planner would compact the kernel first)
    const pd = pooledIn(arena, d);
    const at = { rows: { first: pad[0], step: 1, count: g.h - 2 * pad[0] }, cols: { first: pad[1], step: 1, count: g.w - 2 * pad[1] } };
    if (!sparseInputGradPooled(ctx, g, at, wo.ptr, wo.s0, wo.s1, pd, outp)) return false;
    out.set(arena.f32.subarray(outp >> 2, (outp >> 2) + out.length));
    ctx.stats.sparseInputGradPooled++;
    return true;
  });
}
