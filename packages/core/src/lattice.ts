// Lattice tensors: the outputs of pad2d, dilate2d and permute inside the conv2d backward (the chapter's
// padded, dilated deltas and the batch/channel swaps) are described instead of copied. Such a tensor is
// zero except on a lattice of its last two dims, where it holds a strided block of another tensor's data;
// conv kernels read the block directly (skipping the zeros) and `Tensor.data` builds the full array only
// if something reads it. Graph nodes, backward rules and values are those of the eager ops.
import { stridesOf, type Shape } from './shape.ts';
import { stridedCopy } from './kernels/strided.ts';
import type { DType, TypedArray } from './tensor.ts';

/**
 * Element [i…, first[0] + step[0]·a, first[1] + step[1]·b] of the tensor is
 * base[offset + Σ i_k·strides[k] + a·strides[r−2] + b·strides[r−1]] for a < counts[r−2], b < counts[r−1]
 * (the lead counts equal the tensor's lead dims); every other element is zero.
 */
export interface LatticeView {
  readonly base: TypedArray;
  readonly offset: number;
  readonly strides: readonly number[];
  readonly counts: readonly number[];
  readonly first: readonly [number, number];
  readonly step: readonly [number, number];
}

/** A dense tensor's data as a (trivial) lattice view. */
export function denseLattice(data: TypedArray, shape: Shape): LatticeView {
  return { base: data, offset: 0, strides: stridesOf(shape), counts: [...shape], first: [0, 0], step: [1, 1] };
}

/** dilate2d: position y becomes y·s. */
export function dilateLattice(v: LatticeView, sh: number, sw: number): LatticeView {
  return { ...v, first: [v.first[0] * sh, v.first[1] * sw], step: [v.step[0] * sh, v.step[1] * sw] };
}

/** pad2d: `top` rows above and `left` columns before (bottom/right only change the shape). */
export function padLattice(v: LatticeView, top: number, left: number): LatticeView {
  return { ...v, first: [v.first[0] + top, v.first[1] + left] };
}

/** permute of the lead dims (the last two stay in place). */
export function permuteLattice(v: LatticeView, perm: readonly number[]): LatticeView {
  return { ...v, strides: perm.map((p) => v.strides[p]), counts: perm.map((p) => v.counts[p]) };
}

/** The full row-major array of a lattice tensor of the given shape. */
export function materializeLattice(v: LatticeView, shape: Shape, dtype: DType): TypedArray {
  let size = 1;
  for (const d of shape) size *= d;
  const out = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  const r = shape.length, os = stridesOf(shape);
  const dst = [...os.slice(0, r - 2), os[r - 2] * v.step[0], os[r - 1] * v.step[1]];
  stridedCopy(v.base, v.offset, v.strides, out, v.first[0] * os[r - 2] + v.first[1] * os[r - 1], dst, v.counts);
  return out;
}

let lazyDepth = 0;

/** Runs fn with pad2d, dilate2d and (lead-dim) permute returning lattice tensors instead of copies. */
export function withLatticeOutputs<T>(fn: () => T): T {
  lazyDepth++;
  try {
    return fn();
  } finally {
    lazyDepth--;
  }
}

export function latticeOutputsEnabled(): boolean {
  return lazyDepth > 0;
}

/** A tensor's lattice view, or the trivial view of its data. */
export function latticeView(t: { readonly lattice: LatticeView | null; readonly data: TypedArray; readonly shape: Shape }): LatticeView {
  return t.lattice ?? denseLattice(t.data, t.shape);
}
