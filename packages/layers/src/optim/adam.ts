// Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay), as torch.optim:
//   g ← ∇ (+ λ·θ for Adam);  θ ← θ·(1 − lr·λ) for AdamW
//   m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + (1 − β₂)·g²
//   θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
import type { Tensor, TypedArray } from '@convgrad/core';
import { checkNonNegative, checkUnit, Optimizer, type ParamState } from './optimizer.ts';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}, private readonly decoupled = false) {
    const name = decoupled ? 'AdamW' : 'Adam';
    super(params, options.lr ?? 1e-3, name);
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? (decoupled ? 1e-2 : 0);
    checkUnit(name, 'betas[0]', this.betas[0]);
    checkUnit(name, 'betas[1]', this.betas[1]);
    checkNonNegative(name, 'eps', this.eps);
    checkNonNegative(name, 'weightDecay', this.weightDecay);
  }

  protected update(theta: TypedArray, grad: TypedArray, state: ParamState): void {
    const { lr, eps, weightDecay: wd, decoupled } = this;
    const [b1, b2] = this.betas;
    const t = state.step;
    const m = state.buffer('expAvg').data, v = state.buffer('expAvgSq').data;
    const stepSize = lr / (1 - b1 ** t);
    const c2 = Math.sqrt(1 - b2 ** t);
    const l2 = decoupled ? 0 : wd;
    const shrink = decoupled ? 1 - lr * wd : 1;
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] + l2 * theta[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      theta[i] = theta[i] * shrink - stepSize * m[i] / (Math.sqrt(v[i]) / c2 + eps);
    }
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter): default weightDecay 0.01. */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, options, true);
  }
}
