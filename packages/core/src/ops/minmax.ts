// max/min (with indices along a dim), amax/amin (ties share the gradient), argmax/argmin.
// Indices are returned as a float tensor of the input's dtype holding integers (convgrad has no
// integer dtype; float32 holds every index below 2^24 exactly), and are accepted back by gather/indexSelect.
import { noGrad, record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { argReduce } from '../kernels/dim-reduce.ts';
import { allocate, Tensor } from '../tensor.ts';
import { checkTensor, axisLayout, normDim, reductionAxes } from './dim-args.ts';
import { fmtArg } from '../validate.ts';
import { div, mul } from './elementwise.ts';
import { scatterAdd } from './indexing.ts';
import { sum } from './reduce.ts';
import { broadcastTo, reshape } from './shape.ts';

/** What max(x, dim) and min(x, dim) return, as PyTorch's (values, indices) named tuple. */
export interface ValuesIndices { values: Tensor; indices: Tensor }

/** PyTorch refuses to take an extremum over a dim of size 0. */
function checkNotEmpty(x: Tensor, axes: readonly number[], op: string): void {
  check(axes.every((a) => (x.shape[a] ?? 1) > 0), op,
    () => `cannot reduce over a dim of size 0 (shape ${fmtShape(x.shape)}, dims [${axes.join(', ')}])`);
}

/** Values and first-occurrence indices along one dim, plus the shapes involved. */
function alongDim(x: Tensor, dim: number, keepDim: boolean, wantMax: boolean, op: string) {
  checkTensor(x, op);
  check(typeof keepDim === 'boolean', op, () => `keepDim must be a boolean, got ${fmtArg(keepDim)}`);
  const d = normDim(dim, x.rank, op);
  checkNotEmpty(x, [d], op);
  const l = axisLayout(x.shape, d);
  const values = allocate(x.dtype, l.outer * l.inner);
  const at = new Int32Array(values.length);
  argReduce(x.data, l, wantMax, values, at);
  const kept = x.shape.map((s, i) => (i === d ? 1 : s));
  const outShape = x.rank === 0 ? [] : keepDim ? kept : x.shape.filter((_, i) => i !== d);
  return { l, values, at, outShape };
}

function valuesIndices(x: Tensor, dim: number, keepDim: boolean, wantMax: boolean, op: string): ValuesIndices {
  const { l, values, at, outShape } = alongDim(x, dim, keepDim, wantMax, op);
  const flat = new Int32Array(at.length);
  // Stryker disable next-line EqualityOperator: o <= l.outer only adds a row of writes past flat's end (length outer·inner), which a typed array drops
  for (let o = 0, k = 0; o < l.outer; o++) {
    for (let i = 0; i < l.inner; i++, k++) flat[k] = (o * l.len + at[k]) * l.inner + i;
  }
  // The gradient goes to the first extremum only (PyTorch's max(dim)): a scatter through the chosen
  // positions, whose own backward is a gather (both linear), so it differentiates again.
  const v = record(new Tensor(values, outShape), op, [x], (g) => [scatterAdd(g, flat, x.shape)], { dim });
  return { values: v, indices: new Tensor(indexTensorData(x, at), outShape) };
}

/**
 * amax/amin over `dims` (all by default). The gradient is shared evenly among tied extrema, as PyTorch's
 * amax: (g/count)·[x = y], with the tie mask a constant (its derivative is zero almost everywhere).
 */
function extremum(x: Tensor, dims: number | readonly number[] | undefined, keepDim: boolean, wantMax: boolean, op: string): Tensor {
  checkTensor(x, op);
  check(typeof keepDim === 'boolean', op, () => `keepDim must be a boolean, got ${fmtArg(keepDim)}`);
  const allDims = Array.isArray(dims) && dims.length === 0; // (undefined: all as well)
  const axes = reductionAxes(x, allDims ? undefined : dims, op);
  checkNotEmpty(x, axes, op);
  let data = x.data;
  const kept = [...x.shape];
  for (const a of axes) {
    const l = axisLayout(kept, a);
    const next = allocate(x.dtype, l.outer * l.inner);
    argReduce(data, l, wantMax, next, new Int32Array(next.length));
    data = next;
    kept[a] = 1;
  }
  const outShape = keepDim ? kept : x.shape.filter((_, i) => !axes.includes(i));
  const y = new Tensor(data === x.data ? data.slice() : data, outShape);
  return record(y, op, [x], (g) => {
    // PyTorch's scale_grad_by_count: (g / count) · mask, the tie mask and count being constants.
    const [mask, count] = noGrad(() => {
      const yb = broadcastTo(new Tensor(y.data, kept), [...x.shape]).data;
      const xd = x.data;
      const m = allocate(x.dtype, x.size);
      // Stryker disable next-line EqualityOperator: i <= m.length only adds a write past m's end, which a typed array drops
      for (let i = 0; i < m.length; i++) m[i] = xd[i] === yb[i] || xd[i] !== xd[i] ? 1 : 0;
      const mt = new Tensor(m, x.shape);
      return [mt, sum(mt, axes, true)];
    });
    return [mul(broadcastTo(div(reshape(g, kept), count), [...x.shape]), mask)];
  }, { axes });
}

function refuseTensorDim(dim: unknown, op: string, hint: string): void {
  check(!(dim instanceof Tensor), op, () => `${op}(a, b) with a Tensor b (elementwise) is not implemented; use ${hint}`);
}

/** max(x): the largest value (ties share the gradient). max(x, dim, keepDim): {values, indices}, gradient to the first maximum. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepDim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepDim = false): Tensor | ValuesIndices {
  refuseTensorDim(dim, 'max', 'where(gt(a, b), a, b)');
  return dim === undefined ? extremum(x, undefined, false, true, 'max') : valuesIndices(x, dim, keepDim, true, 'max');
}

/** min(x): the smallest value. min(x, dim, keepDim): {values, indices}, gradient to the first minimum. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepDim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepDim = false): Tensor | ValuesIndices {
  refuseTensorDim(dim, 'min', 'where(lt(a, b), a, b)');
  return dim === undefined ? extremum(x, undefined, false, false, 'min') : valuesIndices(x, dim, keepDim, false, 'min');
}

/** Max over `dims` (all by default); tied maxima share the gradient evenly. */
export function amax(x: Tensor, dims?: number | readonly number[], keepDim = false): Tensor {
  return extremum(x, dims, keepDim, true, 'amax');
}

/** Min over `dims` (all by default); tied minima share the gradient evenly. */
export function amin(x: Tensor, dims?: number | readonly number[], keepDim = false): Tensor {
  return extremum(x, dims, keepDim, false, 'amin');
}

function argExtremum(x: Tensor, dim: number | undefined, keepDim: boolean, wantMax: boolean, op: string): Tensor {
  checkTensor(x, op);
  if (dim !== undefined) {
    const { at, outShape } = alongDim(x, dim, keepDim, wantMax, op);
    return new Tensor(indexTensorData(x, at), outShape);
  }
  // No dim: the index into the flattened tensor (keepDim keeps every dim as size 1).
  check(typeof keepDim === 'boolean', op, () => `keepDim must be a boolean, got ${fmtArg(keepDim)}`);
  check(x.size > 0, op, () => `cannot take the ${op} of a tensor with no elements (shape ${fmtShape(x.shape)})`);
  const at = new Int32Array(1);
  argReduce(x.data, { outer: 1, len: x.size, inner: 1 }, wantMax, allocate(x.dtype, 1), at);
  return new Tensor(indexTensorData(x, at), keepDim ? x.shape.map(() => 1) : []);
}

/** Integer indices as values of x's dtype. */
function indexTensorData(x: Tensor, at: Int32Array) {
  const idx = allocate(x.dtype, at.length);
  idx.set(at);
  return idx;
}

/** Index of the first maximum along `dim` (of the flattened tensor when no dim); no gradient. */
export function argmax(x: Tensor, dim?: number, keepDim = false): Tensor {
  return argExtremum(x, dim, keepDim, true, 'argmax');
}

/** Index of the first minimum along `dim` (of the flattened tensor when no dim); no gradient. */
export function argmin(x: Tensor, dim?: number, keepDim = false): Tensor {
  return argExtremum(x, dim, keepDim, false, 'argmin');
}
