// Cases found by mutation testing (`MUTATE_GROUP=optim pnpm mutate`): behaviour of the optimizers
// that the other optimizer tests did not pin down. Each test names what a surviving mutant changed.
// Messages are matched on the op, the setting and the value only (the wording may change).
import { describe, expect, it } from 'vitest';
import { mul, sum, tensor, type Tensor } from '@convgrad/core';
import { Adam, AdamW, SGD, StepLR, type Optimizer } from '../src/index.ts';
import { expectClose } from './helpers.ts';

const f64 = { dtype: 'float64' as const };
const param = (values = [1]) => tensor(values, undefined, { ...f64, requiresGrad: true });

/** θ after each step when the gradient of step k is gradients[k] (a loss Σ g·θ). */
function trace(make: (params: Tensor[]) => Optimizer, gradients: number[], theta0 = 1): number[] {
  const theta = param([theta0]);
  const opt = make([theta]);
  return gradients.map((g) => {
    opt.zeroGrad();
    sum(mul(theta, g)).backward();
    opt.step();
    return theta.data[0];
  });
}

describe('settings are refused naming the optimizer, the setting and the value', () => {
  const p = () => [param()];
  it.each([
    ['SGD momentum', () => new SGD(p(), { lr: 0.1, momentum: 1.5 }), /^SGD: .*momentum.*1\.5/],
    ['SGD negative momentum', () => new SGD(p(), { lr: 0.1, momentum: -0.1 }), /^SGD: .*momentum.*-0\.1/],
    ['SGD dampening', () => new SGD(p(), { lr: 0.1, momentum: 0.5, dampening: -1 }), /^SGD: .*dampening.*-1/],
    ['SGD weight decay', () => new SGD(p(), { lr: 0.1, weightDecay: -2 }), /^SGD: .*weightDecay.*-2/],
    ['SGD Nesterov with dampening', () => new SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /^SGD: Nesterov .*dampening/],
    ['Adam betas[0]', () => new Adam(p(), { betas: [1.5, 0.9] }), /^Adam: .*betas\[0\].*1\.5/],
    ['Adam negative betas[1]', () => new Adam(p(), { betas: [0.9, -0.5] }), /^Adam: .*betas\[1\].*-0\.5/],
    ['Adam eps', () => new Adam(p(), { eps: -1e-8 }), /^Adam: .*eps.*-1e-8/],
    ['AdamW weight decay', () => new AdamW(p(), { weightDecay: -0.01 }), /^AdamW: .*weightDecay.*-0\.01/],
    ['StepLR gamma 0', () => new StepLR(new SGD(p(), { lr: 1 }), 1, 0), /^StepLR: .*gamma.*0/],
    ['StepLR gamma NaN', () => new StepLR(new SGD(p(), { lr: 1 }), 1, NaN), /^StepLR: .*gamma.*NaN/],
    ['StepLR gamma Infinity', () => new StepLR(new SGD(p(), { lr: 1 }), 1, Infinity), /^StepLR: .*gamma.*Infinity/],
    ['StepLR gamma negative', () => new StepLR(new SGD(p(), { lr: 1 }), 1, -0.5), /^StepLR: .*gamma.*-0\.5/],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(message);
  });

  it('a parameter that is not a leaf is refused', () => {
    const w = param([1, 2]);
    const derived = mul(w, 2); // requires grad, but is computed
    expect(() => new SGD([w, derived], { lr: 0.1 })).toThrow(/^SGD: parameter 1 .*not a leaf/);
  });
});

describe('updates', () => {
  it('a gradient of another dtype than its parameter is refused, naming both', () => {
    const w = tensor([1, 2], undefined, { requiresGrad: true }); // float32
    const opt = new SGD([w], { lr: 0.1 });
    w.grad = tensor([1, 1], undefined, f64);
    expect(() => opt.step()).toThrow(/^SGD: .*float64.*float32/);
    expect(Array.from(w.data)).toEqual([1, 2]);
  });

  it('stepCount counts step() calls', () => {
    const opt = new SGD([param()], { lr: 0.1 });
    for (let k = 0; k < 3; k++) opt.step();
    expect(opt.stepCount).toBe(3);
  });

  it('SGD without momentum ignores dampening (as PyTorch): every step uses the whole gradient', () => {
    // θ: 1 → 1 − 0.1·0.5 = 0.95 → 0.95 + 0.1·1 = 1.05 (a dampened buffer would give 1.0 on step 2)
    expectClose(trace((p) => new SGD(p, { lr: 0.1, dampening: 0.5 }), [0.5, -1]), [0.95, 1.05], 1e-15);
  });

  it('SGD without momentum adds λθ to the gradient (L2 weight decay)', () => {
    // θ0 = 2, g = 1, λ = 0.5: θ1 = 2 − 0.1·(1 + 1) = 1.8; θ2 = 1.8 − 0.1·(1 + 0.9) = 1.61
    expectClose(trace((p) => new SGD(p, { lr: 0.1, weightDecay: 0.5 }), [1, 1], 2), [1.8, 1.61], 1e-15);
  });

  it('Adam and AdamW keep the first and second moments apart over several steps', () => {
    // reference: the PyTorch update written out, 4 steps with changing gradients and L2 decay
    const gradients = [0.5, -1, 2, 0.25], lr = 0.05, b1 = 0.8, b2 = 0.9, eps = 1e-6, wd = 0.1;
    for (const decoupled of [false, true]) {
      let theta = 1.5, m = 0, v = 0;
      const expected = gradients.map((g0, k) => {
        const t = k + 1;
        const g = decoupled ? g0 : g0 + wd * theta;
        if (decoupled) theta *= 1 - lr * wd;
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        theta -= (lr / (1 - b1 ** t)) * m / (Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps);
        return theta;
      });
      const make = (p: Tensor[]) => (decoupled ? new AdamW(p, { lr, betas: [b1, b2], eps, weightDecay: wd }) : new Adam(p, { lr, betas: [b1, b2], eps, weightDecay: wd }));
      expectClose(trace(make, gradients, 1.5), expected, 1e-14, decoupled ? 'AdamW' : 'Adam');
    }
  });
});
