// batchNorm (F.batch_norm): forward against the definition written out per channel, the running-stats
// update against PyTorch's rule (momentum and the cumulative average), first and second derivatives by
// finite differences in float64 (training and eval, affine or not), boundary inputs and option errors.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { add, batchNorm, ConvgradError, enableGrad, full, grad, mean, mul, pow, randn, record, sub, sum, Tensor, tensor } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

const shapeArb = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 3 })).map(([n, c]) => [n, c]),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 3 })).map(([n, c, l]) => [n, c, l]),
  fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 3 })).map(([n, c, h, w]) => [n, c, h, w]),
);
const caseArb = fc.record({ shape: shapeArb, seed: fc.integer({ min: 0, max: 1e6 }), affine: fc.boolean(), withBias: fc.boolean() });

/** Values of channel ch of a contiguous [N, C, S] buffer. */
function channel(x: ArrayLike<number>, shape: number[], ch: number): number[] {
  const [n, c] = shape, s = shape.slice(2).reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let k = 0; k < s; k++) out.push(x[(i * c + ch) * s + k]);
  return out;
}
const meanOf = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
const biasedVar = (v: number[]) => { const m = meanOf(v); return v.reduce((p, q) => p + (q - m) ** 2, 0) / v.length; };

/** y per the definition, channel by channel, in plain float64 arithmetic. */
function reference(x: Tensor, mu: number[], variance: number[], w: number[] | null, b: number[] | null, eps: number): number[] {
  const [n, c] = x.shape, s = x.size / (n * c);
  const out = new Array<number>(x.size);
  for (let i = 0; i < x.size; i++) {
    const ch = Math.floor(i / s) % c;
    out[i] = ((x.data[i] - mu[ch]) / Math.sqrt(variance[ch] + eps)) * (w ? w[ch] : 1) + (b ? b[ch] : 0);
  }
  return out;
}

function params(c: number, seed: number, affine: boolean, withBias: boolean) {
  return {
    weight: affine ? makeTensor({ shape: [c], seed: seed + 1 }, { requiresGrad: true }) : null,
    bias: withBias ? makeTensor({ shape: [c], seed: seed + 2 }, { requiresGrad: true }) : null,
  };
}

describe('batchNorm: forward and running statistics', () => {
  it('training: batch statistics per channel; running ← (1 − m)·running + m·stat with the unbiased variance', () => {
    checkProperty(fc.record({ k: caseArb, momentum: fc.constantFrom(0.1, 0.5, 1, 0) }), ({ k: { shape, seed, affine, withBias }, momentum }) => {
      const x = makeTensor({ shape, seed }, { requiresGrad: false });
      const c = shape[1];
      const { weight, bias } = params(c, seed, affine, withBias);
      const rm0 = makeTensor({ shape: [c], seed: seed + 3 }, { requiresGrad: false }), rv0 = full([c], 1.5, { dtype: 'float64' });
      const rm = new Tensor(rm0.data.slice(), [c]), rv = new Tensor(rv0.data.slice(), [c]);
      const y = batchNorm(x, rm, rv, { weight, bias, training: true, momentum, eps: 1e-3 });
      const chans = Array.from({ length: c }, (_, ch) => channel(x.data, shape, ch));
      const mu = chans.map(meanOf), v = chans.map(biasedVar), m = chans[0].length;
      expectClose(y.data, reference(x, mu, v, weight && Array.from(weight.data), bias && Array.from(bias.data), 1e-3), 1e-10, 'y');
      expectClose(rm.data, mu.map((u, ch) => (1 - momentum) * rm0.data[ch] + momentum * u), 1e-12, 'running_mean');
      expectClose(rv.data, v.map((s, ch) => (1 - momentum) * rv0.data[ch] + momentum * s * (m / (m - 1))), 1e-12, 'running_var');
    }, 40);
  });

  it('momentum null: the running statistics are the plain average of the batch statistics so far', () => {
    const rm = full([2], 0, { dtype: 'float64' }), rv = full([2], 1, { dtype: 'float64' });
    const batches = [0, 1, 2].map((s) => makeTensor({ shape: [4, 2, 3], seed: 10 + s }, { requiresGrad: false }));
    batches.forEach((x, t) => batchNorm(x, rm, rv, { training: true, momentum: null, numBatchesTracked: t + 1 }));
    for (let ch = 0; ch < 2; ch++) {
      const chans = batches.map((x) => channel(x.data, [4, 2, 3], ch));
      expect(rm.data[ch]).toBeCloseTo(meanOf(chans.map(meanOf)), 12);
      expect(rv.data[ch]).toBeCloseTo(meanOf(chans.map((v) => biasedVar(v) * 12 / 11)), 12);
    }
    expect(rm.version).toBe(3);
  });

  it('eval: normalizes with the running statistics, leaves them alone; a batch of one works', () => {
    checkProperty(caseArb, ({ shape, seed, affine, withBias }) => {
      const c = shape[1];
      const x = makeTensor({ shape: [1, ...shape.slice(1)], seed }, { requiresGrad: false });
      const { weight, bias } = params(c, seed, affine, withBias);
      const rm = makeTensor({ shape: [c], seed: seed + 3 }, { requiresGrad: false });
      const rv = new Tensor(makeTensor({ shape: [c], seed: seed + 4 }).data.map((q) => q * q + 0.1), [c]);
      const before = [Array.from(rm.data), Array.from(rv.data)];
      const y = batchNorm(x, rm, rv, { weight, bias, eps: 1e-5 });
      expectClose(y.data, reference(x, Array.from(rm.data), Array.from(rv.data), weight && Array.from(weight.data), bias && Array.from(bias.data), 1e-5), 1e-12, 'y');
      expect([Array.from(rm.data), Array.from(rv.data)]).toEqual(before);
    }, 20);
  });

  it('float32: a constant channel gives var 0 (y = β, finite gradients); a huge common offset keeps its variance', () => {
    const x = tensor([[5, 1e6 + 1], [5, 1e6 - 1], [5, 1e6 + 1], [5, 1e6 - 1]], { requiresGrad: true });
    const rm = full([2], 0), rv = full([2], 1);
    const y = batchNorm(x, rm, rv, { weight: tensor([2, 1]), bias: tensor([0.5, 0]), training: true });
    expect(Array.from(y.data)).toEqual([0.5, expect.closeTo(1 / Math.sqrt(1 + 1e-5), 6), 0.5, expect.closeTo(-1 / Math.sqrt(1 + 1e-5), 6), 0.5, expect.closeTo(1 / Math.sqrt(1 + 1e-5), 6), 0.5, expect.closeTo(-1 / Math.sqrt(1 + 1e-5), 6)]);
    expect(rv.data[0]).toBeCloseTo(0.9, 6); // (1 − 0.1)·1 + 0.1·0
    expect(rv.data[1]).toBeCloseTo(0.9 + 0.1 * 4 / 3, 5);
    sum(mul(y, tensor([[1, 2], [3, 4], [5, 6], [7, 8]]))).backward();
    expect(Array.from(x.grad!.data).every(Number.isFinite)).toBe(true);
    // constant channel: x̂ = 0, so dx = γ/√ε·(g − mean g), as PyTorch
    expectClose(channel(x.grad!.data, [4, 2], 0), [-3, -1, 1, 3].map((d) => (2 * d) / Math.sqrt(1e-5)), 1e-5, 'constant-channel dx');
    // tiny values: the variance (1e-20) is far below ε, so y ≈ (x − μ)/√ε
    const t = tensor([[1e-10], [-1e-10]], { dtype: 'float64' });
    expectClose(batchNorm(t, null, null, { training: true }).data, [1e-10 / Math.sqrt(1e-20 + 1e-5), -1e-10 / Math.sqrt(1e-20 + 1e-5)], 1e-12, 'tiny');
  });
});

describe('batchNorm: derivatives (float64, finite differences)', () => {
  it('training: first and second derivatives in x, γ and β', () => {
    checkProperty(caseArb, ({ shape, seed, affine, withBias }) => {
      const x = makeTensor({ shape, seed });
      const { weight, bias } = params(shape[1], seed, affine, withBias);
      const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
      const f = (...ts: Tensor[]) => batchNorm(ts[0], null, null, { weight: weight ? ts[1] : null, bias: bias ? ts[weight ? 2 : 1] : null, training: true, eps: 1e-3 });
      expectGradOk(gradcheck(f, inputs));
      expectGradOk(gradgradcheck(f, inputs));
    }, 25);
  });

  it('eval: first and second derivatives in x, γ, β and the running statistics', () => {
    checkProperty(caseArb, ({ shape, seed, affine, withBias }) => {
      const c = shape[1];
      const x = makeTensor({ shape, seed });
      const { weight, bias } = params(c, seed, affine, withBias);
      const rm = makeTensor({ shape: [c], seed: seed + 3 }, { requiresGrad: true });
      const rv = new Tensor(makeTensor({ shape: [c], seed: seed + 4 }).data.map((q) => q * q + 0.5), [c], true);
      const inputs = [x, rm, rv, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
      const f = (...ts: Tensor[]) => batchNorm(ts[0], ts[1], ts[2], { weight: weight ? ts[3] : null, bias: bias ? ts[weight ? 4 : 3] : null });
      expectGradOk(gradcheck(f, inputs));
      expectGradOk(gradgradcheck(f, inputs));
    }, 15);
  });

  it('third order: the gradient of the double-backward is right as well', () => {
    const x = makeTensor({ shape: [3, 2, 2], seed: 7 });
    const w = makeTensor({ shape: [2], seed: 8 });
    // f(x, w) = Σ v·∂(Σ u·y)/∂x: its gradcheck/gradgradcheck differentiate batchNorm 2 and 3 times
    const u = makeTensor({ shape: [3, 2, 2], seed: 9 }, { requiresGrad: false }), v = makeTensor({ shape: [3, 2, 2], seed: 10 }, { requiresGrad: false });
    // (the finite-difference passes run without recording: f records its own graph for grad)
    const f = (xx: Tensor, ww: Tensor) => enableGrad(() => {
      const leaf = xx.requiresGrad ? xx : new Tensor(xx.data, xx.shape, true);
      const [gx] = grad(sum(mul(batchNorm(leaf, null, null, { weight: ww, training: true, eps: 1e-3 }), u)), [leaf], { createGraph: true });
      return sum(mul(gx, v));
    });
    expectGradOk(gradcheck(f, [x, w]));
    expectGradOk(gradgradcheck(f, [x, w]));
  });
});

describe('batchNorm: the properties catch a planted bug', () => {
  it('a backward rule without the x̂·Σ(g·x̂)/M term fails gradcheck', () => {
    const x = makeTensor({ shape: [4, 2, 3], seed: 3 });
    // same forward, a planted backward: dx = invstd·(g − Σg/M)
    const planted = (t: Tensor) => {
      const y = batchNorm(t.detach(), null, null, { training: true });
      return record(y.detach(), 'plantedBatchNorm', [t], (g) => {
        const xc = sub(t, mean(t, [0, 2], true));
        const invstd = pow(add(mean(mul(xc, xc), [0, 2], true), 1e-5), -0.5);
        return [mul(invstd, sub(g, mean(g, [0, 2], true)))];
      });
    };
    expect(gradcheck(planted, [x]).ok).toBe(false);
    expectGradOk(gradcheck((t: Tensor) => batchNorm(t, null, null, { training: true }), [x]));
  });
});

describe('batchNorm: errors', () => {
  const x = full([2, 3, 2], 1);
  const err = (fn: () => unknown, msg: RegExp) => {
    expect(fn).toThrow(ConvgradError);
    expect(fn).toThrow(msg);
  };
  it('names the op and the offending value', () => {
    err(() => batchNorm(full([3], 1), null, null, { training: true }), /^batchNorm: input must be \[N, C, \*\]/);
    err(() => batchNorm(x, null, null, { training: true, nope: 1 } as never), /batchNorm.*nope/);
    err(() => batchNorm(x, null, null, { weight: full([2], 1), training: true }), /weight must be \[C\] = \[3\]/);
    err(() => batchNorm(x, null, null), /eval mode \(training: false\) needs runningMean and runningVar/);
    err(() => batchNorm(x, full([3], 0), null, { training: true }), /both runningMean and runningVar/);
    err(() => batchNorm(x, full([3], 0), full([3], 1), { training: true, momentum: null }), /numBatchesTracked/);
    err(() => batchNorm(x, full([3], 0), full([3], 1), { training: true, momentum: 2 }), /momentum must be/);
    err(() => batchNorm(full([1, 3], 1), null, null, { training: true }), /more than 1 value per channel/);
    err(() => batchNorm(x, null, null, { training: true, eps: -1 }), /eps must be/);
    err(() => batchNorm(x, full([3], 0, { dtype: 'float64' }), full([3], 1), { training: true }), /runningMean dtype float64/);
  });
});

describe('batchNorm: second order along the incoming gradient (a survivor of the mutation sample)', () => {
  it('the gradients of dx, dγ and dβ with respect to the incoming gradient match the linear map they are', () => {
    // dx, dγ, dβ are linear in the incoming gradient v, so s(v) = Σ dβ·u + Σ dγ·u + Σ dx·w is Σ v_i·a_i with
    // a_i = s(e_i): the double backward's dv must equal those a_i (each from a one-hot v).
    const shape = [3, 2, 2, 2];
    const x = randn(shape, { seed: 11, dtype: 'float64' });
    const gamma = randn([2], { seed: 12, dtype: 'float64', requiresGrad: true });
    const beta = randn([2], { seed: 13, dtype: 'float64', requiresGrad: true });
    const u = randn([2], { seed: 14, dtype: 'float64' }), w = randn(shape, { seed: 15, dtype: 'float64' });
    const s = (v: Tensor, createGraph: boolean): Tensor => {
      const xl = x.detach().requiresGrad_(true);
      const y = batchNorm(xl, null, null, { weight: gamma, bias: beta, training: true });
      const [dx, dg, db] = grad(y, [xl, gamma, beta], { gradOutputs: [v], createGraph });
      return add(add(sum(mul(db, u)), sum(mul(dg, u))), sum(mul(dx, w)));
    };
    const v = randn(shape, { seed: 16, dtype: 'float64', requiresGrad: true });
    const [dv] = grad(s(v, true), [v]);
    const n = v.size;
    for (let i = 0; i < n; i++) {
      const e = new Float64Array(n);
      e[i] = 1;
      expect(dv.data[i]).toBeCloseTo(s(new Tensor(e, shape), false).item(), 10);
    }
  });
});
