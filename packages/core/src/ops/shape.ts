// Shape ops: reshape, permute/transpose, broadcastTo, sumTo, slice, pad.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { stridedCopy } from '../kernels/strided.ts';
import { sameShape, sizeOf, stridesOf, type Shape } from '../shape.ts';
import { checkShape, checkSize, checkTensor, fmtArg } from '../validate.ts';
import { latticeOutputsEnabled, latticeView, permuteLattice, type LatticeView } from '../lattice.ts';
import { allocate, allocateEmpty, Tensor, type TypedArray } from '../tensor.ts';
import { sum } from './reduce.ts';

/** Same data, new shape (one dimension may be −1). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor(x, 'reshape');
  check(Array.isArray(shape) && shape.every((d) => d === -1 || (Number.isInteger(d) && d >= 0)), 'reshape',
    () => `shape must be an array of non-negative integers (one may be -1), got ${fmtArg(shape)}`);
  const unknown = shape.filter((d) => d === -1).length;
  check(unknown <= 1, 'reshape', `only one dimension can be -1, got ${fmtShape(shape)}`);
  let target = [...shape];
  if (unknown === 1) {
    const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    // x.size % 0 is NaN: a −1 beside a 0 is refused too (that −1 could be any size)
    check(x.size % known === 0, 'reshape', () => `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    target = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  check(sizeOf(target) === x.size, 'reshape', () => `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
  if (sameShape(target, x.shape)) return x;
  return record(new Tensor(x.data, target), 'reshape', [x], (g) => [reshape(g, x.shape)], { shape: target }, []);
}

/** Reorders dimensions: output dim i is input dim perm[i]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  checkTensor(x, 'permute');
  const r = x.rank;
  check(Array.isArray(perm) && perm.length === r && [...perm].sort((a, b) => a - b).every((p, i) => p === i), 'permute', () => `${fmtArg(perm)} is not a permutation of the ${r} dims of ${fmtShape(x.shape)}`);
  if (perm.every((p, i) => p === i)) return x;
  const outShape = perm.map((p) => x.shape[p]);
  // Moving only size-1 dims keeps the row-major order of the elements: share the data, no copy.
  const moved = perm.filter((p) => x.shape[p] !== 1);
  // Stryker disable next-line EqualityOperator: a permutation's entries are distinct, so moved[i − 1] <= p is moved[i − 1] < p
  const sameOrder = moved.every((p, i) => i === 0 || moved[i - 1] < p);
  // Inside the conv2d backward a permute of the lead dims is described, not copied (lattice.ts); same values.
  const asLattice = latticeOutputsEnabled() && perm[r - 2] === r - 2 && perm[r - 1] === r - 1;
  let out: TypedArray | LatticeView = asLattice ? permuteLattice(latticeView(x), perm) : x.data;
  if (!sameOrder && !asLattice) {
    const xs = stridesOf(x.shape);
    out = allocateEmpty(x.dtype, x.size);
    stridedCopy(x.data, 0, perm.map((p) => xs[p]), out, 0, stridesOf(outShape), outShape);
  }
  const inverse = new Array<number>(r);
  perm.forEach((p, i) => (inverse[p] = i));
  return record(new Tensor(out, outShape), 'permute', [x], (g) => [permute(g, inverse)], { perm: [...perm] }, []);
}

/** Swaps two dimensions. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor(x, 'transpose');
  const r = x.rank;
  const norm = (d: number) => {
    check(Number.isInteger(d) && d >= -r && d < r, 'transpose', () => `dim ${fmtArg(d)} out of range for shape ${fmtShape(x.shape)}`);
    return d < 0 ? d + r : d;
  };
  const perm = Array.from({ length: r }, (_, i) => i);
  const a = norm(dim0), b = norm(dim1);
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return permute(x, perm);
}

/** Repeats size-1 (or missing leading) dimensions to reach `shape` (numpy rules). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor(x, 'broadcastTo');
  checkShape(shape, 'broadcastTo');
  const r = shape.length, off = r - x.rank;
  check(off >= 0 && x.shape.every((d, i) => d === 1 || d === shape[off + i]), 'broadcastTo', () => `cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  if (sameShape(x.shape, shape)) return x;
  const xs = stridesOf(x.shape);
  const srcStrides = shape.map((_, i) => (i < off || x.shape[i - off] === 1 ? 0 : xs[i - off]));
  const out = allocate(x.dtype, sizeOf(shape));
  stridedCopy(x.data, 0, srcStrides, out, 0, stridesOf(shape), shape);
  return record(new Tensor(out, shape), 'broadcastTo', [x], (g) => [sumTo(g, x.shape)], { shape: [...shape] }, []);
}

/** Sums a broadcast gradient back down to `shape` (the adjoint of broadcastTo). */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  checkTensor(x, 'sumTo');
  checkShape(shape, 'sumTo');
  if (sameShape(x.shape, shape)) return x;
  const off = x.rank - shape.length;
  check(off >= 0, 'sumTo', () => `cannot sum ${fmtShape(x.shape)} down to ${fmtShape(shape)}`);
  const axes: number[] = [];
  x.shape.forEach((d, i) => {
    if (i < off) axes.push(i);
    else if (shape[i - off] === 1) axes.push(i); // (a dim of size 1 on both sides: its sum is itself)
    else check(shape[i - off] === d, 'sumTo', () => `cannot sum ${fmtShape(x.shape)} down to ${fmtShape(shape)}`);
  });
  // Stryker disable next-line BooleanLiteral: keepDim only spares a reshape node; the sum with its dims kept or dropped reshapes to the same tensor
  return reshape(sum(x, axes, true), shape);
}

/** x[begin[i] : begin[i] + size[i]] on every dim (size −1: to the end). */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  checkTensor(x, 'slice');
  check(Array.isArray(begin) && Array.isArray(size), 'slice', () => `begin and size must be arrays, got ${fmtArg(begin)} and ${fmtArg(size)}`);
  check(begin.length === x.rank && size.length === x.rank, 'slice', () => `begin and size need ${x.rank} entries for shape ${fmtShape(x.shape)}`);
  const outShape = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
  outShape.forEach((s, i) => check(Number.isInteger(begin[i]) && Number.isInteger(s) && begin[i] >= 0 && s >= 0 && begin[i] + s <= x.shape[i], 'slice',
    () => `range [${fmtArg(begin[i])}, ${fmtArg(begin[i] + s)}) is outside dim ${i} of ${fmtShape(x.shape)}`));
  if (sameShape(outShape, x.shape)) return x;
  const xs = stridesOf(x.shape);
  const offset = begin.reduce((p, b, i) => p + b * xs[i], 0);
  const out = allocate(x.dtype, sizeOf(outShape));
  stridedCopy(x.data, offset, xs, out, 0, stridesOf(outShape), outShape);
  // The adjoint of cutting out a window is putting it back into zeros.
  return record(new Tensor(out, outShape), 'slice', [x], (g) => [pad(g, begin.map((b, i) => [b, x.shape[i] - b - outShape[i]] as [number, number]))], { begin: [...begin], size: outShape }, []);
}

/** Zero padding: `widths[i] = [before, after]` for every dim. */
export function pad(x: Tensor, widths: readonly (readonly [number, number])[]): Tensor {
  checkTensor(x, 'pad');
  check(Array.isArray(widths) && widths.every((w) => Array.isArray(w) && w.length === 2), 'pad', () => `widths must be [before, after] pairs, got ${fmtArg(widths)}`);
  check(widths.length === x.rank, 'pad', () => `need ${x.rank} [before, after] pairs for shape ${fmtShape(x.shape)}, got ${widths.length}`);
  widths.forEach(([b, a]) => check(Number.isInteger(b) && Number.isInteger(a) && b >= 0 && a >= 0, 'pad', () => `padding must be non-negative integers, got [${fmtArg(b)}, ${fmtArg(a)}]`));
  if (widths.every(([b, a]) => b === 0 && a === 0)) return x;
  const outShape = x.shape.map((d, i) => d + widths[i][0] + widths[i][1]);
  checkSize(outShape, 'pad', 'output shape', () => `input ${fmtShape(x.shape)}, widths ${fmtArg(widths)}`);
  const os = stridesOf(outShape);
  const out = allocate(x.dtype, sizeOf(outShape));
  const offset = widths.reduce((p, [b], i) => p + b * os[i], 0);
  stridedCopy(x.data, 0, stridesOf(x.shape), out, offset, os, x.shape);
  return record(new Tensor(out, outShape), 'pad', [x], (g) => [slice(g, widths.map(([b]) => b), [...x.shape])], { widths: widths.map((w) => [...w]) }, []);
}
