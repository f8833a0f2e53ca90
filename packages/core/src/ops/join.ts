// cat/stack join tensors along a dim; split/chunk cut one into pieces (slices). The gradient of cat
// is a slice per input; split and chunk are slices, so they need no rule of their own.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { stridedCopy } from '../kernels/strided.ts';
import { sizeOf, stridesOf } from '../shape.ts';
import { allocate, Tensor } from '../tensor.ts';
import { checkTensor, normDim } from './dim-args.ts';
import { unsqueeze } from './dims.ts';
import { slice } from './shape.ts';

function checkList(tensors: unknown, op: string): asserts tensors is readonly Tensor[] {
  check(Array.isArray(tensors) && tensors.length > 0, op, 'expects a non-empty array of tensors');
  tensors.forEach((t, i) => checkTensor(t, op, `tensors[${i}]`));
}

/** Concatenates along `dim` (default 0); all shapes must agree except on `dim`. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList(tensors, 'cat');
  const first = tensors[0];
  check(first.rank > 0, 'cat', 'zero-dimensional tensors cannot be concatenated (use stack)');
  const d = normDim(dim, first.rank, 'cat');
  tensors.forEach((t, i) => {
    check(t.dtype === first.dtype, 'cat', () => `tensors[${i}] is ${t.dtype} but tensors[0] is ${first.dtype}`);
    check(t.rank === first.rank && t.shape.every((s, k) => k === d || s === first.shape[k]), 'cat',
      () => `tensors[${i}] has shape ${fmtShape(t.shape)}, which does not match ${fmtShape(first.shape)} outside dim ${d}`);
  });
  const outShape = [...first.shape];
  outShape[d] = tensors.reduce((p, t) => p + t.shape[d], 0);
  const out = allocate(first.dtype, sizeOf(outShape));
  const os = stridesOf(outShape);
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    stridedCopy(t.data, 0, stridesOf(t.shape), out, at * os[d], os, t.shape);
    at += t.shape[d];
  }
  return record(new Tensor(out, outShape), 'cat', tensors, (g) => tensors.map((t, i) => {
    // Stryker disable next-line ConditionalExpression: the engine drops a gradient for an input that does not require grad (autograd.ts propagate); computing it anyway only costs time
    if (!t.requiresGrad) return null;
    const begin = outShape.map((_, k) => (k === d ? starts[i] : 0));
    return slice(g, begin, [...t.shape]);
  }), { dim: d });
}

/** Joins same-shape tensors along a new dim `dim` (in [−rank−1, rank]). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList(tensors, 'stack');
  const first = tensors[0];
  tensors.forEach((t, i) => check(t.rank === first.rank && t.shape.every((s, k) => s === first.shape[k]), 'stack',
    () => `tensors[${i}] has shape ${fmtShape(t.shape)} but tensors[0] has ${fmtShape(first.shape)} (stack needs equal shapes)`));
  const d = normDim(dim, first.rank, 'stack', 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

function piece(x: Tensor, d: number, start: number, length: number): Tensor {
  return slice(x, x.shape.map((_, k) => (k === d ? start : 0)), x.shape.map((s, k) => (k === d ? length : s)));
}

/**
 * Pieces along `dim` (default 0): of `sizeOrSections` each (the last one smaller when it does not
 * divide), or of the listed sizes, which must add up to the dim's size.
 */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  checkTensor(x, 'split');
  check(x.rank > 0, 'split', 'cannot split a zero-dimensional tensor');
  const d = normDim(dim, x.rank, 'split');
  const n = x.shape[d];
  if (typeof sizeOrSections === 'number') {
    const size = sizeOrSections;
    check(Number.isInteger(size) && (size > 0 || (size === 0 && n === 0)), 'split', () => `split size must be a positive integer, got ${size}`);
    if (n === 0) return [x];
    const out: Tensor[] = [];
    for (let start = 0; start < n; start += size) out.push(piece(x, d, start, Math.min(size, n - start)));
    return out;
  }
  check(Array.isArray(sizeOrSections), 'split', () => `expects a size or an array of sizes, got ${typeof sizeOrSections}`);
  sizeOrSections.forEach((s, i) => check(Number.isInteger(s) && s >= 0, 'split', () => `section ${i} has size ${s}; sizes must be non-negative integers`));
  const total = sizeOrSections.reduce((p, s) => p + s, 0);
  check(total === n, 'split', () => `sections [${sizeOrSections.join(', ')}] add up to ${total} but dim ${d} of ${fmtShape(x.shape)} has size ${n}`);
  let start = 0;
  return sizeOrSections.map((s) => {
    const p = piece(x, d, start, s);
    start += s;
    return p;
  });
}

/**
 * `chunks` pieces along `dim` of ceil(size/chunks) each, as PyTorch: the last one may be smaller, and
 * fewer than `chunks` come back when the size does not allow more (5 in 4 chunks: 2, 2, 1).
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor(x, 'chunk');
  check(Number.isInteger(chunks) && chunks > 0, 'chunk', () => `chunks must be a positive integer, got ${chunks}`);
  check(x.rank > 0, 'chunk', 'cannot chunk a zero-dimensional tensor');
  const d = normDim(dim, x.rank, 'chunk');
  const n = x.shape[d];
  if (n === 0) return Array.from({ length: chunks }, () => x);
  return split(x, Math.ceil(n / chunks), d);
}
