// Optimizers: convergence on a convex quadratic with a known minimum, hand-computed traces of the
// update rules (PyTorch semantics), per-parameter state, StepLR, bad settings.
import { describe, expect, it } from 'vitest';
import { mul, sub, sum, tensor, type Tensor } from '@convgrad/core';
import { Adam, AdamW, SGD, StepLR, type Optimizer } from '../src/index.ts';
import { expectClose } from './helpers.ts';

const f64 = { dtype: 'float64' as const };
const curvature = [0.5, 1, 2, 1.5, 0.8];
const center = [1, -2, 0.5, 3, -1];

/** ½ Σ aᵢ(θᵢ − cᵢ)²: minimum at c, or at aᵢcᵢ/(aᵢ + λ) with L2 weight decay λ. */
function quadratic(theta: Tensor): Tensor {
  const d = sub(theta, tensor(center, undefined, f64));
  return sum(mul(mul(d, d), tensor(curvature, undefined, f64))).mul(0.5);
}

function minimize(make: (params: Tensor[]) => Optimizer, steps: number, schedule?: (opt: Optimizer) => StepLR): number[] {
  const theta = tensor([0, 0, 0, 0, 0], undefined, { ...f64, requiresGrad: true });
  const opt = make([theta]);
  const sched = schedule?.(opt);
  for (let k = 0; k < steps; k++) {
    opt.zeroGrad();
    quadratic(theta).backward();
    opt.step();
    sched?.step();
  }
  return Array.from(theta.data);
}

describe('convergence on a convex quadratic', () => {
  const cases: [string, (p: Tensor[]) => Optimizer, number, ((o: Optimizer) => StepLR)?][] = [
    ['SGD', (p) => new SGD(p, { lr: 0.5 }), 200],
    ['SGD + momentum', (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }), 300],
    ['SGD + Nesterov', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }), 300],
    ['Adam', (p) => new Adam(p, { lr: 0.1 }), 1500, (o) => new StepLR(o, 300, 0.3)],
    ['AdamW (no decay)', (p) => new AdamW(p, { lr: 0.1, weightDecay: 0 }), 1500, (o) => new StepLR(o, 300, 0.3)],
  ];
  it.each(cases)('%s reaches the minimum', (_name, make, steps, schedule) => {
    expectClose(minimize(make, steps, schedule), center, 1e-4, 'θ');
  });

  it('SGD and Adam with L2 weight decay reach the shifted minimum aᵢcᵢ/(aᵢ + λ)', () => {
    const lambda = 0.5;
    const shifted = center.map((c, i) => (curvature[i] * c) / (curvature[i] + lambda));
    expectClose(minimize((p) => new SGD(p, { lr: 0.1, momentum: 0.5, weightDecay: lambda }), 400), shifted, 1e-6, 'SGD θ');
    expectClose(minimize((p) => new Adam(p, { lr: 0.1, weightDecay: lambda }), 1500, (o) => new StepLR(o, 300, 0.3)), shifted, 1e-4, 'Adam θ');
  });
});

/** Runs `steps` updates of one scalar parameter θ₀ = 1 whose gradient at step k is grads[k]. */
function trace(make: (p: Tensor[]) => Optimizer, grads: number[], theta0 = 1): number[] {
  const theta = tensor([theta0], undefined, { ...f64, requiresGrad: true });
  const opt = make([theta]);
  return grads.map((g) => {
    opt.zeroGrad();
    sum(mul(theta, g)).backward(); // a linear loss: its gradient is exactly g
    opt.step();
    return theta.data[0];
  });
}

describe('hand-computed traces (θ₀ = 1, gradients 0.5 then −1, lr 0.1)', () => {
  it('SGD with momentum 0.9: b₁ = g₁, b₂ = 0.9·b₁ + g₂', () => {
    // b1 = 0.5 → θ1 = 1 − 0.05 = 0.95; b2 = 0.45 − 1 = −0.55 → θ2 = 0.95 + 0.055 = 1.005
    expectClose(trace((p) => new SGD(p, { lr: 0.1, momentum: 0.9 }), [0.5, -1]), [0.95, 1.005], 1e-15);
  });

  it('SGD with Nesterov: step along g + μ·b', () => {
    // d1 = 0.5 + 0.9·0.5 = 0.95 → θ1 = 0.905; b2 = −0.55, d2 = −1 − 0.495 = −1.495 → θ2 = 1.0545
    expectClose(trace((p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }), [0.5, -1]), [0.905, 1.0545], 1e-15);
  });

  it('SGD with dampening 0.5 and weight decay 0.1 (the first buffer is not dampened)', () => {
    // g1 = 0.5 + 0.1·1 = 0.6, b1 = 0.6 → θ1 = 0.94; g2 = −1 + 0.094 = −0.906,
    // b2 = 0.9·0.6 + 0.5·(−0.906) = 0.087 → θ2 = 0.94 − 0.0087 = 0.9313
    expectClose(trace((p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.1 }), [0.5, -1]), [0.94, 0.9313], 1e-14);
  });

  it('Adam, two steps with bias correction', () => {
    const b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = 0.1;
    // step 1: m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25 → θ moves by lr·0.5/(0.5 + ε)
    const t1 = 1 - lr * 0.5 / (0.5 + eps);
    // step 2: m = 0.9·0.05 − 0.1 = −0.055, v = 0.999·0.00025 + 0.001·1 = 0.00124975
    const mhat = -0.055 / (1 - b1 * b1), vhat = 0.00124975 / (1 - b2 * b2);
    const t2 = t1 - lr * mhat / (Math.sqrt(vhat) + eps);
    expect(t2).toBeCloseTo(0.93661, 5); // ≈ 0.9 + 0.1·0.28947/0.79069
    expectClose(trace((p) => new Adam(p, { lr }), [0.5, -1]), [t1, t2], 1e-14);
  });

  it('AdamW decays θ by (1 − lr·λ) outside the moments; Adam adds λθ to the gradient', () => {
    // θ0 = 2, g = 1, λ = 0.5: Adam's first step is lr·sign(g + λθ) → 1.9; AdamW's is 2·(1 − 0.05) − 0.1 = 1.8
    expectClose(trace((p) => new Adam(p, { lr: 0.1, weightDecay: 0.5 }), [1], 2), [1.9], 1e-7);
    expectClose(trace((p) => new AdamW(p, { lr: 0.1, weightDecay: 0.5 }), [1], 2), [1.8], 1e-7);
    // with a zero gradient only the decay acts: 2 → 1.9 → 1.805
    expectClose(trace((p) => new AdamW(p, { lr: 0.1, weightDecay: 0.5 }), [0, 0], 2), [1.9, 1.805], 1e-14);
  });
});

describe('optimizer bookkeeping', () => {
  it('skips parameters without a gradient, and counts Adam steps per parameter', () => {
    const a = tensor([1], undefined, { ...f64, requiresGrad: true });
    const b = tensor([1], undefined, { ...f64, requiresGrad: true });
    const opt = new Adam([a, b], { lr: 0.1 });
    sum(mul(a, 3)).backward();
    opt.step();
    expect(b.data[0]).toBe(1);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    sum(mul(b, 3)).backward();
    opt.step();
    // b's first update: bias-corrected, so it moves by lr·g/(|g| + ε) ≈ lr, as a's first did
    expect(b.data[0]).toBeCloseTo(0.9, 7);
    expect(a.data[0]).toBeCloseTo(0.9, 7);
  });

  it('updates float32 parameters in place', () => {
    const w = tensor([1, 2], undefined, { requiresGrad: true });
    const data = w.data;
    const opt = new SGD([w], { lr: 0.5 });
    sum(mul(w, w)).backward(); // gradient 2w
    opt.step();
    expect(w.data).toBe(data);
    expect(Array.from(w.data)).toEqual([0, 0]);
  });

  it('StepLR multiplies the rate by γ every stepSize epochs', () => {
    const opt = new SGD([tensor([0], undefined, { requiresGrad: true })], { lr: 1 });
    const sched = new StepLR(opt, 2, 0.5);
    const lrs = [opt.lr];
    for (let e = 0; e < 5; e++) {
      sched.step();
      lrs.push(sched.getLastLr()[0]);
    }
    expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
  });

  it('rejects bad settings with the optimizer name', () => {
    const p = [tensor([0], undefined, { requiresGrad: true })];
    expect(() => new SGD(p, { lr: 0.1, nesterov: true })).toThrow(/^SGD: Nesterov momentum requires momentum > 0/);
    expect(() => new SGD(p, { lr: -1 })).toThrow(/^SGD: lr must be a finite number ≥ 0/);
    expect(() => new Adam(p, { betas: [0.9, 1] })).toThrow(/^Adam: betas\[1\] must be in \[0, 1\)/);
    expect(() => new AdamW([], {})).toThrow(/^AdamW: got an empty parameter list/);
    expect(() => new SGD([tensor([0])], { lr: 0.1 })).toThrow(/^SGD: parameter 0 .* does not require grad/);
    expect(() => new StepLR(new SGD(p, { lr: 1 }), 0)).toThrow(/^StepLR: stepSize must be a positive integer/);
  });
});
