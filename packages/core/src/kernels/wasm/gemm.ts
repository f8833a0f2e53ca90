// Plans a float32 GEMM C[m×n] = A[m×k]·B[k×n] (+ C) on the wide kernel: B is read in place (row k at
// k·n floats), A is packed into 4-row panels. With `transB`, b holds W = Bᵀ [n×k] (linear's weight): its
// copy in wasm memory is transposed there (gather4), never in JS memory.
import { WasmMemoryFull } from './arena.ts';
import type { WasmContext } from './context.ts';
import { F, FIELDS, KIND_WIDE } from './layout.ts';

/** Returns false when the problem does not fit in wasm memory (the caller then uses the js kernels). */
export function wasmGemm(
  ctx: WasmContext, m: number, n: number, k: number,
  a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number, accumulate: boolean, transB = false,
): boolean {
  const { arena } = ctx;
  arena.reset();
  try {
    const desc = arena.alloc(4 * FIELDS);
    const ap = arena.copyIn(a, aOff, aOff + m * k);
    const bIn = arena.copyIn(b, bOff, bOff + k * n);
    const bp = transB ? arena.alloc(4 * k * n) : bIn;
    // B[p][j] = W[j][p]: rows of B are the columns of W
    if (transB) ctx.exports.gather4(bIn, 1, 1, k, n, 0, 0, 4, 4 * k, bp);
    const cp = arena.alloc(4 * m * n);
    const off = arena.alloc(4 * k);
    const apack = arena.alloc(4 * m * k);
    const { f32, i32 } = arena;
    if (accumulate) f32.set(c.subarray(cOff, cOff + m * n), cp >> 2);
    for (let i = 0, t = off >> 2; i < k; i++) i32[t + i] = 4 * i * n;
    ctx.exports.packA(ap, m, k, apack);

    const d = desc >> 2;
    i32.fill(0, d, d + FIELDS);
    i32[d + F.B] = bp;
    i32[d + F.N] = 1;
    i32[d + F.O] = m;
    i32[d + F.OH] = 1;
    i32[d + F.OW] = n;
    i32[d + F.K] = k;
    i32[d + F.APACK] = apack;
    i32[d + F.OFF] = off;
    i32[d + F.OUT] = cp;
    i32[d + F.OCH] = 4 * n;
    i32[d + F.OCS] = 4;
    i32[d + F.ACC] = accumulate ? 1 : 0;
    ctx.pool.run(KIND_WIDE, desc, (m >> 2) + (m & 3), 2 * m * n * k);
    c.set(f32.subarray(cp >> 2, (cp >> 2) + m * n), cOff);
    ctx.stats.gemm++;
    return true;
  } catch (e) {
    if (e instanceof WasmMemoryFull) return false;
    throw e;
  }
}
