// The 'wasm' KernelBackend: float32 work on the WebAssembly SIMD kernels (threads when it pays);
// float64 and anything too large for wasm memory go to the js reference kernels.
import type { LatticeView } from '../../lattice.ts';
import type { TypedArray } from '../../tensor.ts';
import { jsBackend, type KernelBackend } from '../backend.ts';
import type { Conv2dGeometry } from '../conv2d.ts';
import { Arena } from './arena.ts';
import { emptyStats, type WasmContext, type WasmStats } from './context.ts';
import { wasmConv2dForward } from './conv.ts';
import { wasmConv2dMaxPool } from './conv-pool.ts';
import { wasmConvPoolGrads } from './conv-pool-grad.ts';
import { wasmDepthwise } from './depthwise.ts';
import { wasmGemm } from './gemm.ts';
import { wasmRowSums } from './reduce.ts';
import { wasmAdam, wasmBinary, wasmLeakyRelu, wasmSgd, wasmSmooth, wasmSmoothGrad, wasmStepScale } from './elementwise.ts';
import { wasmAvgPool2d, wasmAvgPool2dAdjoint, wasmMaxPool2d, wasmScatterAddFlat } from './pooling.ts';
import { wasmLogSoftmax, wasmLogSoftmaxBackward } from './softmax.ts';
import { wasmBatchNormInputGrad, wasmChannelAffine, wasmChannelStats, wasmGradSums } from './batchnorm.ts';
import type { WasmKernels, WasmVariant } from './module.ts';
import { Pool } from './pool.ts';

const isF32 = (v: TypedArray | LatticeView): v is Float32Array | (LatticeView & { base: Float32Array }) =>
  ArrayBuffer.isView(v) ? v instanceof Float32Array : v.base instanceof Float32Array;

/** GEMMs smaller than this (m·n·k) are not worth the copies into wasm memory. */
const GEMM_MIN_WORK = 4096;

export interface WasmBackend extends KernelBackend {
  readonly pool: Pool;
  /** The wasm memory the operands are copied into (its counters: copies made and shared). */
  readonly arena: Arena;
  readonly stats: WasmStats;
  /** Which build runs: fused multiply-add (relaxed SIMD) or plain SIMD. */
  readonly variant: WasmVariant;
}

/** `workers`: helper threads besides the caller (default: CONVGRAD_THREADS or the core count, minus one). */
export function createWasmBackend(k: WasmKernels, workers = Pool.defaultWorkers()): WasmBackend {
  const ctlBase = (k.exports.heapBase() + 63) & ~63;
  const arenaBase = ctlBase + Pool.CONTROL_BYTES + 64;
  const pool = new Pool(k, ctlBase, workers);
  const ctx: WasmContext = { arena: new Arena(k.memory, arenaBase), pool, exports: k.exports, stats: emptyStats() };

  return {
    name: 'wasm',
    variant: k.variant,
    pool,
    arena: ctx.arena,
    stats: ctx.stats,
    conv2dForward(x: TypedArray, w: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): void {
      if (x instanceof Float32Array && w instanceof Float32Array && out instanceof Float32Array && (bias === null || bias instanceof Float32Array)) {
        if (wasmConv2dForward(ctx, x, w, bias, g, out)) return;
      }
      ctx.stats.js++;
      jsBackend.conv2dForward(x, w, bias, g, out);
    },
    conv2dForwardLattice(x: TypedArray | LatticeView, w: TypedArray | LatticeView, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): void {
      if (isF32(x) && isF32(w) && out instanceof Float32Array && (bias === null || bias instanceof Float32Array)) {
        if (wasmConv2dForward(ctx, x, w, bias, g, out)) return;
      }
      ctx.stats.js++;
      jsBackend.conv2dForwardLattice!(x, w, bias, g, out);
    },
    depthwiseConv2d(x: TypedArray, w: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): boolean {
      const f32 = x instanceof Float32Array && w instanceof Float32Array && out instanceof Float32Array && (bias === null || bias instanceof Float32Array);
      // (typeof: a build from before this kernel)
      if (f32 && typeof ctx.exports.depthwise === 'function' && wasmDepthwise(ctx, x, w, bias, g, out)) {
        ctx.stats.depthwise++;
        return true;
      }
      ctx.stats.js++;
      return jsBackend.depthwiseConv2d!(x, w, bias, g, out);
    },
    gemm(m, n, k2, a, aOff, b, bOff, c, cOff, accumulate): void {
      if (a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array && m * n * k2 >= GEMM_MIN_WORK) {
        if (wasmGemm(ctx, m, n, k2, a, aOff, b, bOff, c, cOff, accumulate)) return;
      }
      ctx.stats.js++;
      jsBackend.gemm(m, n, k2, a, aOff, b, bOff, c, cOff, accumulate);
    },
    gemmTransB(m, n, k2, a, w, c): boolean {
      return a instanceof Float32Array && w instanceof Float32Array && c instanceof Float32Array && m * n * k2 >= GEMM_MIN_WORK
        && wasmGemm(ctx, m, n, k2, a, 0, w, 0, c, 0, false, true);
    },
    rowSums(x: TypedArray, len: number): Float64Array | null {
      return x instanceof Float32Array ? wasmRowSums(ctx, x, len) : null;
    },
    shareOperands<T>(arrays: readonly TypedArray[], fn: () => T): T {
      return ctx.arena.share(arrays.filter((a): a is Float32Array => a instanceof Float32Array), fn);
    },
    // elementwise.ts: float32 only, each from its measured size; (typeof: a build from before these kernels)
    ...(typeof ctx.exports.smooth === 'function' ? {
      leakyRelu: (x, slope, out) => wasmLeakyRelu(ctx, x, slope, out),
      stepScale: (g, x, slope, out) => wasmStepScale(ctx, g, x, slope, out),
      binary: (op, a, aShape, b, bShape, outShape, out) => wasmBinary(ctx, op, a, aShape, b, bShape, outShape, out),
      smooth: (fn, x, out) => wasmSmooth(ctx, fn, x, out),
      smoothGrad: (fn, g, x, out) => wasmSmoothGrad(ctx, fn, g, x, out),
      adamUpdate: (u) => wasmAdam(ctx, u),
      sgdUpdate: (u) => wasmSgd(ctx, u),
    } satisfies Partial<KernelBackend> : {}),
    conv2dMaxPool2d: (x, w, bias, g, pg, relu, out, argmax) => x instanceof Float32Array && w instanceof Float32Array && out instanceof Float32Array
      && (bias === null || bias instanceof Float32Array) && wasmConv2dMaxPool(ctx, x, w, bias, g, pg, relu, out, argmax),
    convPoolGrads: (d, dx, dw) => wasmConvPoolGrads(ctx, d, dx, dw),
    maxPool2dForward: (x, g, out, argmax) => x instanceof Float32Array && out instanceof Float32Array && wasmMaxPool2d(ctx, x, g, out, argmax),
    avgPool2dForward: (x, g, out) => x instanceof Float32Array && out instanceof Float32Array && wasmAvgPool2d(ctx, x, g, out),
    avgPool2dAdjoint: (dy, g, dx) => dy instanceof Float32Array && dx instanceof Float32Array && wasmAvgPool2dAdjoint(ctx, dy, g, dx),
    scatterAddFlat: (src, idx, out) => src instanceof Float32Array && out instanceof Float32Array && wasmScatterAddFlat(ctx, src, idx, out),
    logSoftmaxForward: (x, l, out, asSoftmax) => x instanceof Float32Array && out instanceof Float32Array && wasmLogSoftmax(ctx, x, l, out, asSoftmax),
    logSoftmaxBackward: (g, y, l, out) => g instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array && wasmLogSoftmaxBackward(ctx, g, y, l, out),
    // batchnorm.ts (typeof: a build from before these kernels)
    ...(typeof ctx.exports.bnMap === 'function' ? {
      channelStats: (x, l) => wasmChannelStats(ctx, x, l),
      channelAffine: (x, l, mean, scale, shift, out) => wasmChannelAffine(ctx, x, l, mean, scale, shift, out),
      gradSums: (g, x, l, mean, invstd) => wasmGradSums(ctx, g, x, l, mean, invstd),
      batchNormInputGrad: (g, x, l, mean, invstd, gamma, sums, out) => wasmBatchNormInputGrad(ctx, g, x, l, mean, invstd, gamma, sums, out),
    } satisfies Partial<KernelBackend> : {}),
  };
}
