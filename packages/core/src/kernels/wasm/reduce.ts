// Row sums on the wasm kernels (as/rowsums.ts), for sum/mean over trailing axes: one copy in, float64 sums out.
import { WasmMemoryFull } from './arena.ts';
import type { WasmContext } from './context.ts';

/** Reductions smaller than this stay in js: the copy into wasm memory would cost more than it saves. */
export const ROW_SUMS_MIN = 1 << 15;

/** Σ of each row of `len` floats of x, or null when x is small or does not fit in wasm memory. */
export function wasmRowSums(ctx: WasmContext, x: Float32Array, len: number): Float64Array | null {
  if (x.length < ROW_SUMS_MIN || len < 8 || x.length % len !== 0) return null;
  const rows = x.length / len;
  const { arena } = ctx;
  arena.reset();
  try {
    const src = arena.copyIn(x);
    const dst = arena.alloc(8 * rows);
    ctx.exports.rowSums(src, rows, len, dst);
    ctx.stats.rowSums++;
    return new Float64Array(arena.f32.buffer, dst, rows).slice();
  } catch (e) {
    if (e instanceof WasmMemoryFull) return null;
    throw e;
  }
}
