// Sum and mean over axes.
import { record } from '../autograd.ts';
import { getBackend } from '../kernels/backend.ts';
import { sumAxes, type RowSums } from '../kernels/reduce.ts';
import { sizeOf } from '../shape.ts';
import { checkBool, checkTensor } from '../validate.ts';
import { allocate, Tensor } from '../tensor.ts';
import { reductionAxes } from './dim-args.ts';
import { broadcastTo, reshape } from './shape.ts';

function reduceShapes(x: Tensor, axes: number | readonly number[] | undefined, keepDim: boolean, op: string) {
  checkTensor(x, op);
  checkBool(keepDim, op, 'keepDim');
  const ax = reductionAxes(x, axes, op);
  const kept = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const outShape = keepDim ? kept : x.shape.filter((_, i) => !ax.includes(i));
  return { ax, kept, outShape };
}

/** The active backend's row sums, if it has them. */
function backendRowSums(): RowSums | undefined {
  const be = getBackend();
  return be.rowSums ? (x, len) => be.rowSums!(x, len) : undefined;
}

/** Sum over `axes` (all by default); keepDim keeps them as size 1. */
export function sum(x: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  const { ax, kept, outShape } = reduceShapes(x, axes, keepDim, 'sum');
  const out = allocate(x.dtype, sizeOf(outShape));
  sumAxes(x.data, x.shape, ax, out, backendRowSums());
  // Each input element contributed once: its gradient is the output gradient, broadcast back.
  return record(new Tensor(out, outShape), 'sum', [x], (g) => [broadcastTo(reshape(g, kept), [...x.shape])], { axes: ax }, []);
}

/** Mean over `axes` (all by default). */
export function mean(x: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  const { ax, kept, outShape } = reduceShapes(x, axes, keepDim, 'mean');
  const n = ax.reduce((p, a) => p * x.shape[a], 1);
  const out = allocate(x.dtype, sizeOf(outShape));
  sumAxes(x.data, x.shape, ax, out, backendRowSums());
  // Stryker disable next-line EqualityOperator: i <= out.length only adds a write past out's end, which a typed array drops
  for (let i = 0; i < out.length; i++) out[i] /= n;
  return record(new Tensor(out, outShape), 'mean', [x], (g) => [broadcastTo(reshape(g, kept), [...x.shape]).mul(1 / n)], { axes: ax }, []);
}
