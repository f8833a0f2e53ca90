// logSoftmax, softmax along an axis, and softmaxCrossEntropy from logits and integer labels.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { getBackend } from '../kernels/backend.ts';
import { logSoftmaxBackward, logSoftmaxForward, type AxisLayout } from '../kernels/softmax.ts';
import { normalizeAxes, sizeOf } from '../shape.ts';
import { checkOptions, checkTensor, fmtArg, optionOr } from '../validate.ts';
import { allocate, Tensor } from '../tensor.ts';
import { exp } from './activations.ts';
import { mul, neg, sub } from './elementwise.ts';
import { gather } from './indexing.ts';
import type { Reduction } from './loss.ts';
import { mean, sum } from './reduce.ts';

function layout(x: Tensor, axis: number, op: string): [number, AxisLayout] {
  checkTensor(x, op);
  check(x.rank >= 1, op, () => `input must have at least 1 dim, got shape ${fmtShape(x.shape)}`);
  const [a] = normalizeAxes(axis, x.rank, op);
  return [a, { outer: sizeOf(x.shape.slice(0, a)), len: x.shape[a], inner: sizeOf(x.shape.slice(a + 1)) }];
}

/** log(softmax(x)) along `axis` (default last), computed stably as x − logsumexp(x). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const [a, l] = layout(x, axis, 'logSoftmax');
  const out = allocate(x.dtype, x.size);
  if (!getBackend().logSoftmaxForward?.(x.data, l, out, false)) logSoftmaxForward(x.data, l, out, false);
  const y = new Tensor(out, x.shape);
  return record(y, 'logSoftmax', [x], (g) => [logSoftmaxGrad(g, y, a, l)], { axis: a }, [y]);
}

/**
 * g − softmax·Σg along the axis (softmax = exp(y)), in one kernel pass. Its own backward, in ops:
 * to g: gg − Σ(gg·s); to y: −gg·s·Σg (the y-dependence is what second derivatives need).
 */
function logSoftmaxGrad(g: Tensor, y: Tensor, axis: number, l: AxisLayout): Tensor {
  const out = allocate(g.dtype, g.size);
  if (!getBackend().logSoftmaxBackward?.(g.data, y.data, l, out)) logSoftmaxBackward(g.data, y.data, l, out);
  return record(new Tensor(out, g.shape), 'logSoftmaxGrad', [g, y], (gg) => {
    const s = exp(y);
    return [
      g.requiresGrad ? sub(gg, sum(mul(gg, s), axis, true)) : null,
      y.requiresGrad ? neg(mul(mul(gg, s), sum(g, axis, true))) : null,
    ];
  }, { axis });
}

/** exp(x) / Σ exp(x) along `axis` (default last), shifted by the max for stability. */
export function softmax(x: Tensor, axis = -1): Tensor {
  const [a, l] = layout(x, axis, 'softmax');
  const out = allocate(x.dtype, x.size);
  if (!getBackend().logSoftmaxForward?.(x.data, l, out, true)) logSoftmaxForward(x.data, l, out, true);
  const s = new Tensor(out, x.shape);
  // ds = s·(g − Σ g·s)
  return record(s, 'softmax', [x], (g) => [mul(s, sub(g, sum(mul(g, s), a, true)))], { axis: a }, [s]);
}

export type Labels = Int32Array | readonly number[] | ArrayLike<number> | Tensor;

/**
 * Cross-entropy of logits [N, C] against integer class labels (length N):
 * loss_n = logsumexp(z_n) − z_n[label_n], reduced by mean (default), sum, or none ([N]).
 * Same as PyTorch's cross_entropy on logits. Built from logSoftmax and a gather, so it is stable and
 * twice differentiable.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Labels, options: { reduction?: Reduction } = {}): Tensor {
  const op = 'softmaxCrossEntropy';
  for (const key of Object.keys(options ?? {})) {
    check(key === 'reduction', op, () => `unknown option '${key}' (known: reduction; crossEntropy has weight, ignoreIndex, labelSmoothing)`);
  }
  checkOptions(options, op, ['reduction'], 'crossEntropy has weight, ignoreIndex and labelSmoothing');
  const reduction = optionOr(options, 'reduction', 'mean');
  check(reduction === 'mean' || reduction === 'sum' || reduction === 'none', op, () => `reduction must be 'mean', 'sum' or 'none', got ${fmtArg(reduction)}`);
  checkTensor(logits, op, 'logits');
  check(logits.rank === 2, op, () => `logits must be [N, C] (rank 2), got shape ${fmtShape(logits.shape)}`);
  const [n, c] = logits.shape;
  const lab: ArrayLike<number> | null = labels instanceof Tensor ? labels.data : labels != null && typeof (labels as ArrayLike<number>).length === 'number' ? (labels as ArrayLike<number>) : null;
  check(lab !== null, op, () => `labels must be an Int32Array, an array of numbers or a Tensor, got ${fmtArg(labels)}`);
  check(lab.length === n, op, () => `got ${lab.length} labels for logits of shape ${fmtShape(logits.shape)} (need one per row, ${n})`);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = lab[i];
    check(Number.isInteger(y) && y >= 0 && y < c, op, () => `label ${fmtArg(y)} at position ${i} is out of range: need an integer class in [0, ${c}) for logits ${fmtShape(logits.shape)}`);
    idx[i] = i * c + y;
  }
  const losses = neg(gather(logSoftmax(logits, 1), idx, [n]));
  return reduction === 'none' ? losses : reduction === 'sum' ? sum(losses) : mean(losses);
}
