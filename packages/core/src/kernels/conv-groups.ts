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
  for (let gi = 0; gi < groups; gi++) {
    const xs = channelBlock(x, [g.n, g.c, g.h, g.w], 1, gi * cg, cg, xSlot);
    const ws = channelBlock(w, [g.o, cg, g.kh, g.kw], 0, gi * og, og, wSlot);
    const bs = bias ? bias.subarray(gi * og, (gi + 1) * og) : null;
    if (ArrayBuffer.isView(xs) && ArrayBuffer.isView(ws)) be.conv2dForward(xs, ws, bs, sub, outG);
    else if (be.conv2dForwardLattice) be.conv2dForwardLattice(xs, ws, bs, sub, outG);
    else be.conv2dForward(dense(xs, [g.n, cg, g.h, g.w]), dense(ws, [og, cg, g.kh, g.kw]), bs, sub, outG);
    // outG [N, og, OH, OW] → out[:, gi·og … (gi+1)·og]
    copyBlocks(outG, 0, og * plane, out, gi * og * plane, g.o * plane, g.n);
  }
}

/** A buffer reused across the groups of one call. */
interface Slot { buf?: TypedArray }

/** slot.buf, (re)allocated when absent or of another size or dtype. */
function take(slot: Slot, like: TypedArray, size: number): TypedArray {
  if (!slot.buf || slot.buf.length !== size || dtypeOf(slot.buf) !== dtypeOf(like)) slot.buf = allocate(dtypeOf(like), size);
  return slot.buf;
}

/**
 * Entries [start, start + count) of dim `dim` (0 or 1) of a rank-4 operand of the given shape, compact:
 * a dense slice becomes a contiguous array; a lattice view keeps its lattice over a compact copy of its block.
 */
function channelBlock(v: Operand, shape: readonly number[], dim: 0 | 1, start: number, count: number, slot: Slot): Operand {
  const full = shape[dim];
  if (ArrayBuffer.isView(v)) {
    const inner = shape.slice(dim + 1).reduce((p, d) => p * d, 1);
    if (dim === 0) return v.subarray(start * inner, (start + count) * inner);
    const out = take(slot, v, shape[0] * count * inner);
    copyBlocks(v, start * inner, full * inner, out, 0, count * inner, shape[0]);
    return out;
  }
  const counts = [...v.counts];
  counts[dim] = count;
  const strides = contiguous(counts);
  const size = counts.reduce((p, d) => p * d, 1);
  const base = take(slot, v.base, size);
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

function contiguous(counts: readonly number[]): number[] {
  const s = new Array<number>(counts.length);
  for (let i = counts.length - 1, acc = 1; i >= 0; acc *= counts[i], i--) s[i] = acc;
  return s;
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
  const c = v.counts, s = contiguous(c);
  if (v.step[0] === 1 && v.step[1] === 1 && v.strides.every((st, i) => st === s[i])) {
    const size = c[0] * s[0];
    return [v.base.subarray(v.offset, v.offset + size), { ...g, h: c[2], w: c[3], pt: g.pt + v.first[0], pl: g.pl + v.first[1] }];
  }
  return [dense(v, [g.n, g.c, g.h, g.w]), g];
}
