// Property: any small Sequential of layers (random stacks, channels, kernels, strides, paddings,
// dilations), exported by convgrad, gives onnxruntime-node's outputs equal to convgrad's for batch sizes
// 1 and 7 — and importOnnx of the same bytes gives them too.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  exp, logSoftmax, mul, noGrad, pad2d, permute, pow, rand, randn, reshape, softmax, sqrt, sub, Tensor, add, div, neg, mean, sum, log,
} from '@convgrad/core';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, LeakyReLU, Linear, MaxPool2d, Module, ReLU, Sequential, Sigmoid, Tanh,
} from '@convgrad/layers';
import { exportOnnx, importOnnx } from '../src/index.ts';
import { expectClose, ortRun } from './helpers.ts';

/** A layer made of one function of ops (the ops that no layer of @convgrad/layers uses alone). */
class Fn extends Module {
  constructor(readonly name: string, private readonly fn: (x: Tensor) => Tensor) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

const FUNCTIONS: Record<string, (x: Tensor) => Tensor> = {
  softmax: (x) => softmax(x, 1),
  logSoftmax: (x) => logSoftmax(x, 1),
  square: (x) => pow(x, 2),
  smoothAbs: (x) => sqrt(add(mul(x, x), 1)),
  gauss: (x) => exp(neg(mul(x, x))),
  logistic: (x) => log(add(exp(x), 1)),
  scaleShift: (x) => div(sub(x, 0.25), 1.5),
  transposeHW: (x) => permute(x, x.rank === 4 ? [0, 1, 3, 2] : [0, 1]),
  pad: (x) => (x.rank === 4 ? pad2d(x, [1, 0, 2, 1]) : x),
  centerChannels: (x) => sub(x, mean(x, [1], true)),
  sumKeep: (x) => add(x, sum(x, [x.rank - 1], true)),
  reshapeRows: (x) => (x.rank === 4 ? reshape(x, [x.shape[0], x.shape[1], x.shape[2] * x.shape[3], 1]) : x),
};

type LayerSpec =
  | { kind: 'conv'; out: number; k: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number]; bias: boolean; seed: number }
  | { kind: 'maxpool' | 'avgpool'; k: number; stride: number; padding: number }
  | { kind: 'relu' | 'sigmoid' | 'tanh' | 'dropout' | 'bn' | 'bnBatchStats' }
  | { kind: 'leaky'; slope: number }
  | { kind: 'fn'; name: string };

const layerArb: fc.Arbitrary<LayerSpec> = fc.oneof(
  fc.record({
    kind: fc.constant('conv' as const), out: fc.integer({ min: 1, max: 4 }),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    bias: fc.boolean(), seed: fc.nat(1000),
  }),
  fc.record({ kind: fc.constantFrom('maxpool' as const, 'avgpool' as const), k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), padding: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constantFrom('relu' as const, 'sigmoid' as const, 'tanh' as const, 'dropout' as const, 'bn' as const, 'bnBatchStats' as const) }),
  fc.record({ kind: fc.constant('leaky' as const), slope: fc.double({ min: 0.01, max: 0.5, noNaN: true }) }),
  fc.record({ kind: fc.constant('fn' as const), name: fc.constantFrom(...Object.keys(FUNCTIONS)) }),
);

const modelArb = fc.record({
  c: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 4, max: 10 }),
  w: fc.integer({ min: 4, max: 10 }),
  layers: fc.array(layerArb, { minLength: 1, maxLength: 6 }),
  head: fc.constantFrom('none', 'flatten', 'linear', 'linear-bn'),
  seed: fc.nat(10_000),
});

/** Random running statistics, so that BatchNorm's eval mode is not the identity. */
function randomizeStats(m: BatchNorm1d | BatchNorm2d, seed: number): void {
  const c = m.numFeatures;
  m.runningMean!.data.set(randn([c], { seed }).data);
  m.runningVar!.data.set(rand([c], { seed: seed + 1, low: 0.5, high: 2 }).data);
  m.weight!.data.set(randn([c], { seed: seed + 2 }).data);
  m.bias!.data.set(randn([c], { seed: seed + 3 }).data);
}

/** The layers that fit the running shape (a window larger than its padded input is skipped). */
type ModelSpec = typeof modelArb extends fc.Arbitrary<infer T> ? T : never;

function build(spec: ModelSpec): { model: Sequential; names: string[] } {
  let [c, h, w] = [spec.c, spec.h, spec.w];
  const layers: Module[] = [];
  const names: string[] = [];
  spec.layers.forEach((l, i) => {
    if (l.kind === 'conv') {
      const [sh, sw] = l.stride, [ph, pw] = l.padding, [dh, dw] = l.dilation;
      const ekh = dh * (l.k[0] - 1) + 1, ekw = dw * (l.k[1] - 1) + 1;
      if (ekh > h + 2 * ph || ekw > w + 2 * pw) return;
      layers.push(new Conv2d(c, l.out, l.k, { stride: l.stride, padding: l.padding, dilation: l.dilation, bias: l.bias, seed: l.seed }));
      [c, h, w] = [l.out, Math.floor((h + 2 * ph - ekh) / sh) + 1, Math.floor((w + 2 * pw - ekw) / sw) + 1];
    } else if (l.kind === 'maxpool' || l.kind === 'avgpool') {
      const p = Math.min(l.padding, Math.floor(l.k / 2));
      if (l.k > h + 2 * p || l.k > w + 2 * p) return;
      layers.push(l.kind === 'maxpool' ? new MaxPool2d(l.k, { stride: l.stride, padding: p }) : new AvgPool2d(l.k, { stride: l.stride, padding: p }));
      [h, w] = [Math.floor((h + 2 * p - l.k) / l.stride) + 1, Math.floor((w + 2 * p - l.k) / l.stride) + 1];
    } else if (l.kind === 'bn') {
      const bn = new BatchNorm2d(c);
      randomizeStats(bn, spec.seed + i);
      layers.push(bn);
    } else if (l.kind === 'bnBatchStats') {
      layers.push(new BatchNorm2d(c, { trackRunningStats: false })); // eval uses the batch statistics: written op by op
    } else if (l.kind === 'fn') {
      layers.push(new Fn(l.name, FUNCTIONS[l.name]));
      if (l.name === 'pad') [h, w] = [h + 1, w + 3];
      if (l.name === 'transposeHW') [h, w] = [w, h];
      if (l.name === 'reshapeRows') [h, w] = [h * w, 1];
    } else if (l.kind === 'leaky') {
      layers.push(new LeakyReLU(l.slope));
    } else {
      layers.push(l.kind === 'relu' ? new ReLU() : l.kind === 'sigmoid' ? new Sigmoid() : l.kind === 'tanh' ? new Tanh() : new Dropout(0.3));
    }
    names.push(l.kind === 'fn' ? l.name : l.kind);
  });
  if (spec.head !== 'none') {
    layers.push(new Flatten());
    if (spec.head !== 'flatten') {
      layers.push(new Linear(c * h * w, 5, { seed: spec.seed, bias: spec.head === 'linear' }));
      if (spec.head === 'linear-bn') {
        const bn = new BatchNorm1d(5);
        randomizeStats(bn, spec.seed + 99);
        layers.push(bn, new Sigmoid());
      }
    }
    names.push(spec.head);
  }
  return { model: new Sequential(...layers), names };
}

describe('random Sequential models', () => {
  it('exported: onnxruntime-node equals convgrad (batch 1 and 7); imported back: the same outputs', async () => {
    const seen = new Set<string>();
    await fc.assert(fc.asyncProperty(modelArb, async (spec) => {
      const { model, names } = build(spec);
      names.forEach((k) => seen.add(k in FUNCTIONS ? 'fn' : k));
      const example = randn([2, spec.c, spec.h, spec.w], { seed: spec.seed });
      const bytes = exportOnnx(model, example);
      expect(model.training).toBe(true); // the export traced eval mode and restored the mode
      const back = importOnnx(bytes);
      model.eval();
      for (const n of [1, 7]) {
        const x = randn([n, spec.c, spec.h, spec.w], { seed: spec.seed + n });
        const ours = noGrad(() => model.call(x));
        expectClose(await ortRun(bytes, x), ours, 1e-5, `onnxruntime, batch ${n}, layers ${names.join(' → ')}`);
        expectClose(noGrad(() => back.call(x)), ours, 1e-5, `importOnnx, batch ${n}, layers ${names.join(' → ')}`);
      }
    }), { numRuns: 40 });
    // every layer kind and every head was in some model (each function is also checked alone below)
    const kinds = ['conv', 'maxpool', 'avgpool', 'relu', 'sigmoid', 'tanh', 'dropout', 'bn', 'bnBatchStats', 'leaky', 'flatten', 'linear', 'linear-bn', 'fn'];
    expect(kinds.filter((k) => !seen.has(k))).toEqual([]);
  });

  for (const name of Object.keys(FUNCTIONS)) {
    it(`conv → ${name} → ReLU, batch 1 and 7`, async () => {
      const model = new Sequential(new Conv2d(2, 3, 3, { seed: 1, padding: 1 }), new Fn(name, FUNCTIONS[name]), new ReLU());
      const bytes = exportOnnx(model, randn([2, 2, 5, 6], { seed: 2 }));
      for (const n of [1, 7]) {
        const x = randn([n, 2, 5, 6], { seed: 3 + n });
        expectClose(await ortRun(bytes, x), noGrad(() => model.call(x)), 1e-5, `${name}, batch ${n}`);
      }
    });
  }
});
