// Gather and scatter-add through a fixed flat index list: a pair of linear ops, each the other's
// adjoint, so a gradient routed through recorded indices (max pooling, label picking) can be
// differentiated again.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { getBackend } from '../kernels/backend.ts';
import { gatherFlat, scatterAddFlat } from '../kernels/indexing.ts';
import { sizeOf } from '../shape.ts';
import { allocate, Tensor } from '../tensor.ts';

/** y (shape `shape`) with y[i] = x.flat[idx[i]]. `idx` is trusted: it comes from the op that built it. */
export function gather(x: Tensor, idx: Int32Array, shape: readonly number[]): Tensor {
  check(sizeOf(shape) === idx.length, 'gather', () => `${idx.length} indices cannot fill shape ${fmtShape(shape)}`);
  const out = allocate(x.dtype, idx.length);
  gatherFlat(x.data, idx, out);
  return record(new Tensor(out, shape), 'gather', [x], (g) => [scatterAdd(g, idx, x.shape)], undefined, []);
}

/** y (shape `shape`) = 0, then y.flat[idx[i]] += g.flat[i]. */
export function scatterAdd(g: Tensor, idx: Int32Array, shape: readonly number[]): Tensor {
  check(g.size === idx.length, 'scatterAdd', () => `${idx.length} indices for a source of shape ${fmtShape(g.shape)}`);
  const out = allocate(g.dtype, sizeOf(shape));
  if (!getBackend().scatterAddFlat?.(g.data, idx, out)) scatterAddFlat(g.data, idx, out);
  return record(new Tensor(out, shape), 'scatterAdd', [g], (gg) => [gather(gg, idx, g.shape)], undefined, []);
}
