// Plans a float32 conv2d forward on the wasm kernels: copies the operands into wasm memory, writes job
// descriptors (layout.ts) and runs them on the thread pool. Kernels (as/):
//   wide — vectorised along output rows, an implicit-im2col GEMM; for ordinary convolutions.
//   dot  — vectorised along kernel rows; for short output rows and long kernel rows (weight gradients).
// Zeros on a lattice are skipped exactly (the chapter's backward convolves padded, dilated deltas). An
// operand is a strided block of non-zeros placed on a lattice of rows/columns: given as a LatticeView
// (pad2d/dilate2d/permute inside the conv backward, never materialized) or found by scanning a dense array.
//   - weights on a lattice become a smaller dense kernel with dilation ·step;
//   - a stride-1 conv of an input that is mostly zeros around/between its block (dX: the delta padded by
//     K−1) becomes a GEMM over the block plus col2im (a transposed convolution, col2im.ts);
//   - else, with a lattice step > 1, it is split into step×step output phases, each a dense conv of the
//     block with the taps that reach it (phased.ts);
//   - otherwise the input is prepared (padded, zeros filled in) straight from its block.
// Skipping drops products 0·x; only a non-finite x could tell (0·∞ is NaN), and the js GEMM skips
// zero multipliers too.
import type { LatticeView } from '../../lattice.ts';
import type { Conv2dGeometry } from '../conv2d.ts';
import { WasmMemoryFull } from './arena.ts';
import { col2imConv, preferCol2im } from './col2im.ts';
import type { WasmContext } from './context.ts';
import { writeOut, writePrep } from './descriptors.ts';
import { F, FIELDS, KIND_DOT, KIND_PREP, KIND_WIDE } from './layout.ts';
import { denseOperand, isPlain, type Operand, viewOperand } from './operand.ts';
import { phasedConv } from './phased.ts';
import { sparseWeightGrad } from './sparse-dw.ts';
import { sparseInputGrad } from './sparse-dx.ts';
import { useWinograd, winogradConv, winogradSettings } from './winograd.ts';
import { useWinogradWeightGrad, winogradWeightGrad } from './winograd-dw.ts';

/** Output rows shorter than this, with longer kernel rows, go to the dot kernel. */
const DOT_MAX_OW = 8;
/** From this many images on, each is prepared inside the kernel job by the thread that computes it. */
const IMAGES_IN_KERNEL = 8;

/** Writes a zero into every 4 KiB page of a freshly allocated (zero-filled, maybe not yet mapped) array. */
export function firstTouch(out: Float32Array | Int32Array): void {
  for (let i = 0; i < out.length; i += 1024) out[i] = 0;
}

export function useDotKernel(g: Conv2dGeometry): boolean {
  return g.ow < DOT_MAX_OW && g.kw > g.ow;
}

/**
 * Where the output goes: copied out to an array, or handed over where it lies in wasm memory (byte
 * address outp, [N, O, OH, OW]) to a consumer that runs before the arena is reset (conv-pool.ts).
 */
export type ConvOutput = Float32Array | ((outp: number) => void);

/**
 * A 2×2, stride-2 max pooling (and ReLU) of the output that the wide kernel's job does image by image, each
 * by the thread that computed it (as/wide.ts poolImage). The plan sets `out` and `arg` (the pooled values and
 * the argmax, [N, O, OH/2, OW/2] in wasm memory) when it took the wide kernel; otherwise they stay 0.
 */
export interface PoolEpilogue { relu: boolean; out: number; arg: number }

/**
 * x: [N, C, H, W] and w: [O, C, KH, KW] as arrays or lattice views. Returns false when the problem does
 * not fit in wasm memory (the caller then uses the js kernels).
 */
export function wasmConv2dForward(
  ctx: WasmContext, x: Float32Array | LatticeView, w: Float32Array | LatticeView, bias: Float32Array | null,
  g: Conv2dGeometry, out: ConvOutput, pool2x2: PoolEpilogue | null = null,
): boolean {
  const { arena } = ctx;
  arena.reset();
  let xo: Operand | null = null;
  try {
    const desc = arena.alloc(4 * FIELDS);
    const biasp = bias ? arena.alloc(4 * g.o) : 0;
    const outLen = g.n * g.o * g.oh * g.ow;
    const outp = arena.alloc(4 * outLen);
    if (bias) arena.f32.set(bias, biasp >> 2);
    const wo = ArrayBuffer.isView(w) ? denseOperand(ctx, w, g.o, g.c, g.kh, g.kw) : viewOperand(ctx, w);
    // x is copied image by image while a Winograd job starts on the first (`staged`, operand.ts)
    const staged = winogradSettings.stagedInput;
    xo = wo && (ArrayBuffer.isView(x) ? denseOperand(ctx, x, g.n, g.c, g.h, g.w, staged) : viewOperand(ctx, x, staged));
    if (!wo || !xo) {
      // an all-zero operand: the output is the bias
      const dst = typeof out === 'function' ? arena.f32.subarray(outp >> 2, (outp >> 2) + outLen) : out;
      for (let n = 0, i = 0; n < g.n; n++) {
        for (let o = 0; o < g.o; o++, i += g.oh * g.ow) dst.fill(bias ? bias[o] : 0, i, i + g.oh * g.ow);
      }
      if (typeof out === 'function') out(outp);
      return true;
    }

    // Weights: keep the taps on their lattice, contiguous. Kernel row a is old row first + step·a, i.e.
    // dilation ·step, and the window starts first·dh later (padding shrinks, possibly below zero = cropping).
    let wt = wo.ptr, wos = wo.s0, wcs = wo.s1;
    if (!isPlain(wo, g.c, g.kh, g.kw)) {
      const { rows, cols } = wo;
      const dotAfter = useDotKernel({ ...g, kw: cols.count });
      // The dot kernel reads weight rows in place when they are contiguous (channels may be strided,
      // e.g. the batch/channel-swapped delta of a weight gradient); otherwise gather a dense kernel.
      if (!(dotAfter && wo.sCol === 4 && wo.sRow === 4 * cols.count)) {
        wt = arena.alloc(4 * g.o * g.c * rows.count * cols.count);
        ctx.exports.gather4(wo.ptr, g.o, g.c, rows.count, cols.count, wo.s0, wo.s1, wo.sRow, wo.sCol, wt);
        wcs = 4 * rows.count * cols.count;
        wos = g.c * wcs;
      }
      g = {
        ...g, kh: rows.count, kw: cols.count, dh: g.dh * rows.step, dw: g.dw * cols.step,
        pt: g.pt - rows.first * g.dh, pl: g.pl - cols.first * g.dw,
      };
      ctx.stats.compactedWeights++;
    }

    // While the first job's workers start, touch every page of the fresh output array once (its first
    // writes page-fault: ~100–500 faults here, which the copy-out below would otherwise take alone).
    if (typeof out !== 'function') ctx.pool.defer(() => firstTouch(out));
    const dot = useDotKernel(g);
    const col2im = !dot && preferCol2im(g, xo), wino = !dot && !col2im && useWinograd(g, xo);
    // Only the Winograd forward reads a staged x as its images arrive (sparseInputGrad finishes the copy
    // itself when it has to look past image 0); the other kernels need it whole.
    if (!wino) xo.staged?.finish();
    let copied = false; // the Winograd forward copies its images out to an array as they are finished
    if (!dot && sparseInputGrad(ctx, g, xo, wt, wos, wcs, biasp, outp)) {
      ctx.stats.sparseInputGrad++; // over the input block's non-zeros only (sparse-dx.ts)
    } else if (col2im) {
      col2imConv(ctx, g, xo, wt, biasp, outp);
      ctx.stats.col2im++;
    } else if (wino && winogradConv(ctx, g, xo, wt, biasp, outp, typeof out === 'function' ? null : out)) {
      // (false when an output was not finite: the direct kernels below then compute them all)
      ctx.stats.winograd++;
      copied = true;
    } else if (dot && useWinogradWeightGrad(g, xo) && winogradWeightGrad(ctx, g, xo, wt, wos, wcs, biasp, outp)) {
      ctx.stats.winogradWeightGrad++;
    } else if (dot && sparseWeightGrad(ctx, g, xo, wt, wos, wcs, biasp, outp)) {
      ctx.stats.sparseWeightGrad++; // over δ's non-zeros only (sparse-dw.ts)
    } else if (!dot && g.sh === 1 && g.sw === 1 && xo.rows.step * xo.cols.step > 1) {
      phasedConv(ctx, g, xo, wt, biasp, outp);
      ctx.stats.phased++;
    } else {
      const p = dot ? g.dw : g.sw; // phases: the stride the vectorised walk takes along an input row
      const hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
      const wq = Math.ceil(((g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1) / p);
      const wr = p * wq;
      // The input block is read in place when it is the whole input and no padding or phase split is needed.
      const inPlace = p === 1 && g.pt === 0 && g.pl === 0 && hp === g.h && wq === g.w && isPlain(xo, g.c, g.h, g.w);
      const k = g.c * g.kh * g.kw;
      const bp = inPlace ? xo.ptr : arena.alloc(4 * g.n * g.c * hp * wr);
      const tabLen = dot ? Math.ceil((g.oh * g.ow) / 4) * 4 : k;
      const tab = arena.alloc(4 * tabLen);
      const apack = dot ? 0 : arena.alloc(4 * g.o * k);
      // the wide kernel's pooling epilogue: the pooled values and argmax, [N, O, OH/2, OW/2]
      const pooled = !dot && pool2x2 !== null;
      if (pooled) {
        const size = 4 * g.n * g.o * (g.oh >> 1) * (g.ow >> 1);
        pool2x2.out = arena.alloc(size);
        pool2x2.arg = arena.alloc(size);
      }
      const { i32 } = arena;

      const d = desc >> 2;
      i32.fill(0, d, d + FIELDS);
      writePrep(i32, d, g, xo, xo.rows, xo.cols, g.pt, g.pl, p, hp, wq, bp);
      writeOut(i32, d, g, g.oh, g.ow, outp, g.ow * 4, 4, biasp);
      const flops = 2 * outLen * k;
      const groups = (g.o >> 2) + (g.o & 3);
      // The input is prepared (padded, phase-split) one image at a time. With IMAGES_IN_KERNEL images or
      // more, the kernel job hands out whole images and the thread that claims one prepares it first (it
      // then reads it from its own cache, and no extra job has to start and finish); with fewer, whole
      // images would be too coarse to share, so a prep job (one image per unit) runs first.
      const perImage = dot ? groups : g.oh * groups;
      const inKernel = !inPlace && g.n >= IMAGES_IN_KERNEL;
      if (!inPlace && !inKernel) ctx.pool.run(KIND_PREP, desc, g.n, 2 * g.n * g.c * hp * wr);
      i32[d + F.PREP] = inKernel ? 1 : 0;
      if (pooled) i32.set([pool2x2.out, pool2x2.arg, pool2x2.relu ? 1 : 0], d + F.POOL_OUT);
      // whole images per chunk: prepared (inKernel) or pooled by the thread that computes them
      const align = inKernel || pooled ? perImage : 1;
      const tb = tab >> 2;
      if (dot) {
        // POS[q] locates output (oy, ox): row oy·sh, and column ox·sw = a·P + r → phase r, offset a.
        for (let oy = 0, q = 0; oy < g.oh; oy++) {
          for (let ox = 0; ox < g.ow; ox++, q++) {
            const col = ox * g.sw;
            i32[tb + q] = 4 * (oy * g.sh * wr + (col % p) * wq + Math.floor(col / p));
          }
        }
        for (let q = g.oh * g.ow; q < tabLen; q++) i32[tb + q] = i32[tb + q - 1];
        i32[d + F.KH] = g.kh;
        i32[d + F.KW] = g.kw;
        i32[d + F.KROW] = 4 * g.dh * wr;
        i32[d + F.CSTR] = 4 * hp * wr;
        i32[d + F.WT] = wt;
        i32[d + F.WOS] = wos;
        i32[d + F.WCS] = wcs;
        i32[d + F.POS] = tab;
        ctx.pool.run(KIND_DOT, desc, g.n * groups, flops, align);
        ctx.stats.dot++;
      } else {
        // OFF[k] locates tap (c, ki, kj): column ox·sw + kj·dw = (ox + ⌊kj·dw/P⌋)·P + (kj·dw mod P), P = sw.
        for (let c = 0, q = 0; c < g.c; c++) {
          for (let ki = 0; ki < g.kh; ki++) {
            for (let kj = 0; kj < g.kw; kj++, q++) {
              const col = kj * g.dw;
              i32[tb + q] = 4 * (c * hp * wr + ki * g.dh * wr + (col % p) * wq + Math.floor(col / p));
            }
          }
        }
        ctx.exports.packA(wt, g.o, k, apack);
        i32[d + F.K] = k;
        i32[d + F.APACK] = apack;
        i32[d + F.OFF] = tab;
        i32[d + F.BROW] = 4 * g.sh * wr;
        ctx.pool.run(KIND_WIDE, desc, g.n * g.oh * groups, flops, align);
        ctx.stats.wide++;
      }
    }
    if (typeof out === 'function') out(outp);
    else if (!copied) out.set(arena.f32.subarray(outp >> 2, (outp >> 2) + outLen));
    return true;
  } catch (e) {
    if (e instanceof WasmMemoryFull) return false;
    throw e;
  } finally {
    xo?.staged?.finish(); // a kept copy (arena.share) must be whole for the scope's later calls
    ctx.pool.defer(null);
  }
}
