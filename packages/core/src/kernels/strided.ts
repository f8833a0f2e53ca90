// Strided copies: the one loop behind permute, broadcast, slice and pad. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';
import type { Shape } from '../shape.ts';

/**
 * The same copy with fewer, longer axes: size-1 axes dropped, and an axis merged into the next one when
 * both arrays step over it as over one block of the next (e.g. whole rows of a contiguous tensor).
 */
export function simplify(shape: Shape, ss: readonly number[], ds: readonly number[]): { dims: number[]; ss: number[]; ds: number[] } {
  const dims: number[] = [], s: number[] = [], d: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i];
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && s[last] === ss[i] * n && d[last] === ds[i] * n) {
      dims[last] *= n;
      s[last] = ss[i];
      d[last] = ds[i];
    } else {
      dims.push(n);
      s.push(ss[i]);
      d.push(ds[i]);
    }
  }
  return { dims, ss: s, ds: d };
}

// One row copy per array type, so each stays monomorphic (a shared one is slow on mixed dtypes).
function row32(src: Float32Array, ps: number, si: number, dst: Float32Array, pd: number, di: number, n: number): void {
  if (si === 1 && di === 1) for (let j = 0; j < n; j++) dst[pd + j] = src[ps + j];
  else for (let j = 0; j < n; j++, ps += si, pd += di) dst[pd] = src[ps];
}

function row64(src: Float64Array, ps: number, si: number, dst: Float64Array, pd: number, di: number, n: number): void {
  if (si === 1 && di === 1) for (let j = 0; j < n; j++) dst[pd + j] = src[ps + j];
  else for (let j = 0; j < n; j++, ps += si, pd += di) dst[pd] = src[ps];
}

function rowAny(src: TypedArray, ps: number, si: number, dst: TypedArray, pd: number, di: number, n: number): void {
  for (let j = 0; j < n; j++, ps += si, pd += di) dst[pd] = src[ps];
}

/**
 * For every index i of `shape`: dst[dstOffset + i·dstStrides] = src[srcOffset + i·srcStrides].
 */
export function stridedCopy(
  src: TypedArray, srcOffset: number, srcStrides: readonly number[],
  dst: TypedArray, dstOffset: number, dstStrides: readonly number[],
  shape: Shape,
): void {
  let total = 1;
  for (const d of shape) total *= d; // (0 for an empty shape: the loop below then copies nothing)
  const { dims, ss, ds } = simplify(shape, srcStrides, dstStrides);
  const rank = dims.length;
  if (rank === 0) {
    dst[dstOffset] = src[srcOffset];
    return;
  }
  // Stryker disable ConditionalExpression,LogicalOperator: row32, row64 and rowAny are the same loop (one per array type, for speed): any choice copies the same values
  const row = src instanceof Float32Array && dst instanceof Float32Array ? row32
    : src instanceof Float64Array && dst instanceof Float64Array ? row64 : rowAny;
  // Stryker restore ConditionalExpression,LogicalOperator
  const inner = dims[rank - 1];
  const si = ss[rank - 1], di = ds[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  let ps = srcOffset, pd = dstOffset;
  for (let done = 0; done < total; done += inner) {
    row(src as never, ps, si, dst as never, pd, di, inner);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      ps += ss[d];
      pd += ds[d];
      if (idx[d] < dims[d]) break;
      ps -= ss[d] * dims[d];
      pd -= ds[d] * dims[d];
      idx[d] = 0;
    }
  }
}
