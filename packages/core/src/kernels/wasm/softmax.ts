// logSoftmax / softmax and the log-softmax backward on the wasm kernels (as/softmax.ts): operands copied
// in, results out; false leaves the call to the js kernels (../softmax.ts).
import type { AxisLayout } from '../softmax.ts';
import type { WasmContext } from './context.ts';
import { inArena } from './in-arena.ts';

interface SoftmaxExports {
  logSoftmaxRows(x: number, outer: number, len: number, inner: number, out: number, asSoftmax: number): void;
  logSoftmaxBackRows(g: number, y: number, outer: number, len: number, inner: number, out: number): void;
}

/** Tensors smaller than `min` elements stay in js (tests set it to 0): wasm is faster from [64, 10] on (bench/softmax.bench.ts). */
export const softmaxLimits = { min: 512 };

/** How many calls ran here. */
export const softmaxStats = { forward: 0, backward: 0 };

function kernels(ctx: WasmContext, size: number): SoftmaxExports | null {
  const e = ctx.exports as unknown as Partial<SoftmaxExports>;
  return typeof e.logSoftmaxRows === 'function' && size >= softmaxLimits.min ? (e as SoftmaxExports) : null;
}

export function wasmLogSoftmax(ctx: WasmContext, x: Float32Array, l: AxisLayout, out: Float32Array, asSoftmax: boolean): boolean {
  const k = kernels(ctx, x.length);
  return !!k && inArena(ctx, (arena) => {
    const xp = arena.alloc(4 * x.length), op = arena.alloc(4 * x.length);
    arena.f32.set(x, xp >> 2);
    k.logSoftmaxRows(xp, l.outer, l.len, l.inner, op, asSoftmax ? 1 : 0);
    out.set(arena.f32.subarray(op >> 2, (op >> 2) + out.length));
    softmaxStats.forward++;
  });
}

export function wasmLogSoftmaxBackward(ctx: WasmContext, g: Float32Array, y: Float32Array, l: AxisLayout, out: Float32Array): boolean {
  const k = kernels(ctx, g.length);
  return !!k && inArena(ctx, (arena) => {
    const gp = arena.alloc(4 * g.length), yp = arena.alloc(4 * y.length), op = arena.alloc(4 * g.length);
    arena.f32.set(g, gp >> 2);
    arena.f32.set(y, yp >> 2);
    k.logSoftmaxBackRows(gp, yp, l.outer, l.len, l.inner, op);
    out.set(arena.f32.subarray(op >> 2, (op >> 2) + out.length));
    softmaxStats.backward++;
  });
}
