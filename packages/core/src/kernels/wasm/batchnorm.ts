// Batch norm's loops on the wasm kernels (as/batchnorm.ts), twins of ../batchnorm.ts with the same results
// bit for bit: float32 [N, C, S] in, per-channel float64 sums out (the js side finishes the statistics
// exactly as the js kernel does), or one elementwise pass (the normalization, the input gradient). The
// op (ops/batch-norm.ts) runs its forward and its backward rule inside `sharingOperands`, so x (and g)
// are copied into wasm memory once for both of their calls.
import type { TypedArray } from '../../tensor.ts';
import { inputGradCoefficients, type ChannelLayout, type ChannelStats, type GradSums } from '../batchnorm.ts';
import { WasmMemoryFull } from './arena.ts';
import type { WasmContext } from './context.ts';

/** Smaller inputs stay in js (the copies and the call would cost more). */
export const batchNormLimits = { min: 2048 };

const usable = (...xs: TypedArray[]): boolean => xs.every((x) => x instanceof Float32Array) && xs[0].length >= batchNormLimits.min;

/** Runs `body` on the arena (reset first); null when wasm memory is full. */
function onArena<T>(ctx: WasmContext, body: () => T): T | null {
  ctx.arena.reset();
  try {
    const r = body();
    ctx.stats.batchNorm++;
    return r;
  } catch (e) {
    if (e instanceof WasmMemoryFull) return null;
    throw e;
  }
}

/** Copies per-channel float64 vectors into the arena; their byte addresses. */
function f64In(ctx: WasmContext, ...vs: Float64Array[]): number[] {
  const at = vs.map((v) => ctx.arena.alloc(8 * v.length));
  const mem = new Float64Array(ctx.arena.f32.buffer);
  vs.forEach((v, i) => mem.set(v, at[i] >> 3));
  return at;
}

function f64Out(ctx: WasmContext, at: number, len: number): Float64Array {
  return new Float64Array(ctx.arena.f32.buffer, at, len).slice();
}

/** As channelStats (kernels/batchnorm.ts): the sums here, the division by M in js. */
export function wasmChannelStats(ctx: WasmContext, x: TypedArray, l: ChannelLayout): ChannelStats | null {
  if (!usable(x)) return null;
  const r = onArena(ctx, () => {
    const px = ctx.arena.copyIn(x as Float32Array);
    const sums = ctx.arena.alloc(24 * l.c);
    ctx.exports.bnStats(px, l.n, l.c, l.s, sums);
    return f64Out(ctx, sums, 3 * l.c);
  });
  if (r === null) return null;
  const m = l.n * l.s;
  const mean = new Float64Array(l.c), variance = new Float64Array(l.c);
  for (let ch = 0; ch < l.c; ch++) {
    const k = r[3 * ch], s1 = r[3 * ch + 1], s2 = r[3 * ch + 2];
    mean[ch] = k + s1 / m;
    variance[ch] = Math.max(0, (s2 - (s1 * s1) / m) / m);
  }
  return { mean, variance };
}

/** As channelAffine: out = (x − mean)·scale + shift. */
export function wasmChannelAffine(ctx: WasmContext, x: TypedArray, l: ChannelLayout, mean: Float64Array, scale: Float64Array, shift: Float64Array, out: TypedArray): boolean {
  if (!usable(x, out)) return false;
  return onArena(ctx, () => {
    const px = ctx.arena.copyIn(x as Float32Array);
    const po = ctx.arena.alloc(4 * x.length);
    const [pm, pk, pb] = f64In(ctx, mean, scale, shift);
    ctx.exports.bnMap(0, px, l.n, l.c, l.s, pm, pk, pb, 0, po);
    out.set(ctx.arena.f32.subarray(po >> 2, (po >> 2) + x.length));
    return true;
  }) ?? false;
}

/** As gradSums: Σg and Σg·(x − μ) here, the ·invstd in js. */
export function wasmGradSums(ctx: WasmContext, g: TypedArray, x: TypedArray, l: ChannelLayout, mean: Float64Array, invstd: Float64Array): GradSums | null {
  if (!usable(g, x)) return null;
  const r = onArena(ctx, () => {
    const pg = ctx.arena.copyIn(g as Float32Array), px = ctx.arena.copyIn(x as Float32Array);
    const sums = ctx.arena.alloc(16 * l.c);
    const [pm] = f64In(ctx, mean);
    ctx.exports.bnGradSums(pg, px, l.n, l.c, l.s, pm, sums);
    return f64Out(ctx, sums, 2 * l.c);
  });
  if (r === null) return null;
  const sumG = new Float64Array(l.c), sumGXhat = new Float64Array(l.c);
  for (let ch = 0; ch < l.c; ch++) {
    sumG[ch] = r[2 * ch];
    sumGXhat[ch] = r[2 * ch + 1] * invstd[ch];
  }
  return { sumG, sumGXhat };
}

/** As batchNormInputGrad: dx = γ·invstd·(g − Σg/M − x̂·Σ(g·x̂)/M). */
export function wasmBatchNormInputGrad(
  ctx: WasmContext, g: TypedArray, x: TypedArray, l: ChannelLayout, mean: Float64Array, invstd: Float64Array, gamma: TypedArray | null, sums: GradSums, out: TypedArray,
): boolean {
  if (!usable(g, x, out)) return false;
  const { a, meanG, b } = inputGradCoefficients(l, invstd, gamma, sums);
  return onArena(ctx, () => {
    const pg = ctx.arena.copyIn(g as Float32Array), px = ctx.arena.copyIn(x as Float32Array);
    const po = ctx.arena.alloc(4 * x.length);
    const [pm, pa, pmg, pb] = f64In(ctx, mean, a, meanG, b);
    ctx.exports.bnMap(pg, px, l.n, l.c, l.s, pm, pa, pmg, pb, po);
    out.set(ctx.arena.f32.subarray(po >> 2, (po >> 2) + x.length));
    return true;
  }) ?? false;
}
