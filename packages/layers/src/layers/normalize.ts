// Shared by the norm layers: (x − mean)/√(biased var + ε) over some axes, composed from core ops;
// the eps/momentum checks; and the running-average update with PyTorch's momentum (null = cumulative).
import { add, ConvgradError, div, mean, mul, sqrt, sub, type Tensor } from '@convgrad/core';
import { fmtArg } from '../checks.ts';

export interface Moments {
  xhat: Tensor;
  /** mean and biased variance, kept dims */
  mu: Tensor;
  variance: Tensor;
}

export function normalize(x: Tensor, axes: number[], eps: number): Moments {
  const mu = mean(x, axes, true);
  const centered = sub(x, mu);
  const variance = mean(mul(centered, centered), axes, true);
  return { xhat: div(centered, sqrt(add(variance, eps))), mu, variance };
}

export function checkEps(eps: unknown, layer: string): number {
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new ConvgradError(layer, `eps must be a positive number, got ${fmtArg(eps)}`);
  return eps;
}

/** momentum in [0, 1], or null for a cumulative moving average (PyTorch's momentum=None). */
export function checkMomentum(m: unknown, layer: string): number | null {
  if (m === null) return null;
  if (typeof m !== 'number' || !(m >= 0 && m <= 1)) throw new ConvgradError(layer, `momentum must be a number in [0, 1] or null (cumulative average), got ${fmtArg(m)}`);
  return m;
}

/**
 * The weight of the new statistic in running ← (1 − f)·running + f·stat: the momentum, or with
 * momentum null 1/t after t training batches (the plain average of all batch statistics so far).
 */
export function averagingFactor(momentum: number | null, batchesTracked: number): number {
  return momentum === null ? 1 / batchesTracked : momentum;
}
