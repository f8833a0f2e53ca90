// Binary cross-entropy on probabilities (bce) and on logits (bceWithLogits), as PyTorch's.
import { record } from '../autograd.ts';
import { check } from '../errors.ts';
import { allocate, Tensor } from '../tensor.ts';
import { log } from './activations.ts';
import { softplus } from './activations-extra.ts';
import { add, div, mul, sub } from './elementwise.ts';
import type { Reduction } from './loss.ts';
import { checkPair, checkWeight, lossOptions, reduceLoss } from './loss-reduce.ts';
import { clamp } from './unary-extra.ts';

export interface BceOptions {
  /** Rescales each element's loss; broadcasts to the input's shape. */
  weight?: Tensor;
  reduction?: Reduction;
}

export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive term per class (broadcasts along the last dim), e.g. negatives/positives. */
  posWeight?: Tensor;
}

// PyTorch's `static const float EPSILON = 1e-12` in binary_cross_entropy_backward, as a double
const EPSILON = Math.fround(1e-12);

const clampedLog = (v: number) => Math.max(Math.log(v), -100);

/**
 * −w·(t·log x + (1 − t)·log(1 − x)) with each log clamped at −100 (so x = 0 or 1 gives a finite
 * loss), as torch.nn.functional.binary_cross_entropy. Inputs must lie in [0, 1]. The gradient is
 * PyTorch's: w·(x − t)/max(x(1 − x), 1e-12 as a float32).
 */
export function bce(input: Tensor, target: Tensor, options: BceOptions = {}): Tensor {
  const op = 'bce';
  const reduction = lossOptions(options, ['weight'], op);
  checkPair(input, target, op);
  const weight = checkWeight(options.weight, input.shape, input.dtype, op);
  const x = input.data, t = target.data;
  const out = allocate(input.dtype, input.size);
  for (let i = 0; i < out.length; i++) {
    check(x[i] >= 0 && x[i] <= 1, op, () => `all elements of input must be in [0, 1], got ${x[i]} at position ${i} (use bceWithLogits for logits)`);
    out[i] = -(t[i] * clampedLog(x[i]) + (1 - t[i]) * clampedLog(1 - x[i]));
  }
  const raw = record(new Tensor(out, input.shape), 'bce', [input, target], (g) => [
    input.requiresGrad ? div(mul(g, sub(input, target)), clamp(mul(input, sub(1, input)), { min: EPSILON })) : null,
    target.requiresGrad ? mul(g, sub(clamp(log(sub(1, input)), { min: -100 }), clamp(log(input), { min: -100 }))) : null,
  ]);
  return reduceLoss(weight ? mul(raw, weight) : raw, reduction);
}

/**
 * bce of σ(x) computed stably from the logits x, as torch.nn.functional.binary_cross_entropy_with_logits:
 *   ℓ = w·[(1 − t)·x + (1 + (p − 1)·t)·softplus(−x)],  p = posWeight (1 when absent).
 */
export function bceWithLogits(input: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  const op = 'bceWithLogits';
  const reduction = lossOptions(options, ['weight', 'posWeight'], op);
  checkPair(input, target, op);
  const weight = checkWeight(options.weight, input.shape, input.dtype, op);
  const posWeight = checkWeight(options.posWeight, input.shape, input.dtype, op, 'posWeight');
  const sp = softplus(input.neg(), { threshold: Infinity });
  const logWeight = posWeight ? add(mul(target, sub(posWeight, 1)), 1) : undefined;
  let loss = add(mul(sub(1, target), input), logWeight ? mul(logWeight, sp) : sp);
  if (weight) loss = mul(loss, weight);
  return reduceLoss(loss, reduction);
}
