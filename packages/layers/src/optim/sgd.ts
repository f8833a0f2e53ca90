// SGD with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD:
//   g ← ∇ + λ·θ
//   b ← g (first step), else μ·b + (1 − τ)·g
//   g ← g + μ·b (Nesterov) or b
//   θ ← θ − lr·g
import type { Tensor, TypedArray } from '@convgrad/core';
import { ConvgradError } from '@convgrad/core';
import { checkNonNegative, checkUnit, Optimizer, type ParamState } from './optimizer.ts';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super(params, options.lr, 'SGD');
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    checkUnit('SGD', 'momentum', this.momentum);
    checkNonNegative('SGD', 'dampening', this.dampening);
    checkNonNegative('SGD', 'weightDecay', this.weightDecay);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ConvgradError('SGD', 'Nesterov momentum requires momentum > 0 and dampening = 0');
    }
  }

  protected update(theta: TypedArray, grad: TypedArray, state: ParamState): void {
    const { lr, momentum: mu, dampening: tau, nesterov, weightDecay: wd } = this;
    const n = theta.length;
    if (mu === 0) {
      for (let i = 0; i < n; i++) theta[i] -= lr * (grad[i] + wd * theta[i]);
      return;
    }
    const { data: b, fresh } = state.buffer('momentum');
    for (let i = 0; i < n; i++) {
      const g = grad[i] + wd * theta[i];
      b[i] = fresh ? g : mu * b[i] + (1 - tau) * g;
      theta[i] -= lr * (nesterov ? g + mu * b[i] : b[i]);
    }
  }
}
