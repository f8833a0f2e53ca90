// crossEntropy and nllLoss as PyTorch's: class-index or probability targets, class weights,
// ignoreIndex, label smoothing, and K-dimensional inputs [N, C, d1, …] (the class dim is 1).
//
// Class indices y, log-probabilities p = logSoftmax(x, 1), weight w (ones by default):
//   nll_i = −w[y_i]·p[i, y_i], 0 where y_i = ignoreIndex; 'mean' = Σ nll_i / Σ_{i not ignored} w[y_i]
//   with label smoothing ε: (1 − ε)·nll + ε/C·smooth, smooth_i = −Σ_c w_c·p[i, c] (0 where ignored),
//   'mean' of smooth over the same denominator Σ w[y_i].
// Probability targets t (the input's shape): loss_i = −Σ_c w_c·t'[i, c]·p[i, c], t' = (1 − ε)t + ε/C,
//   'mean' = Σ loss_i / (number of positions N·d1·…), weights do not enter the denominator.
import { check, fmtShape } from '../errors.ts';
import { fmtArg } from '../validate.ts';
import { sameShape, sizeOf } from '../shape.ts';
import { allocate, Tensor } from '../tensor.ts';
import { checkTensor } from './dim-args.ts';
import { squeeze, unsqueeze } from './dims.ts';
import { add, div, mul, neg } from './elementwise.ts';
import type { Reduction } from './loss.ts';
import { lossOptions } from './loss-reduce.ts';
import { reshape } from './shape.ts';
import { gather } from './select.ts';
import { logSoftmax } from './softmax.ts';
import { sum } from './reduce.ts';

export interface NllLossOptions {
  /** Per-class weight, shape [C]. */
  weight?: Tensor;
  /** Target value that contributes nothing, not even to the 'mean' denominator (default −100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·one-hot + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Class indices: a Tensor, any typed array (Int32Array, Uint8Array labels, …) or a number[]. */
export type ClassTarget = Tensor | ArrayLike<number>;

/** An unbatched [C] input is treated as [1, C]. */
function prepare(input: unknown, op: string): { x: Tensor; unbatched: boolean } {
  checkTensor(input, op, 'input');
  check(input.rank >= 1, op, () => `input must be [C], [N, C] or [N, C, d1, …], got shape ${fmtShape(input.shape)}`);
  return input.rank === 1 ? { x: unsqueeze(input, 0), unbatched: true } : { x: input, unbatched: false };
}

function classWeight(w: unknown, c: number, dtype: string, op: string): Tensor | undefined {
  if (w === undefined) return undefined;
  checkTensor(w, op, 'weight');
  check(w.rank === 1 && w.shape[0] === c, op, () => `weight must have shape [${c}] (one per class), got ${fmtShape(w.shape)}`);
  check(w.dtype === dtype, op, () => `weight is ${w.dtype} but the input is ${dtype}`);
  return w;
}

/** Class indices as numbers with the expected shape [N, d1, …] (a flat array must have that many). */
function targetIndices(target: unknown, shape: readonly number[], c: number, ignoreIndex: number, op: string): ArrayLike<number> {
  let values: ArrayLike<number>;
  if (target instanceof Tensor) {
    check(sameShape(target.shape, shape) || (shape.length === 1 && target.rank === 0 && shape[0] === 1), op,
      () => `class-index target must have shape ${fmtShape(shape)} for this input, got ${fmtShape(target.shape)}`);
    values = target.data;
  } else {
    check((ArrayBuffer.isView(target) && !(target instanceof DataView)) || (Array.isArray(target) && target.every((v) => typeof v === 'number')), op,
      () => `target must be a Tensor, a typed array or an array of numbers, got ${fmtArg(target)}`);
    values = target as ArrayLike<number>;
    check(values.length === sizeOf(shape), op, () => `got ${values.length} targets for ${sizeOf(shape)} positions (target shape ${fmtShape(shape)})`);
  }
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    check(y === ignoreIndex || (Number.isInteger(y) && y >= 0 && y < c), op,
      () => `target ${y} at position ${i} is out of range: need an integer class in [0, ${c}) or ignoreIndex ${ignoreIndex}`);
  }
  return values;
}

/** Shape [1, C, 1, …] of rank r, for broadcasting a per-class vector against [N, C, …]. */
function perClass(w: Tensor, rank: number): Tensor {
  return reshape(w, [1, w.shape[0], ...new Array<number>(rank - 2).fill(1)]);
}

/** −w[y]·logp[y] per position, the per-position weights, and the not-ignored mask. */
function nllTerms(logp: Tensor, target: unknown, weight: Tensor | undefined, ignoreIndex: number, op: string) {
  const [n, c, ...rest] = logp.shape;
  const shape = [n, ...rest];
  const ys = targetIndices(target, shape, c, ignoreIndex, op);
  const m = sizeOf(shape);
  const idx = allocate(logp.dtype, m), wt = allocate(logp.dtype, m), keep = allocate(logp.dtype, m);
  let total = 0;
  for (let i = 0; i < m; i++) {
    const y = ys[i];
    const ignored = y === ignoreIndex;
    idx[i] = ignored ? 0 : y;
    keep[i] = ignored ? 0 : 1;
    wt[i] = ignored ? 0 : weight ? weight.data[y] : 1;
    total += wt[i];
  }
  const picked = squeeze(gather(logp, 1, new Tensor(idx, [n, 1, ...rest])), 1);
  const wT = new Tensor(wt, shape);
  return { nll: neg(mul(picked, wT)), total, keep: new Tensor(keep, shape) };
}

function finish(loss: Tensor, reduction: Reduction, denominator: number, unbatched: boolean): Tensor {
  if (reduction === 'none') return unbatched ? reshape(loss, []) : loss;
  const s = sum(loss);
  return reduction === 'sum' ? s : div(s, denominator);
}

function nllCore(logp: Tensor, target: unknown, o: NllLossOptions, reduction: Reduction, unbatched: boolean, op: string, smoothing = 0): Tensor {
  const ignoreIndex = o.ignoreIndex ?? -100;
  check(Number.isInteger(ignoreIndex), op, `ignoreIndex must be an integer, got ${fmtArg(ignoreIndex)}`);
  const c = logp.shape[1];
  const weight = classWeight(o.weight, c, logp.dtype, op);
  const { nll, total, keep } = nllTerms(logp, target, weight, ignoreIndex, op);
  const main = finish(nll, reduction, total, unbatched);
  if (smoothing === 0) return main;
  const wp = weight ? mul(logp, perClass(weight, logp.rank)) : logp;
  const smooth = mul(neg(sum(wp, 1)), keep);
  return add(mul(main, 1 - smoothing), mul(finish(smooth, reduction, total, unbatched), smoothing / c));
}

/** Negative log-likelihood of log-probabilities [N, C, …] (or [C]) against class indices. */
export function nllLoss(input: Tensor, target: ClassTarget, options: NllLossOptions = {}): Tensor {
  const op = 'nllLoss';
  const reduction = lossOptions(options, ['weight', 'ignoreIndex'], op);
  const { x, unbatched } = prepare(input, op);
  return nllCore(x, target, options, reduction, unbatched, op);
}

/**
 * Cross-entropy of logits [N, C, d1, …] (or [C]) against class indices [N, d1, …] or class
 * probabilities of the input's shape, as torch.nn.functional.cross_entropy.
 */
export function crossEntropy(input: Tensor, target: ClassTarget, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const reduction = lossOptions(options, ['weight', 'ignoreIndex', 'labelSmoothing'], op);
  const eps = options.labelSmoothing ?? 0;
  check(typeof eps === 'number' && eps >= 0 && eps <= 1, op, `labelSmoothing must be in [0, 1], got ${String(eps)}`);
  const { x, unbatched } = prepare(input, op);
  const logp = logSoftmax(x, 1);
  // a target of the input's own shape holds probabilities; otherwise class indices (one rank less)
  if (!(target instanceof Tensor && sameShape(target.shape, input.shape))) return nllCore(logp, target, options, reduction, unbatched, op, eps);
  // probability targets
  check(options.ignoreIndex === undefined || options.ignoreIndex === -100, op, 'ignoreIndex applies to class-index targets only, not to probability targets');
  check(target.dtype === logp.dtype, op, () => `dtype mismatch: input ${logp.dtype}, target ${target.dtype}`);
  const c = logp.shape[1];
  const weight = classWeight(options.weight, c, logp.dtype, op);
  // label smoothing t′ = (1 − ε)t + ε/C (t itself at ε = 0)
  const t = add(mul(unbatched ? unsqueeze(target, 0) : target, 1 - eps), eps / c);
  let prod = mul(logp, t);
  if (weight) prod = mul(prod, perClass(weight, logp.rank));
  const loss = neg(sum(prod, 1));
  return finish(loss, reduction, logp.size / c, unbatched);
}
