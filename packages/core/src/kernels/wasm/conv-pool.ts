// A conv2d forward whose output goes straight into max pooling (and ReLU), in wasm memory (the fused node
// of ops/conv-pool.ts): the conv's output is neither copied out nor copied back in; only the pooled values
// and their argmax leave. Same kernels, same results as the calls one after the other.
import type { Conv2dGeometry } from '../conv2d.ts';
import type { Pool2dGeometry } from '../pool.ts';
import type { WasmContext } from './context.ts';
import { firstTouch, type PoolEpilogue, wasmConv2dForward } from './conv.ts';
import { allocAxis, poolingKernels, poolingStats, writeAxis } from './pooling.ts';

/** How many fused calls ran here, and how many of them pooled inside the conv's job (tests check the paths taken). */
export const convPoolStats = { calls: 0, inJob: 0 };

/** out, argmax = maxPool(conv2d(x, w) + bias), then out = relu(out) if `relu`; false (nothing written) when wasm cannot take it. */
export function wasmConv2dMaxPool(ctx: WasmContext, x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry,
  pg: Pool2dGeometry, relu: boolean, out: Float32Array, argmax: Int32Array): boolean {
  const k = poolingKernels(ctx);
  if (!k) return false;
  const oh = pg.rows.start.length, ow = pg.cols.start.length;
  // the wide kernel pools each image as it finishes it (plain 2×2 windows); else the pool runs after the conv
  const epilogue: PoolEpilogue | null = pg.plain2x2 ? { relu, out: 0, arg: 0 } : null;
  // the fresh arrays' pages are faulted in while the conv's workers compute (as the plain conv's output)
  ctx.pool.defer(() => {
    firstTouch(out);
    firstTouch(argmax);
  });
  const ok = wasmConv2dForward(ctx, x, w, bias, g, (zp) => {
    const { arena } = ctx;
    if (epilogue?.out) {
      out.set(arena.f32.subarray(epilogue.out >> 2, (epilogue.out >> 2) + out.length));
      argmax.set(arena.i32.subarray(epilogue.arg >> 2, (epilogue.arg >> 2) + out.length));
      convPoolStats.inJob++;
      return;
    }
    const op = arena.alloc(4 * out.length), ap = arena.alloc(4 * out.length);
    if (pg.plain2x2) {
      k.maxPool2x2(zp, pg.planes, pg.h, pg.w, oh, ow, op, ap);
      poolingStats.maxPool2x2++;
    } else {
      const rows = allocAxis(arena, pg.rows, false), cols = allocAxis(arena, pg.cols, false);
      writeAxis(arena, rows, pg.rows);
      writeAxis(arena, cols, pg.cols);
      k.maxPoolWindows(zp, pg.planes, pg.h, pg.w, rows.s, rows.e, pg.rows.step, cols.s, cols.e, pg.cols.step, oh, ow, op, ap);
      poolingStats.maxPool++;
    }
    if (relu) ctx.exports.relu(op, op, out.length);
    out.set(arena.f32.subarray(op >> 2, (op >> 2) + out.length));
    argmax.set(arena.i32.subarray(ap >> 2, (ap >> 2) + out.length));
  }, epilogue);
  if (ok) convPoolStats.calls++;
  return ok;
}
