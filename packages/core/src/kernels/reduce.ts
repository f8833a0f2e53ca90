// Sum over axes. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';
import type { Shape } from '../shape.ts';

/**
 * The shape as runs of adjacent axes that are all reduced or all kept (size-1 axes dropped): summing
 * [N, C, H, W] over (0, 2, 3) is summing [N, C, H·W] over (0, 2), with one long inner loop.
 */
export function mergeRuns(shape: Shape, reduced: ReadonlySet<number>): { dims: number[]; red: boolean[] } {
  const dims: number[] = [], red: boolean[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const r = reduced.has(i);
    if (red.length > 0 && red[red.length - 1] === r) dims[dims.length - 1] *= d;
    else {
      dims.push(d);
      red.push(r);
    }
  });
  return { dims, red };
}

/** Σ x[p … p+len), in four interleaved partial sums (independent adds pipeline). One copy per array type keeps each monomorphic. */
function rowSum32(x: Float32Array, p: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const end4 = p + (len & ~3), end = p + len;
  let i = p;
  for (; i < end4; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < end; i++) s0 += x[i];
  return s0 + s1 + (s2 + s3);
}

function rowSum64(x: Float64Array, p: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const end4 = p + (len & ~3), end = p + len;
  let i = p;
  for (; i < end4; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < end; i++) s0 += x[i];
  return s0 + s1 + (s2 + s3);
}

/**
 * Sums of the consecutive rows of `len` elements of x (float64, one per row), or null to let the caller
 * loop. A kernel backend may supply a faster one (KernelBackend.rowSums).
 */
export type RowSums = (x: TypedArray, len: number) => Float64Array | null;

/**
 * out (shape = `shape` with `axes` set to 1) = sum of x over `axes`; accumulates in float64.
 * When the innermost axes are summed, `rowSums` (if given) may sum those rows at once.
 */
export function sumAxes(x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray, rowSums?: RowSums): void {
  const acc = new Float64Array(out.length);
  if (x.length === 0) {
    out.set(acc);
    return;
  }
  const { dims, red } = mergeRuns(shape, new Set(axes));
  if (dims.length === 0) {
    acc[0] = x[0]; // every axis has size 1 (or a rank-0 x)
    out.set(acc);
    return;
  }
  // output stride of each merged run: 0 for a reduced one, the product of the later kept runs otherwise
  const rank = dims.length;
  const os = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    os[i] = red[i] ? 0 : s;
    if (!red[i]) s *= dims[i];
  }
  const inner = dims[rank - 1];
  const innerReduced = red[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  const sums = innerReduced && rowSums ? rowSums(x, inner) : null;
  let po = 0;
  for (let p = 0, r = 0; p < x.length; p += inner, r++) {
    if (sums) acc[po] += sums[r];
    else if (innerReduced) acc[po] += x instanceof Float32Array ? rowSum32(x, p, inner) : rowSum64(x, p, inner);
    else for (let j = 0; j < inner; j++) acc[po + j] += x[p + j];
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      po += os[d];
      if (idx[d] < dims[d]) break;
      po -= os[d] * dims[d];
      idx[d] = 0;
    }
  }
  out.set(acc);
}
