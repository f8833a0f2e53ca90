// Grouped convolution on any KernelBackend: one ordinary conv per group, on channel slices.
//
// Group gi reads input channels [gi·C/G, (gi+1)·C/G) and writes output channels [gi·O/G, (gi+1)·O/G)
// with weights rows gi·O/G … (weights [O, C/G, KH, KW] are contiguous per group). In NCHW a channel
// slice is strided across the batch, so each group's input block (dense, or the non-zero block of a
// lattice view) is copied into a compact array, run through the backend's own conv (wasm or js), and its
// output scattered back into the output's channel slice. Copies cost O(input + output) in all; the
// convolutions themselves are the backend's fast paths (a depthwise conv is G single-channel convs).
import { materializeLattice, type LatticeView } from '../lattice.ts';
import type { TypedArray } from '../tensor.ts';
import { allocate, dtypeOf } from '../tensor.ts';
import { stridesOf } from '../shape.ts';
import type { KernelBackend } from './backend.ts';
import type { Conv2dGeometry } from './conv2d.ts';
import { stridedCopy } from './strided.ts';

type Operand = TypedArray | LatticeView;

/**
 * out = grouped conv of x [N, C, H, W] with w [O, C/G, KH, KW] (either may be a lattice view), g the
 * geometry of the whole conv with g.c = C and g.o = O.
 */
export function groupedConv2d(be: KernelBackend, x: Operand, w: Operand, bias: TypedArray | null, g: Conv2dGeometry, groups: number, out: TypedArray): void {
  const cg = g.c / groups, og = g.o / groups, plane = g.oh * g.ow;
  // Depthwise (one input channel per group): a backend may run all groups in one call.
  if (cg === 1 && be.depthwiseConv2d) {
    const [xd, gd] = unpadded(x, g);
    if (be.depthwiseConv2d(xd, dense(w, [g.o, 1, g.kh, g.kw]), bias, gd, out)) return;
  }
  const sub: Conv2dGeometry = { ...g, c: cg, o: og };
  const outG = allocate(dtypeOf(out), g.n * og * plane);
  // One buffer per operand, reused by every group (the kernels copy their operands in before returning).
  const xSlot: Slot = {}, wSlot: Slot = {};
  const wPer = cg * g.kh * g.kw; // weights per output channel
  for (let gi = 0; gi < groups; gi++) {
    const xs = ArrayBuffer.isView(x) ? channelBlock(x, g, gi * cg, cg, xSlot) : latticeBlock(x, 1, gi * cg, cg, xSlot);
    const ws = ArrayBuffer.isView(w) ? w.subarray(gi * og * wPer, (gi + 1) * og * wPer) : latticeBlock(w, 0, gi * og, og, wSlot);
    const bs = bias ? bias.subarray(gi * og, (gi + 1) * og) : null;
    if (ArrayBuffer.isView(xs) && ArrayBuffer.isView(ws)) be.conv2dForward(xs, ws, bs, sub, outG);
    else if (be.conv2dForwardLattice) be.conv2dForwardLattice(xs, ws, bs, sub, outG);
    else be.conv2dForward(dense(xs, [g.n, cg, g.h, g.w]), dense(ws, [og, cg, g.kh, g.kw]), bs, sub, outG);
    // outG [N, og, OH, OW] → out[:, gi·og … (gi+1)·og]
    copyBlocks(outG, 0, og * plane, out, gi * og * plane, g.o * plane, g.n);
  }
}

/**
 * A buffer reused across the groups of one call, allocated at the first group: every group's block of
 * an operand has the same size and dtype.
 */
interface Slot { buf?: TypedArray }

/** Channels [start, start + count) of a dense x [N, C, H, W], as a contiguous array. */
function channelBlock(x: TypedArray, g: Conv2dGeometry, start: number, count: number, slot: Slot): TypedArray {
  const plane = g.h * g.w;
  const out = (slot.buf ??= allocate(dtypeOf(x), g.n * count * plane));
  copyBlocks(x, start * plane, g.c * plane, out, 0, count * plane, g.n);
  return out;
}

/** Entries [start, start + count) of dim `dim` (0 or 1) of a rank-4 lattice view: its lattice over a compact copy of its block. */
function latticeBlock(v: LatticeView, dim: 0 | 1, start: number, count: number, slot: Slot): LatticeView {
  const counts = [...v.counts];
  counts[dim] = count;
  const strides = stridesOf(counts);
  const base = (slot.buf ??= allocate(dtypeOf(v.base), counts.reduce((p, d) => p * d, 1)));
  stridedCopy(v.base, v.offset + start * v.strides[dim], v.strides, base, 0, strides, counts);
  return { base, offset: 0, strides, counts, first: v.first, step: v.step };
}

/** `blocks` runs of length min(srcStride, dstStride), run i from src[srcOff + i·srcStride] to dst[dstOff + i·dstStride] (memcpy each). */
function copyBlocks(src: TypedArray, srcOff: number, srcStride: number, dst: TypedArray, dstOff: number, dstStride: number, blocks: number): void {
  const len = Math.min(srcStride, dstStride);
  for (let i = 0; i < blocks; i++) {
    const s = srcOff + i * srcStride;
    dst.set(src.subarray(s, s + len), dstOff + i * dstStride);
  }
}

/** A lattice operand as a full array (only for a backend without lattice support). */
const dense = (v: Operand, shape: readonly number[]): TypedArray =>
  ArrayBuffer.isView(v) ? v : materializeLattice(v, shape, dtypeOf(v.base));

/**
 * A dense operand as is; a lattice that only pads (step 1, a contiguous block: the δ of a stride-1 dX)
 * as its block with the padding moved into the geometry; any other lattice materialized.
 */
function unpadded(v: Operand, g: Conv2dGeometry): [TypedArray, Conv2dGeometry] {
  if (ArrayBuffer.isView(v)) return [v, g];
  const c = v.counts, s = stridesOf(c);
  if (v.step[0] === 1 && v.step[1] === 1 && v.strides.every((st, i) => st === s[i])) {
    const size = c[0] * s[0];
    return [v.base.subarray(v.offset, v.offset + size), { ...g, h: c[2], w: c[3], pt: g.pt + v.first[0], pl: g.pl + v.first[1] }];
  }
  return [dense(v, [g.n, g.c, g.h, g.w]), g];
}
