// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_: the gradients are scaled
// or clamped in place (under noGrad: clipping is not part of any graph).
import { ConvgradError, Tensor } from '@convgrad/core';
import { describeValue } from '../describe-value.ts';

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or ±Infinity instead of scaling by it (default false, as PyTorch). */
  errorIfNonfinite?: boolean;
}

function gradsOf(op: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  const list = params instanceof Tensor ? [params] : params !== null && typeof params === 'object' && Symbol.iterator in params ? [...params] : null;
  if (list === null) throw new ConvgradError(op, `params must be a tensor or an iterable of tensors, got ${describeValue(params)}`);
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ConvgradError(op, `parameter ${i} must be a Tensor, got ${describeValue(p)}`);
  });
  return list.filter((p) => p.grad !== null).map((p) => p.grad!);
}

/**
 * Scales the gradients of `params` in place so that their total `normType`-norm (the norm of the
 * vector of all gradient elements; `Infinity` for the max-abs norm) is at most `maxNorm`: every
 * gradient is multiplied by min(1, maxNorm / (total + 1e-6)). Returns the total norm before clipping.
 * Parameters without a gradient are skipped; with none, the total is 0.
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): number {
  const op = 'clipGradNorm';
  if (!(Number.isFinite(maxNorm) && maxNorm >= 0)) throw new ConvgradError(op, `maxNorm must be a finite number ≥ 0, got ${describeValue(maxNorm)}`);
  if (!(normType === Infinity || (Number.isFinite(normType) && normType > 0))) {
    throw new ConvgradError(op, `normType must be a number > 0 or Infinity, got ${describeValue(normType)}`);
  }
  if (typeof options !== 'object' || options === null) throw new ConvgradError(op, `options must be an object, got ${describeValue(options)}`);
  for (const k of Object.keys(options)) if (k !== 'errorIfNonfinite') throw new ConvgradError(op, `unknown option '${k}' (known: errorIfNonfinite)`);
  const grads = gradsOf(op, params);
  // The max-abs norm (NaN once any element is NaN); 0 when there are no gradients.
  let max = 0;
  for (const g of grads) for (const v of g.data) max = Math.max(max, Math.abs(v));
  let total = max; // the p-norm too when max is 0, ∞ or NaN
  if (max > 0 && Number.isFinite(max)) {
    // ‖(‖g₁‖ₚ, ‖g₂‖ₚ, …)‖ₚ = (Σ |gᵢⱼ|ᵖ)^(1/p); summed in float64, scaled by the max to avoid overflow.
    // p = ∞ needs no case of its own: 1/p = 0 and s⁰ = 1 for every s (even NaN), so total = max.
    let s = 0;
    for (const g of grads) for (const v of g.data) s += (Math.abs(v) / max) ** normType;
    total = max * s ** (1 / normType);
  }
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new ConvgradError(op, `the total norm of order ${normType} of the gradients is ${total}, so clipping is not possible (set errorIfNonfinite: false to scale anyway)`);
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1); // a NaN total gives NaN gradients, as torch.clamp
  for (const g of grads) mapInPlace(g.data, (v) => v * coef);
  return total;
}

/** Clamps every gradient element of `params` to [−clipValue, clipValue], in place. */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  const op = 'clipGradValue';
  if (!(Number.isFinite(clipValue) && clipValue >= 0)) throw new ConvgradError(op, `clipValue must be a finite number ≥ 0, got ${describeValue(clipValue)}`);
  for (const g of gradsOf(op, params)) mapInPlace(g.data, (v) => Math.min(Math.max(v, -clipValue), clipValue));
}

/** d[i] = f(d[i]) for every element, in place (no temporary array per gradient and call). */
function mapInPlace(d: Float32Array | Float64Array, f: (v: number) => number): void {
  // Stryker disable next-line EqualityOperator: i <= d.length only adds a write at d[d.length], past the typed array's end: no effect
  for (let i = 0; i < d.length; i++) d[i] = f(d[i]);
}
