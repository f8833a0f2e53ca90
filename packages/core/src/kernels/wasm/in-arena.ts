// One kernel call on a fresh arena (the pooling and softmax glue): false when wasm memory is full, so the
// caller falls back to the js kernels.
import { WasmMemoryFull, type Arena } from './arena.ts';
import type { WasmContext } from './context.ts';

export function inArena(ctx: WasmContext, body: (arena: Arena) => void): boolean {
  ctx.arena.reset();
  try {
    body(ctx.arena);
    return true;
  } catch (e) {
    if (e instanceof WasmMemoryFull) return false;
    throw e;
  }
}
