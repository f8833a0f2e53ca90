// The 'reduction' option shared by the losses, and the checks of a loss's options object.
import { check, fmtShape } from '../errors.ts';
import { sameShape } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { checkOptions, checkTensor } from './dim-args.ts';
import type { Reduction } from './loss.ts';
import { mean, sum } from './reduce.ts';

export function checkReduction(r: unknown, op: string, extra: readonly string[] = []): Reduction {
  const allowed = ['mean', 'sum', 'none', ...extra];
  check(typeof r === 'string' && allowed.includes(r), op, () => `reduction must be ${allowed.slice(0, -1).map((a) => `'${a}'`).join(', ')} or '${allowed.at(-1)}', got '${String(r)}'`);
  return r as Reduction;
}

/** Checks the options keys and the reduction; returns the reduction (default 'mean'). The losses default options to {}. */
export function lossOptions(options: object, allowed: readonly string[], op: string): Reduction {
  checkOptions(options, op, ['reduction', ...allowed]);
  return checkReduction((options as { reduction?: unknown }).reduction ?? 'mean', op);
}

/** Elementwise losses: mean over every element, sum, or the tensor itself. */
export function reduceLoss(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? loss : reduction === 'sum' ? sum(loss) : mean(loss);
}

/** input and target are Tensors of the same shape and dtype. */
export function checkPair(input: unknown, target: unknown, op: string): asserts input is Tensor {
  checkTensor(input, op, 'input');
  checkTensor(target, op, 'target');
  check(sameShape(input.shape, target.shape), op, () => `input ${fmtShape(input.shape)} and target ${fmtShape((target as Tensor).shape)} must have the same shape`);
  check(input.dtype === (target as Tensor).dtype, op, () => `dtype mismatch: input ${input.dtype}, target ${(target as Tensor).dtype}`);
}

/** An optional weight tensor that broadcasts to `shape` without changing it. */
export function checkWeight(w: unknown, shape: readonly number[], dtype: string, op: string, what = 'weight'): Tensor | undefined {
  if (w === undefined || w === null) return undefined;
  checkTensor(w, op, what);
  const ok = w.rank <= shape.length && w.shape.every((d, i) => d === 1 || d === shape[shape.length - w.rank + i]);
  check(ok, op, () => `${what} of shape ${fmtShape(w.shape)} does not broadcast to the input shape ${fmtShape(shape)}`);
  check(w.dtype === dtype, op, () => `${what} is ${w.dtype} but the input is ${dtype}`);
  return w;
}
