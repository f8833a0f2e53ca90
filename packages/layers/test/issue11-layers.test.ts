// LayerNorm, GroupNorm, InstanceNorm2d, BatchNorm momentum null, the activation layers, Dropout2d,
// Embedding, ModuleDict / ModuleList / Sequential.at<T>, and the loss modules: definitions, FD first
// and second derivatives (input and parameters) in float64, PyTorch defaults, and option checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossEntropy, elu, gelu, hardswish, randn, silu, softplus, sum, tensor, Tensor } from '@convgrad/core';
import { gradcheck, gradgradcheck, makeTensor } from '@convgrad/core/testing';
import {
  BatchNorm2d, BCELoss, Dropout, BCEWithLogitsLoss, Conv2d, CrossEntropyLoss, Dropout2d, ELU, Embedding, GELU, GroupNorm, Hardswish, HuberLoss, Identity,
  InstanceNorm2d, KLDivLoss, L1Loss, LayerNorm, Linear, Module, ModuleDict, ModuleList, MSELoss, NLLLoss, ReLU, Sequential, SiLU, SmoothL1Loss, Softplus,
} from '../src/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

/** Normalizes each consecutive block of `block` values of x (the definition, by loops). */
function blockNormalize(x: ArrayLike<number>, block: number, eps = 1e-5): number[] {
  const out: number[] = [];
  for (let s = 0; s < x.length; s += block) {
    const vs = Array.from(x).slice(s, s + block);
    const m = vs.reduce((a, b) => a + b, 0) / block;
    const v = vs.reduce((a, b) => a + (b - m) ** 2, 0) / block;
    out.push(...vs.map((e) => (e - m) / Math.sqrt(v + eps)));
  }
  return out;
}

/** fn(x, weight, bias) running the module with those tensors as its parameters (for gradcheck). */
function withParams(m: Module) {
  return (x: Tensor, w: Tensor, b: Tensor) => {
    Object.assign(m, { weight: w, bias: b });
    return m.call(x);
  };
}
const f64Params = (c: number[] | number, seed: number) => {
  const shape = typeof c === 'number' ? [c] : c;
  return [makeTensor({ shape, seed }, { scale: 0.5 }).add(1).detach(), makeTensor({ shape, seed: seed + 1 })];
};
const leaf = (t: Tensor) => new Tensor(t.data, t.shape, true);

describe('LayerNorm / GroupNorm / InstanceNorm2d', () => {
  const nchwArb = fc.record({ n: fc.integer({ min: 1, max: 3 }), g: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 3 }), w: fc.integer({ min: 2, max: 3 }), seed: fc.integer({ min: 0, max: 1e6 }) });

  it('LayerNorm normalizes over the last dims (biased variance, eps 1e-5) then γ, β; FD first and second order in x, γ, β', () => {
    checkProperty(nchwArb, ({ n, g, h, w, seed }) => {
      const x = makeTensor({ shape: [n, g, h, w], seed }, { scale: 3 });
      const m = new LayerNorm([h, w], { dtype: 'float64' });
      expectClose(m.call(x).data, blockNormalize(x.data, h * w), 1e-12, 'no-affine values');
      const [gamma, beta] = f64Params([h, w], seed + 7).map(leaf);
      const f = withParams(m);
      const ref = blockNormalize(x.data, h * w).map((v, i) => v * gamma.data[i % (h * w)] + beta.data[i % (h * w)]);
      expectClose(f(x, gamma, beta).data, ref, 1e-12, 'affine values');
      expectGradOk(gradcheck(f, [x, gamma, beta]));
      expectGradOk(gradgradcheck(f, [x, gamma, beta]));
    }, 15);
  });

  it('GroupNorm normalizes each sample’s group of C/G channels, then per-channel γ, β; FD first and second order', () => {
    checkProperty(nchwArb, ({ n, g, cg, h, w, seed }) => {
      const c = g * cg;
      const x = makeTensor({ shape: [n, c, h, w], seed }, { scale: 3 });
      const m = new GroupNorm(g, c, { dtype: 'float64' });
      const [gamma, beta] = f64Params(c, seed + 3).map(leaf);
      const f = withParams(m);
      const ref = blockNormalize(x.data, cg * h * w).map((v, i) => {
        const ch = Math.floor(i / (h * w)) % c;
        return v * gamma.data[ch] + beta.data[ch];
      });
      expectClose(f(x, gamma, beta).data, ref, 1e-12, 'values');
      expectGradOk(gradcheck(f, [x, gamma, beta]));
      expectGradOk(gradgradcheck(f, [x, gamma, beta]));
    }, 15);
  });

  it('InstanceNorm2d normalizes each (sample, channel) plane; PyTorch defaults: no γ/β, no running stats; FD', () => {
    const m = new InstanceNorm2d(3, { dtype: 'float64' });
    expect(m.parameters()).toEqual([]);
    expect(m.buffers()).toEqual([]);
    expect([m.eps, m.momentum, m.trackRunningStats]).toEqual([1e-5, 0.1, false]);
    checkProperty(nchwArb, ({ n, h, w, seed }) => {
      const x = makeTensor({ shape: [n, 3, h, w], seed }, { scale: 3 });
      expectClose(m.call(x).data, blockNormalize(x.data, h * w), 1e-12, 'values');
      expectClose(m.eval().call(x).data, blockNormalize(x.data, h * w), 1e-12, 'eval without running stats uses the input statistics');
      m.train();
      expectGradOk(gradcheck((t) => m.call(t), [x]));
      expectGradOk(gradgradcheck((t) => m.call(t), [x]));
      const affine = new InstanceNorm2d(3, { affine: true, dtype: 'float64' });
      const [gamma, beta] = f64Params(3, seed).map(leaf);
      expectGradOk(gradcheck(withParams(affine), [x, gamma, beta]));
    }, 10);
    const u = randn([3, 2, 2], { dtype: 'float64', seed: 4 });
    expectClose(m.call(u).data, blockNormalize(u.data, 4), 1e-12, 'unbatched [C, H, W]');
  });

  it('defaults and checks', () => {
    const ln = new LayerNorm(4);
    expect([ln.eps, ln.weight!.shape, ln.bias!.shape]).toEqual([1e-5, [4], [4]]);
    expect(new LayerNorm(4, { elementwiseAffine: false }).parameters()).toEqual([]);
    expect(new GroupNorm(2, 4).namedParameters().map(([k]) => k)).toEqual(['weight', 'bias']);
    expect(() => new LayerNorm([3, 3]).call(randn([2, 3, 4]))).toThrow(/^LayerNorm: input \[2, 3, 4\] must end in normalizedShape \[3, 3\]/);
    expect(() => new LayerNorm(4, { bias: false } as never)).toThrow(/^LayerNorm: unknown option 'bias'/);
    expect(() => new LayerNorm(4, { eps: 0 })).toThrow(/^LayerNorm: eps must be a positive number, got 0/);
    expect(() => new GroupNorm(3, 4)).toThrow(/^GroupNorm: numChannels 4 must be divisible by numGroups 3/);
    expect(() => new GroupNorm(2, 4).call(randn([2, 3, 2]))).toThrow(/^GroupNorm: input must be \[N, C, …\] with C = 4, got \[2, 3, 2\]/);
    expect(() => new InstanceNorm2d(3, { momentum: 2 })).toThrow(/^InstanceNorm2d: momentum must be a number in \[0, 1\] or null/);
    expect(() => new InstanceNorm2d(3, { device: 'cpu' } as never)).toThrow(/^InstanceNorm2d: unknown option 'device'/);
    expect(() => new InstanceNorm2d(3).call(randn([2, 4, 2, 2]))).toThrow(/^InstanceNorm2d: input must be \[N, C, H, W\] or \[C, H, W\] with C = 3/);
  });
});

describe('BatchNorm options', () => {
  it('momentum null keeps the plain average of every batch statistic (PyTorch momentum=None)', () => {
    const bn = new BatchNorm2d(2, { momentum: null, dtype: 'float64' });
    const means: number[][] = [];
    for (let k = 0; k < 4; k++) {
      const x = randn([3, 2, 2, 2], { seed: k, dtype: 'float64', mean: k });
      means.push([0, 1].map((c) => {
        let s = 0;
        for (let i = 0; i < x.size; i++) if (Math.floor(i / 4) % 2 === c) s += x.data[i];
        return s / 12;
      }));
      bn.call(x);
    }
    expect(bn.numBatchesTracked).toBe(4);
    expectClose(bn.runningMean!.data, [0, 1].map((c) => means.reduce((a, m) => a + m[c], 0) / 4), 1e-12, 'cumulative mean');
  });
  it('refuses unknown keys and a momentum that is not a number in [0, 1] or null', () => {
    expect(() => new BatchNorm2d(2, { momentum: undefined })).not.toThrow();
    expect(() => new BatchNorm2d(2, { momentum: 'none' as never })).toThrow(/^BatchNorm2d: momentum must be a number in \[0, 1\] or null \(cumulative average\), got 'none'/);
    expect(() => new BatchNorm2d(2, { track_running_stats: false } as never)).toThrow(/^BatchNorm2d: unknown option 'track_running_stats'/);
  });
});

describe('activation layers', () => {
  const x = randn([2, 5], { seed: 3, dtype: 'float64', std: 3 });
  it('are the core ops with the layer’s settings', () => {
    const pairs: [Module, Tensor][] = [
      [new GELU(), gelu(x)], [new GELU('tanh'), gelu(x, { approximate: 'tanh' })], [new GELU({ approximate: 'tanh' }), gelu(x, { approximate: 'tanh' })],
      [new SiLU(), silu(x)], [new ELU(0.5), elu(x, 0.5)], [new Softplus(2, 3), softplus(x, { beta: 2, threshold: 3 })], [new Hardswish(), hardswish(x)],
      [new Identity(), x],
    ];
    for (const [m, want] of pairs) expect(Array.from(m.call(x).data), m.toString()).toEqual(Array.from(want.data));
    expect(new Identity().call(x)).toBe(x);
  });
  it('check their arguments', () => {
    expect(() => new GELU('exact' as never)).toThrow(/^GELU: approximate must be 'none' or 'tanh', got 'exact'/);
    expect(() => new GELU({ approx: 'tanh' } as never)).toThrow(/^GELU: unknown option 'approx'/);
    expect(() => new Softplus(0)).toThrow(/^Softplus: beta must be a finite non-zero number, got 0/);
    expect(() => new ELU(Number.POSITIVE_INFINITY)).toThrow(/^ELU: alpha must be a finite number/);
  });
});

describe('Dropout2d', () => {
  it('zeroes whole channels (seeded), scales the rest by 1/(1 − p), gradient only through kept channels; identity in eval', () => {
    const x = randn([4, 8, 3, 3], { seed: 1, dtype: 'float64', requiresGrad: true });
    const d = new Dropout2d(0.25, { seed: 7 });
    const y = d.call(x);
    sum(y).backward();
    let dropped = 0;
    for (let ch = 0; ch < 32; ch++) {
      const ys = Array.from(y.data.slice(ch * 9, ch * 9 + 9)), xs = Array.from(x.data.slice(ch * 9, ch * 9 + 9));
      const gs = Array.from(x.grad!.data.slice(ch * 9, ch * 9 + 9));
      if (ys.every((v) => v === 0)) {
        dropped++;
        expect(gs.every((g) => g === 0)).toBe(true);
      } else {
        expectClose(ys, xs.map((v) => v / 0.75), 1e-15, 'kept channel');
        expectClose(gs, gs.map(() => 1 / 0.75), 1e-15, 'kept gradient');
      }
    }
    expect(dropped).toBeGreaterThan(2);
    expect(dropped).toBeLessThan(16);
    expect(Array.from(new Dropout2d(0.25, { seed: 7 }).call(x).data)).toEqual(Array.from(y.data)); // same seed, same mask
    expect(d.eval().call(x)).toBe(x);
    expect(() => new Dropout2d(1.5)).toThrow(/^Dropout2d: p must be a probability in \[0, 1\], got 1.5/);
    expect(() => new Dropout2d(0.5, { inplace: true } as never)).toThrow(/^Dropout2d: unknown option 'inplace'/);
    expect(() => new Dropout2d().call(randn([2, 3]))).toThrow(/^Dropout2d: input must be \[N, C, H, W\], got \[2, 3\]/);
  });
});

describe('Embedding', () => {
  it('looks rows up for indices of any shape; repeated indices accumulate gradient; paddingIdx row is zero and gets none', () => {
    const e = new Embedding(5, 3, { paddingIdx: -1, seed: 2, dtype: 'float64' });
    expect(e.paddingIdx).toBe(4);
    expect(Array.from(e.weight.data.slice(12))).toEqual([0, 0, 0]);
    const idx = tensor([[0, 4, 2], [0, 1, 4]]);
    const y = e.call(idx);
    expect(y.shape).toEqual([2, 3, 3]);
    expect(Array.from(y.data.slice(6, 9))).toEqual(Array.from(e.weight.data.slice(6, 9)));
    sum(y).backward();
    expect(Array.from(e.weight.grad!.data)).toEqual([2, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expectGradOk(gradcheck((w) => { Object.assign(e, { weight: w }); return e.call([3, 0, 3, 1]); }, [leaf(e.weight.detach())]));
    expect(() => e.call([5])).toThrow(/^indexSelect: index 5 at position 0 is out of range for a dimension of size 5/);
    expect(() => new Embedding(5, 3, { maxNorm: 1 } as never)).toThrow(/^Embedding: option 'maxNorm' is not implemented/);
    expect(() => new Embedding(5, 3, { paddingIdx: 5 })).toThrow(/^Embedding: paddingIdx must be an integer in \[-5, 5\), got 5/);
  });
});

describe('containers', () => {
  it('ModuleDict and ModuleList register children under their keys and positions', () => {
    const heads = new ModuleDict({ cls: new Linear(4, 2, { seed: 1 }), box: new Linear(4, 4, { seed: 2 }) });
    const blocks = new ModuleList([new Linear(2, 2, { seed: 3 }), new ReLU()]);
    class Net extends Module {
      heads = heads;
      blocks = blocks;
      forward(x: Tensor) { return x; }
    }
    expect(new Net().namedParameters().map(([k]) => k)).toEqual(['heads.cls.weight', 'heads.cls.bias', 'heads.box.weight', 'heads.box.bias', 'blocks.0.weight', 'blocks.0.bias']);
    expect(heads.keys()).toEqual(['cls', 'box']);
    expect(heads.get<Linear>('box').outFeatures).toBe(4);
    expect([...blocks].length).toBe(2);
    expect(blocks.at<Linear>(-2).inFeatures).toBe(2);
    expect(() => heads.get('seg')).toThrow(/^ModuleDict: no module under key 'seg' \(keys: cls, box\)/);
    expect(() => blocks.at(2)).toThrow(/^ModuleList\.at: index 2 out of range for 2 modules/);
    expect(() => (heads as Module<never[], never>).call()).toThrow(/^ModuleDict: a ModuleDict has no forward/);
  });
  it('Sequential.at<T>() is typed, and checked at run time when given the class', () => {
    const net = new Sequential(new Conv2d(1, 2, 3, { seed: 1 }), new ReLU());
    const conv: Conv2d = net.at<Conv2d>(0);
    expect(conv.weight.shape).toEqual([2, 1, 3, 3]);
    expect(net.at(0, Conv2d).outChannels).toBe(2);
    expect(() => net.at(1, Conv2d)).toThrow(/^Sequential.at: layer 1 is a ReLU, not a Conv2d/);
  });
});

describe('loss modules', () => {
  const logits = randn([4, 3], { seed: 5, dtype: 'float64' });
  it('pass their options to the functional forms; weight / pos_weight are buffers as in PyTorch', () => {
    const w = tensor([1, 2, 0.5], undefined, { dtype: 'float64' });
    const ce = new CrossEntropyLoss({ weight: w, labelSmoothing: 0.1, ignoreIndex: 2 });
    expect(ce.call(logits, [0, 2, 1, 1]).item()).toBe(crossEntropy(logits, [0, 2, 1, 1], { weight: w, labelSmoothing: 0.1, ignoreIndex: 2 }).item());
    expect([...ce.stateDict().keys()]).toEqual(['weight']);
    expect([...new BCEWithLogitsLoss({ posWeight: tensor([2, 1, 1]) }).stateDict().keys()]).toEqual(['pos_weight']);
    expect(new CrossEntropyLoss('sum').call(logits, [0, 1, 2, 0]).item()).toBeCloseTo(crossEntropy(logits, [0, 1, 2, 0], { reduction: 'sum' }).item(), 14);
    expect(new KLDivLoss({ reduction: 'batchmean', logTarget: true }).logTarget).toBe(true);
    expect(new SmoothL1Loss({ beta: 0.5 }).beta).toBe(0.5);
  });
  it.each([
    [() => new CrossEntropyLoss({ label_smoothing: 0.1 } as never), /^CrossEntropyLoss: unknown option 'label_smoothing'/],
    [() => new CrossEntropyLoss({ labelSmoothing: 2 }), /^CrossEntropyLoss: labelSmoothing must be in \[0, 1\], got 2/],
    [() => new CrossEntropyLoss({ ignoreIndex: 0.5 }), /^CrossEntropyLoss: ignoreIndex must be an integer, got 0.5/],
    [() => new CrossEntropyLoss({ sizeAverage: true } as never), /^CrossEntropyLoss: unknown option 'sizeAverage'/],
    [() => new NLLLoss({ labelSmoothing: 0.1 } as never), /^NLLLoss: unknown option 'labelSmoothing'/],
    [() => new BCELoss({ posWeight: tensor([1]) } as never), /^BCELoss: unknown option 'posWeight'/],
    [() => new BCEWithLogitsLoss({ reduction: 'batchmean' as never }), /^BCEWithLogitsLoss: reduction must be 'mean', 'sum' or 'none', got 'batchmean'/],
    [() => new L1Loss({ beta: 1 } as never), /^L1Loss: unknown option 'beta'/],
    [() => new MSELoss({ reduce: false } as never), /^MSELoss: unknown option 'reduce'/],
    [() => new SmoothL1Loss({ beta: -1 }), /^SmoothL1Loss: beta must be a finite number ≥ 0, got -1/],
    [() => new HuberLoss({ delta: 0 }), /^HuberLoss: delta must be a finite number > 0, got 0/],
    [() => new KLDivLoss({ log_target: true } as never), /^KLDivLoss: unknown option 'log_target'/],
  ])('refuses bad options %#', (f, re) => expect(f).toThrow(re));
});

describe('option objects of the older layers are checked too', () => {
  it.each([
    [() => new Linear(2, 3, { bias: false, device: 'cpu' } as never), /^Linear: unknown option 'device'/],
    [() => new Linear(2, 3, { init: 'xavier' } as never), /^Linear: unknown option 'init'/],
    [() => new (class extends Module { forward(x: Tensor) { return x; } })().loadStateDict(new Map(), { strict: false, assign: true } as never), /^loadStateDict: unknown option 'assign'/],
  ])('%#', (f, re) => expect(f).toThrow(re));
  it('Dropout refuses unknown keys', () => {
    expect(() => new Dropout(0.5, { inplace: true } as never)).toThrow(/^Dropout: unknown option 'inplace'/);
  });
});
