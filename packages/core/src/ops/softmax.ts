// logSoftmax, softmax along an axis, and softmaxCrossEntropy from logits and integer labels.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { getBackend } from '../kernels/backend.ts';
import { crossEntropyRowsGrad, logSoftmaxBackward, logSoftmaxForward, type AxisLayout } from '../kernels/softmax.ts';
import { normalizeAxes, sizeOf } from '../shape.ts';
import { checkOptions, checkTensor, fmtArg, optionOr } from '../validate.ts';
import { allocate, Tensor } from '../tensor.ts';
import { exp } from './activations.ts';
import { mul, neg, sub } from './elementwise.ts';
import { reshape } from './shape.ts';
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
 * Same as PyTorch's cross_entropy on logits. One node (log-softmax kernel, then the label's entry); its
 * backward g·(softmax − onehot) one kernel pass whose own backward is written with ops: stable and
 * differentiable to any order.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Labels, options: { reduction?: Reduction } = {}): Tensor {
  const op = 'softmaxCrossEntropy';
  checkOptions(options, op, ['reduction'], 'crossEntropy has weight, ignoreIndex, labelSmoothing');
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
  const losses = crossEntropyRows(logits, idx);
  return reduction === 'none' ? losses : reduction === 'sum' ? sum(losses) : mean(losses);
}

/** loss_r = −logSoftmax(z_r)[label_r] for logits [N, C]; `pick[r]` = r·C + label_r. */
function crossEntropyRows(z: Tensor, pick: Int32Array): Tensor {
  const [n, c] = z.shape;
  const l: AxisLayout = { outer: n, len: c, inner: 1 };
  const lp = allocate(z.dtype, z.size);
  if (!getBackend().logSoftmaxForward?.(z.data, l, lp, false)) logSoftmaxForward(z.data, l, lp, false);
  const out = allocate(z.dtype, n);
  // Stryker disable next-line EqualityOperator: r <= n only adds a write past out's end, which a typed array drops
  for (let r = 0; r < n; r++) out[r] = -lp[pick[r]];
  const logp = new Tensor(lp, [n, c]); // read by the backward; not a graph node
  return record(new Tensor(out, [n]), 'softmaxCrossEntropy', [z], (g) => [crossEntropyGrad(g, z, logp, pick)], undefined, [z]);
}

/**
 * dz = g·(softmax(z) − onehot) (g per row, [N]) in one kernel pass. Its own backward, in ops (s = softmax(z)):
 * to g: Σ_c gg·(s − onehot); to z: g·s·(gg − Σ_c gg·s).
 */
function crossEntropyGrad(g: Tensor, z: Tensor, logp: Tensor, pick: Int32Array): Tensor {
  const [n, c] = z.shape;
  const out = allocate(g.dtype, z.size);
  crossEntropyRowsGrad(g.data, logp.data, pick, c, out);
  return record(new Tensor(out, [n, c]), 'softmaxCrossEntropyGrad', [g, z], (gg) => {
    const s = softmax(z, 1);
    const onehot = allocate(z.dtype, z.size);
    for (const p of pick) onehot[p] = 1;
    return [
      g.requiresGrad ? sum(mul(gg, sub(s, new Tensor(onehot, [n, c]))), 1) : null,
      z.requiresGrad ? mul(reshape(g, [n, 1]), mul(s, sub(gg, sum(mul(gg, s), 1, true)))) : null,
    ];
  });
}
