// A whole depthwise conv (groups = channels, one input channel per group) in one wasm call
// (as/depthwise.ts), instead of one conv per group: the operands are copied in once, no per-group setup.
import type { Conv2dGeometry } from '../conv2d.ts';
import { columnRanges } from '../depthwise.ts';
import { WasmMemoryFull } from './arena.ts';
import type { WasmContext } from './context.ts';

/** g.c = channels = groups, g.o = channels · multiplier. False when it does not fit in wasm memory. */
export function wasmDepthwise(ctx: WasmContext, x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry, out: Float32Array): boolean {
  const { arena } = ctx;
  arena.reset();
  try {
    const xp = arena.alloc(4 * x.length), wp = arena.alloc(4 * w.length);
    const bp = bias ? arena.alloc(4 * bias.length) : 0;
    const op = arena.alloc(4 * out.length);
    const cols = arena.alloc(8 * g.kw);
    // the stride-1 path's zero-padded plane (as/depthwise.ts): rows reached × whole vectors of outputs
    const scratch = arena.alloc(4 * ((g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1) * (4 * Math.ceil(g.ow / 4) + (g.kw - 1) * g.dw));
    const f32 = arena.f32, i32 = arena.i32;
    const [lo, hi] = columnRanges(g);
    for (let kj = 0; kj < g.kw; kj++) {
      i32[(cols >> 2) + 2 * kj] = lo[kj];
      i32[(cols >> 2) + 2 * kj + 1] = hi[kj];
    }
    f32.set(x, xp >> 2);
    f32.set(w, wp >> 2);
    if (bias) f32.set(bias, bp >> 2);
    ctx.exports.depthwise(xp, wp, bp, op, cols, scratch, g.n, g.c, g.o / g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, g.oh, g.ow);
    out.set(arena.f32.subarray(op >> 2, (op >> 2) + out.length));
    return true;
  } catch (e) {
    if (e instanceof WasmMemoryFull) return false;
    throw e;
  }
}
