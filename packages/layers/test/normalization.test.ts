// Dropout and BatchNorm: train vs eval behaviour, BatchNorm against hand-computed normalization and
// running statistics, and BatchNorm's gradients against central differences (float64).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randn, Tensor, tensor } from '@convgrad/core';
import { gradcheck, gradgradcheck } from '@convgrad/core/testing';
import { BatchNorm1d, BatchNorm2d, Dropout } from '../src/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

describe('Dropout', () => {
  it('in training zeroes about p of the elements and scales the rest by 1/(1−p)', () => {
    for (const p of [0.2, 0.5, 0.8]) {
      const x = randn([50, 40], { seed: 1, dtype: 'float64' });
      const y = new Dropout(p, { seed: 2 }).call(x);
      let zeros = 0;
      for (let i = 0; i < x.size; i++) {
        if (y.data[i] === 0) zeros++;
        else expect(Math.abs(y.data[i] - x.data[i] / (1 - p))).toBeLessThan(1e-12);
      }
      const n = x.size; // binomial: std √(n p (1−p)); allow 5 of them
      expect(Math.abs(zeros - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    }
  });

  it('is the identity in eval mode and draws a new mask on each training call', () => {
    const x = randn([4, 8], { seed: 3 });
    const d = new Dropout(0.5, { seed: 4 });
    const m1 = Array.from(d.call(x).data, (v) => v === 0);
    const m2 = Array.from(d.call(x).data, (v) => v === 0);
    expect(m1).not.toEqual(m2);
    d.eval();
    expect(d.call(x)).toBe(x);
  });

  it('passes gradient only through kept elements, scaled', () => {
    const x = randn([6, 5], { seed: 5, requiresGrad: true, dtype: 'float64' });
    const y = new Dropout(0.3, { seed: 6 }).call(x);
    y.sum().backward();
    for (let i = 0; i < x.size; i++) expect(x.grad!.data[i]).toBe(y.data[i] === 0 ? 0 : 1 / 0.7);
  });

  it('rejects p outside [0, 1)', () => {
    expect(() => new Dropout(1)).toThrow(/^Dropout: p must be a probability in \[0, 1\), got 1/);
  });
});

/** Per-channel normalization by hand: channel c of x [N, C, ...rest], biased variance. */
function handBatchNorm(x: Tensor, gamma: ArrayLike<number>, beta: ArrayLike<number>, eps: number) {
  const [n, c] = x.shape;
  const inner = x.size / (n * c);
  const y = new Float64Array(x.size), means: number[] = [], vars: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const idx: number[] = [];
    for (let b = 0; b < n; b++) for (let k = 0; k < inner; k++) idx.push((b * c + ch) * inner + k);
    const mu = idx.reduce((s, i) => s + x.data[i], 0) / idx.length;
    const v = idx.reduce((s, i) => s + (x.data[i] - mu) ** 2, 0) / idx.length;
    for (const i of idx) y[i] = ((x.data[i] - mu) / Math.sqrt(v + eps)) * gamma[ch] + beta[ch];
    means.push(mu);
    vars.push(v);
  }
  return { y, means, vars, count: n * inner };
}

describe('BatchNorm', () => {
  const shapeArb = fc.oneof(
    fc.tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 3 })).map(([n, c]) => ({ kind: '1d' as const, shape: [n, c] })),
    fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([n, c, l]) => ({ kind: '1d' as const, shape: [n, c, l + (n === 1 ? 1 : 0)] })),
    fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 3 })).map(([n, c, h, w]) => ({ kind: '2d' as const, shape: [n, c, h, w] })),
  );
  const caseArb = fc.record({ s: shapeArb, seed: fc.integer({ min: 0, max: 1_000_000 }) });
  const make = (kind: '1d' | '2d', c: number) => (kind === '1d' ? new BatchNorm1d(c, { dtype: 'float64' }) : new BatchNorm2d(c, { dtype: 'float64' }));

  it('training output and running statistics match the hand computation', () => {
    checkProperty(caseArb, ({ s, seed }) => {
      const c = s.shape[1];
      const bn = make(s.kind, c);
      const gamma = randn([c], { seed: seed + 1, dtype: 'float64' }), beta = randn([c], { seed: seed + 2, dtype: 'float64' });
      bn.weight!.data.set(gamma.data);
      bn.bias!.data.set(beta.data);
      const x = randn(s.shape, { seed, dtype: 'float64', mean: 1, std: 2 });
      const hand = handBatchNorm(x, gamma.data, beta.data, 1e-5);
      expectClose(bn.call(x).data, hand.y, 1e-10, 'y');
      // momentum 0.1 from mean 0 / var 1, with the unbiased variance as PyTorch
      expectClose(bn.runningMean!.data, hand.means.map((m) => 0.1 * m), 1e-12, 'running_mean');
      expectClose(bn.runningVar!.data, hand.vars.map((v) => 0.9 + 0.1 * v * hand.count / (hand.count - 1)), 1e-12, 'running_var');
    }, 30);
  });

  it('eval mode normalizes with the running statistics, not the batch', () => {
    const bn = new BatchNorm2d(2, { dtype: 'float64' });
    bn.call(randn([4, 2, 3, 3], { seed: 1, dtype: 'float64', mean: 3, std: 2 }));
    bn.call(randn([4, 2, 3, 3], { seed: 2, dtype: 'float64', mean: 3, std: 2 }));
    bn.eval();
    const rm = Array.from(bn.runningMean!.data), rv = Array.from(bn.runningVar!.data);
    const x = randn([1, 2, 2, 2], { seed: 3, dtype: 'float64' });
    const expected = Array.from(x.data, (v, i) => (v - rm[Math.floor(i / 4)]) / Math.sqrt(rv[Math.floor(i / 4)] + 1e-5));
    expectClose(bn.call(x).data, expected, 1e-12, 'eval');
    expect(Array.from(bn.runningMean!.data)).toEqual(rm); // eval does not update the statistics
    // a single example per channel is fine in eval, an error in training
    expect(() => bn.train().call(randn([1, 2, 1, 1], { dtype: 'float64' }))).toThrow(/^BatchNorm2d: expected more than 1 value per channel when training/);
  });

  it('running statistics converge to the data statistics over many batches', () => {
    const bn = new BatchNorm1d(3, { dtype: 'float64', momentum: 0.2 });
    for (let i = 0; i < 60; i++) bn.call(randn([64, 3], { seed: 100 + i, dtype: 'float64', mean: 2, std: 3 }));
    for (const m of bn.runningMean!.data) expect(Math.abs(m - 2)).toBeLessThan(0.5);
    for (const v of bn.runningVar!.data) expect(Math.abs(v / 9 - 1)).toBeLessThan(0.25);
  });

  it('gradients (input, weight, bias) and second derivatives match finite differences', () => {
    checkProperty(caseArb, ({ s, seed }) => {
      const c = s.shape[1];
      const bn = make(s.kind, c);
      const x = randn(s.shape, { seed, dtype: 'float64', requiresGrad: true });
      const w = randn([c], { seed: seed + 1, dtype: 'float64', requiresGrad: true });
      const b = randn([c], { seed: seed + 2, dtype: 'float64', requiresGrad: true });
      // the layer with ww, bb swapped in as its affine parameters (gradcheck passes fresh leaves)
      const f = (xx: Tensor, ww: Tensor, bb: Tensor) => Object.assign(bn, { weight: ww, bias: bb }).call(xx);
      expectGradOk(gradcheck(f, [x, w, b], { atol: 1e-5, rtol: 1e-3 }));
      expectGradOk(gradcheck((xx: Tensor) => bn.call(xx), [x]));
      expectGradOk(gradgradcheck((xx: Tensor) => bn.call(xx), [x]));
    }, 15);
  });

  it('the affine parameters get the textbook gradients: dβ = Σ g, dγ = Σ g·x̂', () => {
    const bn = new BatchNorm2d(2, { dtype: 'float64' });
    const x = randn([3, 2, 2, 2], { seed: 7, dtype: 'float64' });
    const g = randn([3, 2, 2, 2], { seed: 8, dtype: 'float64' });
    bn.call(x).backward(g);
    const hand = handBatchNorm(x, [1, 1], [0, 0], 1e-5); // x̂
    const dBeta = [0, 0], dGamma = [0, 0];
    for (let i = 0; i < x.size; i++) {
      const ch = Math.floor(i / 4) % 2;
      dBeta[ch] += g.data[i];
      dGamma[ch] += g.data[i] * hand.y[i];
    }
    expectClose(bn.bias!.grad!.data, dBeta, 1e-12, 'dβ');
    expectClose(bn.weight!.grad!.data, dGamma, 1e-12, 'dγ');
  });

  it('without affine or running stats: no parameters, no buffers, batch statistics in eval', () => {
    const bn = new BatchNorm1d(2, { affine: false, trackRunningStats: false, dtype: 'float64' });
    expect(bn.parameters()).toHaveLength(0);
    expect(bn.buffers()).toHaveLength(0);
    const x = tensor([[1, 10], [3, 30]], undefined, { dtype: 'float64' });
    bn.eval();
    // channel 0: mean 2, variance 1; channel 1: mean 20, variance 100
    const s0 = Math.sqrt(1 + 1e-5), s1 = Math.sqrt(100 + 1e-5);
    expectClose(bn.call(x).data, [-1 / s0, -10 / s1, 1 / s0, 10 / s1], 1e-12, 'no-affine');
  });

  it('state dict holds weight, bias, running_mean, running_var, num_batches_tracked (PyTorch names)', () => {
    expect([...new BatchNorm2d(4).stateDict().keys()]).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  });

  it('rejects an input of the wrong rank or channel count', () => {
    expect(() => new BatchNorm2d(3).call(randn([2, 4, 2, 2]))).toThrow(/^BatchNorm2d: input must be \[N, C, H, W\] with C = 3, got \[2, 4, 2, 2\]/);
    expect(() => new BatchNorm1d(3).call(randn([2, 3, 2, 2]))).toThrow(/^BatchNorm1d: input must be \[N, C\] or \[N, C, L\] with C = 3/);
  });
});
