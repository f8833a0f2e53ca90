// Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay), as torch.optim (1.13):
//   g ← −∇ if maximize else ∇;  g ← g + λ·θ (Adam);  θ ← θ·(1 − lr·λ) (AdamW)
//   m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + (1 − β₂)·g²;   v̂ ← max(v̂, v) with amsgrad (else v̂ = v)
//   θ ← θ − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
import { adamUpdate, type TypedArray } from '@convgrad/core';
import { checkBetas, checkBoolean, checkNonNegative, Optimizer, type ParamGroup, type ParamsInput, type ParamState, type SettingSpec } from './optimizer.ts';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Use the running maximum of the second moment (Reddi et al., "On the Convergence of Adam and Beyond"). */
  amsgrad?: boolean;
  /** Ascend the objective instead of descending it. */
  maximize?: boolean;
}

function adamSettings(weightDecay: number): Record<string, SettingSpec> {
  return {
    lr: { default: 1e-3, check: checkNonNegative },
    betas: { default: [0.9, 0.999], check: checkBetas },
    eps: { default: 1e-8, check: checkNonNegative },
    weightDecay: { default: weightDecay, check: checkNonNegative },
    amsgrad: { default: false, check: checkBoolean },
    maximize: { default: false, check: checkBoolean },
  };
}

export class Adam extends Optimizer {
  /** `params`: parameters, or groups `{ params, lr?, betas?, … }` whose settings override `options`. */
  constructor(params: ParamsInput, options: AdamOptions = {}, private readonly decoupled = false) {
    super(params, options, decoupled ? 'AdamW' : 'Adam', adamSettings(decoupled ? 1e-2 : 0));
  }

  protected bufferNames(): string[] {
    return ['expAvg', 'expAvgSq', 'maxExpAvgSq'];
  }

  protected update(theta: TypedArray, grad: TypedArray, state: ParamState, group: ParamGroup): void {
    const lr = group.lr, eps = group.eps as number, wd = group.weightDecay as number;
    const [b1, b2] = group.betas as [number, number];
    const sign = group.maximize ? -1 : 1;
    const t = state.step;
    const m = state.buffer('expAvg').data, v = state.buffer('expAvgSq').data;
    const vMax = group.amsgrad ? state.buffer('maxExpAvgSq').data : null;
    const stepSize = lr / (1 - b1 ** t);
    const c2 = Math.sqrt(1 - b2 ** t);
    const decoupled = this.decoupled;
    const l2 = decoupled ? 0 : wd;
    const shrink = decoupled ? 1 - lr * wd : 1;
    // The loop below is torch.optim.adam's _single_tensor_adam (the header's equations: m, v, then
    // param.addcdiv_(m, √v̂/√(1 − β₂ᵗ) + ε, value = −lr/(1 − β₁ᵗ))). The backend's fused kernel, when it has
    // one (core's wasm/as/optim.ts, float32), runs the same operations in the same order: bit for bit.
    if (adamUpdate({ theta, grad, m, v, vMax, b1, b2, stepSize, c2, eps, l2, shrink, sign })) return;
    // Stryker disable next-line EqualityOperator: i <= theta.length only adds reads and writes at index theta.length, past the typed arrays' ends: no effect
    for (let i = 0; i < theta.length; i++) {
      const th = theta[i] * shrink;
      const g = sign * grad[i] + l2 * th;
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      let vHat = v[i];
      if (vMax) {
        vMax[i] = Math.max(vMax[i], vHat);
        vHat = vMax[i];
      }
      theta[i] = th - stepSize * m[i] / (Math.sqrt(vHat) / c2 + eps);
    }
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter): default weightDecay 0.01. */
export class AdamW extends Adam {
  constructor(params: ParamsInput, options: AdamOptions = {}) {
    super(params, options, true);
  }
}
