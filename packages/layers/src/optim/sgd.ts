// SGD with momentum, dampening, Nesterov, L2 weight decay and maximize, as torch.optim.SGD (1.13):
//   g ← −∇ if maximize else ∇;  g ← g + λ·θ
//   b ← g (first step), else μ·b + (1 − τ)·g
//   g ← g + μ·b (Nesterov) or b
//   θ ← θ − lr·g
import type { TypedArray } from '@convgrad/core';
import { ConvgradError, sgdUpdate } from '@convgrad/core';
import { checkBoolean, checkNonNegative, checkUnit, Optimizer, type ParamGroup, type ParamsInput, type ParamState } from './optimizer.ts';

export interface SGDOptions {
  /** Required (as in PyTorch). */
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  /** Ascend the objective instead of descending it. */
  maximize?: boolean;
}

const SGD_SETTINGS = {
  lr: { default: undefined, check: checkNonNegative },
  momentum: { default: 0, check: checkUnit },
  dampening: { default: 0, check: checkNonNegative },
  nesterov: { default: false, check: checkBoolean },
  weightDecay: { default: 0, check: checkNonNegative },
  maximize: { default: false, check: checkBoolean },
};

export class SGD extends Optimizer {
  /** `params`: parameters, or groups `{ params, lr?, momentum?, … }` whose settings override `options`. */
  constructor(params: ParamsInput, options: SGDOptions) {
    super(params, options, 'SGD', SGD_SETTINGS);
  }

  protected override checkGroup(g: ParamGroup, where: string): void {
    if (g.nesterov && ((g.momentum as number) <= 0 || g.dampening !== 0)) {
      throw new ConvgradError('SGD', `${where ? `${where}: ` : ''}Nesterov momentum requires momentum > 0 and dampening = 0, got momentum ${g.momentum} and dampening ${g.dampening}`);
    }
  }

  protected bufferNames(): string[] {
    return ['momentumBuffer'];
  }

  protected update(theta: TypedArray, grad: TypedArray, state: ParamState, group: ParamGroup): void {
    const lr = group.lr, mu = group.momentum as number, tau = group.dampening as number;
    const nesterov = group.nesterov as boolean, wd = group.weightDecay as number;
    const sign = group.maximize ? -1 : 1;
    const n = theta.length;
    // torch.optim.sgd's _single_tensor_sgd (the header's equations); the backend's fused kernel, when it
    // has one (core's wasm/as/optim.ts, float32), runs the same operations in the same order.
    const buffer = mu === 0 ? null : state.buffer('momentumBuffer');
    if (sgdUpdate({ theta, grad, buf: buffer ? buffer.data : null, fresh: buffer?.fresh === true, lr, mu, tau, wd, sign, nesterov })) return;
    if (mu === 0) {
      // Stryker disable next-line EqualityOperator: i <= n only adds a read and a write at theta[n], past the typed array's end: no effect
      for (let i = 0; i < n; i++) theta[i] -= lr * (sign * grad[i] + wd * theta[i]);
      return;
    }
    const { data: b, fresh } = buffer!;
    // Stryker disable next-line EqualityOperator: i <= n only adds reads and writes at index n, past the typed arrays' ends: no effect
    for (let i = 0; i < n; i++) {
      const g = sign * grad[i] + wd * theta[i];
      b[i] = fresh ? g : mu * b[i] + (1 - tau) * g;
      theta[i] -= lr * (nesterov ? g + mu * b[i] : b[i]);
    }
  }
}
