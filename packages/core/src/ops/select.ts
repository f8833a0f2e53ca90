// indexSelect, gather and scatterAdd with PyTorch's dim semantics, built on the flat gather/scatter-add
// pair of ops/indexing.ts (each the other's adjoint), so every gradient differentiates again.
// Indices: a Tensor of integer values (as argmax returns them), an Int32Array or a number[].
import { check, fmtShape } from '../errors.ts';
import { sizeOf, stridesOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { axisLayout, checkTensor, indexValues, normDim } from './dim-args.ts';
import { add } from './elementwise.ts';
import { gather as gatherFlat, scatterAdd as scatterAddFlat } from './indexing.ts';
import { slice } from './shape.ts';

export type Index = Tensor | Int32Array | readonly number[];

/** Rows of x along `dim` picked by a 1-D (or 0-D) `index`; the dim's size becomes the index's length. */
export function indexSelect(x: Tensor, dim: number, index: Index): Tensor {
  checkTensor(x, 'indexSelect');
  const d = normDim(dim, x.rank, 'indexSelect');
  const l = axisLayout(x.shape, d);
  const { values, shape } = indexValues(index, l.len, 'indexSelect');
  check(shape.length <= 1, 'indexSelect', () => `index must be 1-D, got shape ${fmtShape(shape)}`);
  const k = values.length;
  const flat = new Int32Array(l.outer * k * l.inner);
  // Stryker disable next-line EqualityOperator: o <= l.outer only adds a row of writes past flat's end (length outer·k·inner), which a typed array drops
  for (let o = 0, p = 0; o < l.outer; o++) {
    for (let j = 0; j < k; j++) for (let i = 0; i < l.inner; i++) flat[p++] = (o * l.len + values[j]) * l.inner + i;
  }
  const outShape = x.shape.map((s, i) => (i === d ? k : s)); // [] for a zero-dimensional x
  check(x.rank > 0 || k === 1, 'indexSelect', () => `a zero-dimensional input needs exactly one index, got ${k}`);
  return gatherFlat(x, flat, outShape);
}

/**
 * Flat positions in a tensor of shape `target` for every element of an index of shape `idxShape`:
 * the element's own coordinates, with coordinate `d` replaced by the index value.
 */
function scatterPositions(idxShape: readonly number[], values: Int32Array, d: number, target: readonly number[]): Int32Array {
  const ts = stridesOf(target), is = stridesOf(idxShape);
  const flat = new Int32Array(values.length);
  // Stryker disable next-line EqualityOperator: p <= values.length only adds a write past flat's end, which a typed array drops
  for (let p = 0; p < values.length; p++) {
    let pos = 0;
    for (let k = 0; k < idxShape.length; k++) {
      const c = Math.floor(p / is[k]) % idxShape[k];
      pos += (k === d ? values[p] : c) * ts[k];
    }
    flat[p] = pos;
  }
  return flat;
}

function checkIndexShape(op: string, idxShape: readonly number[], x: Tensor, d: number, what: string, all = false): void {
  check(idxShape.length === x.rank, op, () => `index must have the same rank as ${what} (${x.rank}), got shape ${fmtShape(idxShape)}`);
  idxShape.forEach((s, k) => check(s <= x.shape[k] || (k === d && !all), op,
    () => `index shape ${fmtShape(idxShape)} is larger than ${what} ${fmtShape(x.shape)} at dim ${k}`));
}

/** out[i][j][k] = x[index[i][j][k]][j][k] for dim 0 (and so on): out has the index's shape. */
export function gather(x: Tensor, dim: number, index: Index): Tensor {
  checkTensor(x, 'gather');
  const d = normDim(dim, x.rank, 'gather');
  const { values, shape } = indexValues(index, x.shape[d] ?? 1, 'gather');
  checkIndexShape('gather', shape, x, d, 'the input');
  return gatherFlat(x, scatterPositions(shape, values, d, x.shape), shape);
}

/**
 * x + src scattered along `dim`: out[index[i][j][k]][j][k] += src[i][j][k] for dim 0 (and so on).
 * Only the leading index-shaped block of src is used, as PyTorch. Gradients: g to x, gather(g) to src.
 */
export function scatterAdd(x: Tensor, dim: number, index: Index, src: Tensor): Tensor {
  checkTensor(x, 'scatterAdd');
  checkTensor(src, 'scatterAdd', 'src');
  check(src.dtype === x.dtype, 'scatterAdd', () => `src is ${src.dtype} but the input is ${x.dtype}`);
  const d = normDim(dim, x.rank, 'scatterAdd');
  const { values, shape } = indexValues(index, x.shape[d] ?? 1, 'scatterAdd');
  checkIndexShape('scatterAdd', shape, x, d, 'the input');
  checkIndexShape('scatterAdd', shape, src, d, 'src', true);
  const used = sizeOf(shape) === src.size ? src : slice(src, shape.map(() => 0), shape);
  return add(x, scatterAddFlat(used, scatterPositions(shape, values, d, x.shape), x.shape));
}
