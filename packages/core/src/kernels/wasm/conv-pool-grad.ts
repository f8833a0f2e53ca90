// The weight gradient of conv-pool's fused node (ops/conv-pool.ts) when the input needs none (a first
// layer): dW = X ⋆ δ (eq. 11) with δ, max pooling's scatter of the pooled gradient, never built, copied
// in or scanned: its non-zeros are listed from the pooled gradient and argmax (as/sparse-dw-pooled.ts) and
// the sparse weight-gradient job runs over them. The planner's choices for this conv are kept (the dot
// kernel's shape, not the Winograd form), so the result is the conv's over δ bit for bit.
import type { LatticeView } from '../../lattice.ts';
import type { PooledGrad } from '../backend.ts';
import type { Conv2dGeometry } from '../conv2d.ts';
import { WasmMemoryFull } from './arena.ts';
import type { WasmContext } from './context.ts';
import { useDotKernel } from './conv.ts';
import { denseOperand, type Operand, viewOperand } from './operand.ts';
import { sparseWeightGradPooled } from './sparse-dw.ts';
import { useWinogradWeightGrad } from './winograd-dw.ts';

/**
 * out [N', O, OH, OW] = the dW conv of x (g.n images, g.c channels) with kernel δ, and δ's channel sums
 * into `sums` when given (as/pooling.ts pooledSums); false (nothing written) when it should run over δ.
 */
export function wasmConvPoolWeightGrad(ctx: WasmContext, x: Float32Array | LatticeView, g: Conv2dGeometry,
  d: PooledGrad & { dy: Float32Array; y: Float32Array | null }, out: Float32Array, sums: Float64Array | null): boolean {
  const { arena } = ctx;
  if (!useDotKernel(g) || typeof ctx.exports.sparseListPooled !== 'function') return false;
  arena.reset();
  try {
    const outp = arena.alloc(4 * out.length);
    const xo: Operand | null = ArrayBuffer.isView(x) ? denseOperand(ctx, x, g.n, g.c, g.h, g.w) : viewOperand(ctx, x);
    if (!xo || useWinogradWeightGrad(g, xo)) return false;
    const n = d.dy.length;
    const dyp = arena.alloc(4 * n), yp = d.y ? arena.alloc(4 * n) : 0, ap = arena.alloc(4 * n);
    arena.f32.set(d.dy, dyp >> 2);
    if (d.y) arena.f32.set(d.y, yp >> 2);
    arena.i32.set(d.argmax, ap >> 2);
    if (!sparseWeightGradPooled(ctx, g, xo, { dy: dyp, y: yp, arg: ap, ph: d.ph, pw: d.pw }, outp)) return false;
    out.set(arena.f32.subarray(outp >> 2, (outp >> 2) + out.length));
    if (sums) {
      const sp = arena.alloc(8 * sums.length), per = d.ph * d.pw;
      ctx.exports.pooledSums(dyp, yp, n / per, per, sums.length, sp);
      sums.set(new Float64Array(arena.f32.buffer, sp, sums.length));
    }
    ctx.stats.sparseWeightGradPooled++;
    return true;
  } catch (e) {
    if (e instanceof WasmMemoryFull) return false;
    throw e;
  }
}
