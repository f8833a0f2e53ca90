// Losses on predictions and targets.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { sameShape } from '../shape.ts';
import { checkOptions, checkTensor, fmtArg, optionOr } from '../validate.ts';
import { allocate, Tensor } from '../tensor.ts';
import { mul, sub } from './elementwise.ts';

export type Reduction = 'mean' | 'sum' | 'none';

/**
 * Mean squared error, mean over all elements by default as in PyTorch.
 * The chapter's loss ½·Σ(z−y)²/m is `mseLoss(z, y).mul(0.5)`.
 */
export function mseLoss(pred: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkTensor(pred, 'mseLoss', 'pred');
  checkTensor(target, 'mseLoss', 'target');
  checkOptions(options, 'mseLoss', ['reduction']);
  const reduction = optionOr(options, 'reduction', 'mean');
  check(reduction === 'mean' || reduction === 'sum' || reduction === 'none', 'mseLoss', () => `reduction must be 'mean', 'sum' or 'none', got ${fmtArg(reduction)}`);
  check(sameShape(pred.shape, target.shape), 'mseLoss', () => `pred ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} must have the same shape`);
  check(pred.dtype === target.dtype, 'mseLoss', () => `dtype mismatch: pred ${pred.dtype}, target ${target.dtype}`);
  const n = pred.size;
  const p = pred.data, t = target.data;
  let out: Tensor;
  if (reduction === 'none') {
    const o = allocate(pred.dtype, n);
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past o's end, which a typed array drops
    for (let i = 0; i < n; i++) o[i] = (p[i] - t[i]) ** 2;
    out = new Tensor(o, pred.shape);
  } else {
    let s = 0;
    for (let i = 0; i < n; i++) s += (p[i] - t[i]) ** 2;
    out = new Tensor(allocate(pred.dtype, 1).fill(reduction === 'mean' ? s / n : s), []);
  }
  // ∂/∂pred = 2(pred − target)·g (/n for the mean); ∂/∂target is its negative.
  const k = reduction === 'mean' ? 2 / n : 2;
  return record(out, 'mseLoss', [pred, target], (g) => {
    const gp = mul(sub(pred, target), mul(g, k));
    return [pred.requiresGrad ? gp : null, target.requiresGrad ? gp.neg() : null];
  }, { reduction });
}
