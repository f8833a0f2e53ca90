// Elementwise ops and optimizer updates on the wasm kernels (as/elementwise.ts, as/optim.ts): operands
// copied into the arena, one kernel call, results copied out. Only float32, and only from the sizes in
// ELEMENTWISE_MIN: under those the copies and the call cost more than the js loop
// (packages/core/bench/elementwise.bench.ts measures both).
import type { Shape } from '../../shape.ts';
import type { TypedArray } from '../../tensor.ts';
import { broadcastStrides, mergeDims, type BinaryOp } from '../elementwise.ts';
import type { AdamUpdate, SgdUpdate } from '../optim.ts';
import type { SmoothFn, SmoothGradFn } from '../smooth.ts';
import { WasmMemoryFull } from './arena.ts';
import type { WasmContext } from './context.ts';
import { KIND_SMOOTH, KIND_SMOOTH_GRAD } from './layout.ts';

/**
 * Smallest element count sent to wasm per kernel. Measured (bench/elementwise.bench.ts, shared 2-core
 * VM): with the copies, wasm wins from ~256 elements on for the memory-bound ops (js/wasm ≈ 1 at 256,
 * 2–9× at 1 Ki–300 Ki), from fewer for the exp-based ones (GELU, SiLU); below that the call costs more.
 */
export const ELEMENTWISE_MIN = {
  relu: 512,
  leakyRelu: 512,
  stepScale: 512,
  binary: 512,
  smooth: 64,
  smoothGrad: 64,
  adam: 256,
  sgd: 256,
};

const BINARY_OPS: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };
const SMOOTH_FNS: Record<SmoothFn, number> = { gelu: 0, geluTanh: 1, silu: 2 };

const f32 = (...xs: (TypedArray | null)[]): boolean => xs.every((x) => x === null || x instanceof Float32Array);

/**
 * Copies `inputs` into the arena (each at its own address), runs `kernel` on those addresses and copies
 * the arrays listed in `outputs` (indices into inputs) back. False when wasm memory is full.
 */
function roundTrip(ctx: WasmContext, inputs: (Float32Array | null)[], extraBytes: number, kernel: (at: number[], extra: number) => void, outputs: [number, Float32Array][]): boolean {
  const { arena } = ctx;
  arena.reset();
  try {
    const at = inputs.map((x) => (x === null ? 0 : arena.alloc(4 * x.length)));
    const extra = extraBytes > 0 ? arena.alloc(extraBytes) : 0;
    const mem = arena.f32;
    inputs.forEach((x, i) => { if (x !== null) mem.set(x, at[i] >> 2); });
    kernel(at, extra);
    for (const [i, out] of outputs) out.set(mem.subarray(at[i] >> 2, (at[i] >> 2) + out.length));
    ctx.stats.elementwise++;
    return true;
  } catch (e) {
    if (e instanceof WasmMemoryFull) return false;
    throw e;
  }
}

/** out = leakyRelu(x, slope) (slope 0: relu). The output reuses the input's wasm buffer. */
export function wasmLeakyRelu(ctx: WasmContext, x: TypedArray, slope: number, out: TypedArray): boolean {
  const min = slope === 0 ? ELEMENTWISE_MIN.relu : ELEMENTWISE_MIN.leakyRelu;
  if (!f32(x, out) || x.length < min) return false;
  return roundTrip(ctx, [x as Float32Array], 0, ([p]) => {
    if (slope === 0) ctx.exports.relu(p, p, x.length);
    else ctx.exports.leakyRelu(p, p, x.length, slope);
  }, [[0, out as Float32Array]]);
}

/** out = (x > 0 ? g : slope·g) + 0. */
export function wasmStepScale(ctx: WasmContext, g: TypedArray, x: TypedArray, slope: number, out: TypedArray): boolean {
  if (!f32(g, x, out) || g.length < ELEMENTWISE_MIN.stepScale) return false;
  return roundTrip(ctx, [g as Float32Array, x as Float32Array], 0, ([pg, px]) => ctx.exports.stepScale(pg, px, pg, g.length, slope), [[0, out as Float32Array]]);
}

/** out = a (op) b with numpy broadcasting over `outShape`. */
export function wasmBinary(ctx: WasmContext, op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, out: TypedArray): boolean {
  if (!f32(a, b, out) || out.length < ELEMENTWISE_MIN.binary) return false;
  const { shape, sa, sb } = mergeDims(outShape, broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape));
  const rank = shape.length;
  // the output gets its own buffer (a or b may be broadcast, hence shorter), then the merged dims, then
  // the kernel's rank − 1 counters
  return roundTrip(ctx, [a as Float32Array, b as Float32Array], 4 * (out.length + 4 * rank), ([pa, pb], extra) => {
    const dims = extra + 4 * out.length, idx = dims + 12 * rank;
    const i32 = ctx.arena.i32;
    for (let d = 0; d < rank; d++) {
      i32[(dims >> 2) + 3 * d] = shape[d];
      i32[(dims >> 2) + 3 * d + 1] = sa[d];
      i32[(dims >> 2) + 3 * d + 2] = sb[d];
    }
    ctx.exports.binary(BINARY_OPS[op], pa, pb, extra, dims, rank, idx);
    (out as Float32Array).set(ctx.arena.f32.subarray(extra >> 2, (extra >> 2) + out.length));
  }, []);
}

/** Work per element of GELU/SiLU (float64 operations, exp included) claimed to the pool's thresholds. */
const SMOOTH_FLOPS = 60;
const SMOOTH_UNIT = 1024; // as/elementwise.ts

/** A GELU/SiLU job (as/elementwise.ts smoothRun) over the pool's threads: compute-bound, so threads pay. */
function smoothJob(ctx: WasmContext, kind: number, fn: number, x: number, g: number, out: number, n: number, desc: number): void {
  const i32 = ctx.arena.i32, d = desc >> 2;
  i32[d] = fn;
  i32[d + 1] = x;
  i32[d + 2] = g;
  i32[d + 3] = out;
  i32[d + 4] = n;
  ctx.pool.run(kind, desc, Math.ceil(n / SMOOTH_UNIT), SMOOTH_FLOPS * n);
}

/** out = f(x) for GELU (erf), GELU (tanh), SiLU. */
export function wasmSmooth(ctx: WasmContext, fn: SmoothFn, x: TypedArray, out: TypedArray): boolean {
  if (!f32(x, out) || x.length < ELEMENTWISE_MIN.smooth) return false;
  return roundTrip(ctx, [x as Float32Array], 20, ([p], desc) => smoothJob(ctx, KIND_SMOOTH, SMOOTH_FNS[fn], p, 0, p, x.length, desc), [[0, out as Float32Array]]);
}

/** out = g·f'(x) for GELU (erf), SiLU. */
export function wasmSmoothGrad(ctx: WasmContext, fn: SmoothGradFn, g: TypedArray, x: TypedArray, out: TypedArray): boolean {
  if (!f32(g, x, out) || x.length < ELEMENTWISE_MIN.smoothGrad) return false;
  return roundTrip(ctx, [g as Float32Array, x as Float32Array], 20, ([pg, px], desc) => smoothJob(ctx, KIND_SMOOTH_GRAD, SMOOTH_FNS[fn], px, pg, pg, x.length, desc), [[0, out as Float32Array]]);
}

/** One Adam/AdamW step (kernels/optim.ts AdamUpdate), in place. */
export function wasmAdam(ctx: WasmContext, u: AdamUpdate): boolean {
  const { theta, grad, m, v, vMax } = u;
  if (!f32(theta, grad, m, v, vMax) || theta.length < ELEMENTWISE_MIN.adam) return false;
  const outs: [number, Float32Array][] = [[0, theta as Float32Array], [2, m as Float32Array], [3, v as Float32Array]];
  if (vMax) outs.push([4, vMax as Float32Array]);
  return roundTrip(ctx, [theta, grad, m, v, vMax] as (Float32Array | null)[], 0, ([pt, pg, pm, pv, px]) =>
    ctx.exports.adam(pt, pg, pm, pv, px, theta.length, u.b1, u.b2, u.stepSize, u.c2, u.eps, u.l2, u.shrink, u.sign), outs);
}

/** One SGD step (kernels/optim.ts SgdUpdate), in place. */
export function wasmSgd(ctx: WasmContext, u: SgdUpdate): boolean {
  const { theta, grad, buf } = u;
  if (!f32(theta, grad, buf) || theta.length < ELEMENTWISE_MIN.sgd) return false;
  const outs: [number, Float32Array][] = [[0, theta as Float32Array]];
  if (buf) outs.push([2, buf as Float32Array]);
  return roundTrip(ctx, [theta, grad, buf] as (Float32Array | null)[], 0, ([pt, pg, pb]) =>
    ctx.exports.sgd(pt, pg, pb, theta.length, u.lr, u.mu, u.tau, u.wd, u.sign, u.fresh ? 1 : 0, u.nesterov ? 1 : 0), outs);
}
