// The issue-11 activations, losses and normalization layers against PyTorch 1.13 (fixtures/
// torch-layers-losses.json, made by fixtures/torch-layers-losses.py): outputs and input gradients of
// sum(out · v), v = linspace(0.5, 1.5), in float64.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bce, bceWithLogits, crossEntropy, elu, erf, gelu, hardswish, huberLoss, klDiv, l1Loss, mul, nllLoss, silu, smoothL1Loss, softplus, sum, tensor,
  type Reduction, type Tensor,
} from '@convgrad/core';
import { BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm, type Module } from '../src/index.ts';
import { expectClose } from './helpers.ts';

interface Arr { shape: number[]; data: number[] }
interface Case { name: string; inputs: Arr[]; out: Arr; grads: ((number | null)[] | null)[]; running?: { mean: number[]; var: number[] } }
interface Fixture { torch: string; labels: number[]; nll_labels: number[]; kd_labels: number[]; w: number[]; cases: Case[] }

const fx = JSON.parse(readFileSync(new URL('./fixtures/torch-layers-losses.json', import.meta.url), 'utf8')) as Fixture;
const f64 = (data: number[], shape = [data.length]) => tensor(data, shape, { dtype: 'float64' });
const w = f64(fx.w);
const kdLabels = f64(fx.kd_labels, [2, 2, 2]);

/** Sets weight = linspace(0.5, 2), bias = linspace(−1, 1), as the script does. */
function affine<M extends Module>(m: M): M {
  for (const [name, p] of m.namedParameters()) {
    const n = p.size, [lo, hi] = name === 'weight' ? [0.5, 2] : [-1, 1];
    for (let i = 0; i < n; i++) p.data[i] = n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1);
  }
  return m;
}
const layers: Record<string, () => Module> = {
  layernorm: () => affine(new LayerNorm([3, 3], { dtype: 'float64' })),
  groupnorm: () => affine(new GroupNorm(2, 4, { dtype: 'float64' })),
  instancenorm: () => affine(new InstanceNorm2d(4, { affine: true, trackRunningStats: true, dtype: 'float64' })),
};

function fn(name: string): (...x: Tensor[]) => Tensor {
  const m = /^([a-z0-9]+(?:_[a-z]+)*?)_(mean|sum|none)$/.exec(name);
  const base = m ? m[1] : name, reduction = (m ? m[2] : 'mean') as Reduction;
  switch (base) {
    case 'gelu': return (x) => gelu(x);
    case 'gelu_tanh': return (x) => gelu(x, { approximate: 'tanh' });
    case 'silu': return silu;
    case 'elu': return (x) => elu(x, 0.7);
    case 'softplus': return (x) => softplus(x, { beta: 2, threshold: 5 });
    case 'softplus_default': return (x) => softplus(x);
    case 'hardswish': return hardswish;
    case 'erf': return erf;
    case 'ce': return (x) => crossEntropy(x, fx.labels, { reduction });
    case 'ce_weight': return (x) => crossEntropy(x, fx.labels, { weight: w, reduction });
    case 'ce_smooth_weight': return (x) => crossEntropy(x, fx.labels, { weight: w, labelSmoothing: 0.2, reduction });
    case 'ce_smooth': return (x) => crossEntropy(x, fx.labels, { labelSmoothing: 0.1, reduction });
    case 'ce_prob': return (x, p) => crossEntropy(x, p, { weight: w, labelSmoothing: 0.3, reduction });
    case 'ce_kdim': return (x) => crossEntropy(x, kdLabels, { weight: f64([1, 3, 0.5]), labelSmoothing: 0.05, reduction });
    case 'nll': return (x) => nllLoss(x, fx.nll_labels, { weight: w, ignoreIndex: 2, reduction });
    case 'bce': return (x, y) => bce(x, y, { weight: f64([2]), reduction });
    case 'bce_edges': return (x) => bce(x, f64([0, 1, 0, 0.5, 1, 0, 1, 0.25]), { reduction });
    case 'bcelogits': return (x, y) => bceWithLogits(x.reshape([2, 4]), y.reshape([2, 4]), { weight: f64([1, 2, 0.5, 1]), posWeight: f64([3, 1, 0.5, 2]), reduction });
    case 'l1': return (x, y) => l1Loss(x, y, { reduction });
    case 'smoothl1': return (x, y) => smoothL1Loss(x, y, { beta: 0.5, reduction });
    case 'smoothl1_beta0': return (x, y) => smoothL1Loss(x, y, { beta: 0 });
    case 'huber': return (x, y) => huberLoss(x, y, { delta: 0.5, reduction });
    case 'kl': return (x, y) => klDiv(x, y, { reduction });
    case 'kl_log': return (x, y) => klDiv(x, y, { reduction, logTarget: true });
    case 'kl_batchmean': return (x, y) => klDiv(x, y, { reduction: 'batchmean' });
    default: {
      const make = layers[name];
      if (!make) throw new Error(`no function for fixture case ${name}`);
      const m = make();
      return (x) => m.call(x);
    }
  }
}

describe(`activations, losses and norm layers against PyTorch ${fx.torch}`, () => {
  const cases = fx.cases.filter((c) => c.inputs !== undefined && c.name !== 'instancenorm_eval');
  it('covers every op of the fixture script', () => expect(cases.length).toBeGreaterThan(50));
  it.each(cases.map((c) => [c.name, c] as const))('%s: output and input gradients', (_, c) => {
    const xs = c.inputs.map((a) => tensor(a.data, a.shape, { dtype: 'float64', requiresGrad: true }));
    const out = fn(c.name)(...xs);
    expect(out.shape).toEqual(c.out.shape);
    expectClose(out.data, c.out.data, 1e-10, `${c.name} output`);
    const v = f64(Array.from({ length: out.size }, (_, i) => (out.size === 1 ? 0.5 : 0.5 + i / (out.size - 1))), [...out.shape]);
    sum(mul(out, v)).backward();
    c.grads.forEach((g, i) => {
      // null: PyTorch's NaN (kl_div's target gradient at t = 0, where ours is the finite −x; see klDiv)
      const keep = g ? g.map((e, j) => (e === null ? -1 : j)).filter((j) => j >= 0) : [];
      if (g) expectClose(keep.map((j) => xs[i].grad!.data[j]), keep.map((j) => g[j] as number), 1e-9, `${c.name} grad of input ${i}`);
    });
  });

  it('InstanceNorm2d running statistics and eval output', () => {
    const train = fx.cases.find((c) => c.name === 'instancenorm')!, ev = fx.cases.find((c) => c.name === 'instancenorm_eval')!;
    const m = layers.instancenorm() as InstanceNorm2d;
    const x = f64(train.inputs[0].data, train.inputs[0].shape);
    m.call(x);
    expectClose(m.runningMean!.data, train.running!.mean, 1e-12, 'running mean');
    expectClose(m.runningVar!.data, train.running!.var, 1e-12, 'running var');
    expectClose(m.eval().call(x).data, ev.out.data, 1e-10, 'eval output');
  });

  it('BatchNorm2d momentum null keeps the cumulative average of the batch statistics', () => {
    const c = fx.cases.find((k) => k.name === 'batchnorm_cumulative')!;
    const base = fx.cases.find((k) => k.name === 'instancenorm')!.inputs[0];
    const bn = new BatchNorm2d(4, { momentum: null, dtype: 'float64' });
    for (let k = 1; k <= 3; k++) bn.call(f64(base.data.map((v) => v * k), base.shape));
    expectClose(bn.runningMean!.data, c.running!.mean, 1e-12, 'running mean');
    expectClose(bn.runningVar!.data, c.running!.var, 1e-12, 'running var');
  });
});
