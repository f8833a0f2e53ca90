// Layers: output shapes and parameter counts against hand computation, values against the core ops
// or hand loops, PyTorch's default init (bounds and statistics), bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avgPool2d, conv2d, leakyRelu, maxPool2d, randn, relu, sigmoid, tanh, type Tensor } from '@convgrad/core';
import {
  AvgPool2d, Conv2d, CrossEntropyLoss, Flatten, LeakyReLU, Linear, manualSeed, MaxPool2d, MSELoss, ReLU, Sequential, Sigmoid, Tanh,
} from '../src/index.ts';
import { checkProperty, expectClose } from './helpers.ts';

describe('shapes and parameter counts', () => {
  it('LeNet-like stack: 28×28 → conv5 → 24 → pool2 → 12 → conv5 → 8 → pool2 → 4 → 256 → 10', () => {
    const net = new Sequential(
      new Conv2d(1, 8, 5, { seed: 1 }), new ReLU(), new MaxPool2d(2),
      new Conv2d(8, 16, 5, { seed: 2 }), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Linear(16 * 4 * 4, 32, { seed: 3 }), new ReLU(), new Linear(32, 10, { seed: 4 }),
    );
    const shapes: number[][] = [];
    let y = randn([3, 1, 28, 28], { seed: 5 });
    for (let i = 0; i < net.length; i++) shapes.push([...(y = net.at(i).call(y)).shape]);
    expect(shapes).toEqual([
      [3, 8, 24, 24], [3, 8, 24, 24], [3, 8, 12, 12],
      [3, 16, 8, 8], [3, 16, 8, 8], [3, 16, 4, 4],
      [3, 256], [3, 32], [3, 32], [3, 10],
    ]);
    // 8·1·5·5 + 8, 16·8·5·5 + 16, 256·32 + 32, 32·10 + 10
    expect(net.numParameters()).toBe(208 + 3216 + 8224 + 330);
  });

  it('Conv2d: [Cout, Cin, KH, KW] weight, [Cout] bias, floor((H + 2P − D(K−1) − 1)/S) + 1 output', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 2 }), cin: fc.integer({ min: 1, max: 3 }), cout: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
      s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 2 }), d: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 5, max: 9 }), w: fc.integer({ min: 5, max: 9 }), bias: fc.boolean(),
    });
    checkProperty(arb, (c) => {
      const layer = new Conv2d(c.cin, c.cout, [c.kh, c.kw], { stride: c.s, padding: c.p, dilation: c.d, bias: c.bias, seed: 1, dtype: 'float64' });
      expect(layer.weight.shape).toEqual([c.cout, c.cin, c.kh, c.kw]);
      expect(layer.numParameters()).toBe(c.cout * c.cin * c.kh * c.kw + (c.bias ? c.cout : 0));
      const x = randn([c.n, c.cin, c.h, c.w], { seed: 2, dtype: 'float64' });
      const y = layer.call(x);
      const out = (size: number, k: number) => Math.floor((size + 2 * c.p - c.d * (k - 1) - 1) / c.s) + 1;
      const [oh, ow] = [out(c.h, c.kh), out(c.w, c.kw)];
      expect(y.shape).toEqual([c.n, c.cout, oh, ow]);
      // values: the direct sum y[n,o,i,j] = b[o] + Σ x[n,c,iS+aD−P, jS+bD−P]·W[o,c,a,b] (zero outside the input)
      const W = layer.weight.data, B = layer.bias?.data;
      const expected: number[] = [];
      for (let n = 0; n < c.n; n++) for (let o = 0; o < c.cout; o++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
        let sum = B ? B[o] : 0;
        for (let ci = 0; ci < c.cin; ci++) for (let a = 0; a < c.kh; a++) for (let bb = 0; bb < c.kw; bb++) {
          const r = i * c.s + a * c.d - c.p, q = j * c.s + bb * c.d - c.p;
          if (r >= 0 && r < c.h && q >= 0 && q < c.w) sum += x.data[((n * c.cin + ci) * c.h + r) * c.w + q] * W[((o * c.cin + ci) * c.kh + a) * c.kw + bb];
        }
        expected.push(sum);
      }
      expectClose(y.data, expected, 1e-12, 'Conv2d layer output');
    }, 25);
  });

  it('Conv2d forward is core conv2d with its weight, bias and settings', () => {
    const layer = new Conv2d(2, 3, 3, { stride: 2, padding: 1, seed: 7 });
    const x = randn([2, 2, 7, 6], { seed: 8 });
    expect(Array.from(layer.call(x).data)).toEqual(Array.from(conv2d(x, layer.weight, layer.bias, { stride: 2, padding: 1 }).data));
  });

  it('Linear computes x·Wᵀ + b over leading dims (checked with loops)', () => {
    const layer = new Linear(4, 3, { seed: 3, dtype: 'float64' });
    const x = randn([2, 5, 4], { seed: 4, dtype: 'float64' });
    const y = layer.call(x);
    expect(y.shape).toEqual([2, 5, 3]);
    const W = layer.weight.data, b = layer.bias!.data;
    const expected: number[] = [];
    for (let r = 0; r < 10; r++) {
      for (let o = 0; o < 3; o++) {
        let s = b[o];
        for (let i = 0; i < 4; i++) s += x.data[r * 4 + i] * W[o * 4 + i];
        expected.push(s);
      }
    }
    expectClose(y.data, expected, 1e-14, 'linear');
    expect(new Linear(4, 3, { bias: false }).numParameters()).toBe(12);
  });

  it('activation and pooling layers are the core ops', () => {
    const x = randn([2, 3, 6, 6], { seed: 9 });
    const pairs: [Tensor, Tensor][] = [
      [new ReLU().call(x), relu(x)],
      [new LeakyReLU(0.2).call(x), leakyRelu(x, 0.2)],
      [new Sigmoid().call(x), sigmoid(x)],
      [new Tanh().call(x), tanh(x)],
      [new MaxPool2d(3, { stride: 2, padding: 1 }).call(x), maxPool2d(x, 3, { stride: 2, padding: 1 })],
      [new AvgPool2d(2).call(x), avgPool2d(x, 2)],
    ];
    for (const [a, b] of pairs) {
      expect(a.shape).toEqual(b.shape);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    }
    expect(new MaxPool2d(2).call(x).shape).toEqual([2, 3, 3, 3]);
    expect(new AvgPool2d(3, { stride: 1 }).call(x).shape).toEqual([2, 3, 4, 4]);
  });

  it('pooling layers over rank-2 [H, W] and rank-3 [C, H, W] inputs: values against direct loops', () => {
    for (const shape of [[5, 6], [2, 5, 6]]) {
      const x = randn(shape, { seed: 4, dtype: 'float64' });
      const [h, w] = shape.slice(-2), planes = x.size / (h * w);
      for (const [Layer, reduce] of [[MaxPool2d, (v: number[]) => Math.max(...v)], [AvgPool2d, (v: number[]) => v.reduce((a, b) => a + b) / v.length]] as const) {
        // kernel 3, stride 2, padding 1: windows cut by the border; max ignores the padding, avg counts it as zeros (PyTorch's count_include_pad)
        const y = new Layer(3, { stride: 2, padding: 1 }).call(x);
        const oh = Math.floor((h + 2 - 3) / 2) + 1, ow = Math.floor((w + 2 - 3) / 2) + 1;
        expect(y.shape).toEqual([...shape.slice(0, -2), oh, ow]);
        const expected: number[] = [];
        for (let p = 0; p < planes; p++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
          const window: number[] = [];
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
            const r = 2 * i + a - 1, q = 2 * j + b - 1;
            if (r >= 0 && r < h && q >= 0 && q < w) window.push(x.data[(p * h + r) * w + q]);
            else if (Layer === AvgPool2d) window.push(0);
          }
          expected.push(reduce(window));
        }
        expectClose(y.data, expected, 1e-14, `${Layer.name} on [${shape}]`);
      }
    }
  });

  it('Flatten merges startDim..endDim', () => {
    const x = randn([2, 3, 4, 5], { seed: 1 });
    expect(new Flatten().call(x).shape).toEqual([2, 60]);
    expect(new Flatten(0, 1).call(x).shape).toEqual([6, 4, 5]);
    expect(new Flatten(2, -1).call(x).shape).toEqual([2, 3, 20]);
    expect(Array.from(new Flatten().call(x).data)).toEqual(Array.from(x.data));
    expect(() => new Flatten(3, 1).call(x)).toThrow(/^Flatten: dims 3\.\.1 are out of range for input \[2, 3, 4, 5\]/);
  });

  it('bad input gives an error naming the layer or op and the shapes', () => {
    expect(() => new Linear(4, 2).call(randn([3, 5]))).toThrow(/^Linear: input must be \[\.\.\., 4\], got \[3, 5\]/);
    expect(() => new Conv2d(3, 2, 3).call(randn([1, 2, 5, 5]))).toThrow(/^conv2d: channel mismatch.*\[1, 2, 5, 5\]/);
    expect(() => new Conv2d(0, 2, 3)).toThrow(/^Conv2d: inChannels must be a positive integer/);
  });
});

describe('PyTorch default init (kaiming_uniform with a = √5)', () => {
  it('weights and bias lie in [−1/√fan_in, 1/√fan_in] with the moments of that uniform', () => {
    const cases: [string, { weight: Tensor; bias: Tensor | null }, number][] = [
      ['Conv2d(16, 32, 3)', new Conv2d(16, 32, 3, { seed: 11 }), 16 * 9],
      ['Conv2d(3, 64, [5, 3])', new Conv2d(3, 64, [5, 3], { seed: 12 }), 3 * 15],
      ['Linear(200, 100)', new Linear(200, 100, { seed: 13 }), 200],
    ];
    for (const [name, layer, fanIn] of cases) {
      const bound = 1 / Math.sqrt(fanIn);
      const w = Array.from(layer.weight.data);
      expect(Math.max(...w.map(Math.abs)), name).toBeLessThanOrEqual(bound);
      expect(Math.max(...Array.from(layer.bias!.data, Math.abs)), name).toBeLessThanOrEqual(bound);
      const mean = w.reduce((s, v) => s + v, 0) / w.length;
      const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
      // U(−b, b): mean 0 (std of the mean b/√(3n)), variance b²/3; allow ~5 standard errors
      expect(Math.abs(mean), name).toBeLessThan(5 * bound / Math.sqrt(3 * w.length));
      expect(Math.abs(variance / (bound * bound / 3) - 1), name).toBeLessThan(5 * Math.sqrt(0.8 / w.length));
      // and not the chapter's slip √(2/n_in·n_out): the spread tracks 1/√fan_in only
      expect(Math.max(...w.map(Math.abs)), name).toBeGreaterThan(0.9 * bound);
    }
  });

  it('is reproducible from a seed, and successive layers on the default generator differ', () => {
    expect(Array.from(new Linear(5, 4, { seed: 3 }).weight.data)).toEqual(Array.from(new Linear(5, 4, { seed: 3 }).weight.data));
    manualSeed(42);
    const a = new Linear(5, 4), b = new Linear(5, 4);
    expect(Array.from(a.weight.data)).not.toEqual(Array.from(b.weight.data));
    manualSeed(42);
    expect(Array.from(new Linear(5, 4).weight.data)).toEqual(Array.from(a.weight.data));
  });
});

describe('losses', () => {
  it('CrossEntropyLoss is the mean of logsumexp(z) − z[label] (checked by hand)', () => {
    const z = randn([4, 3], { seed: 1, dtype: 'float64', std: 3 });
    const labels = [2, 0, 1, 2];
    const per = labels.map((y, i) => {
      const row = Array.from(z.data.slice(i * 3, i * 3 + 3));
      return Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[y];
    });
    expectClose([new CrossEntropyLoss().call(z, labels).item()], [per.reduce((a, b) => a + b) / 4], 1e-14, 'mean');
    expectClose([new CrossEntropyLoss('sum').call(z, Int32Array.from(labels)).item()], [per.reduce((a, b) => a + b)], 1e-14, 'sum');
    expectClose(new CrossEntropyLoss('none').call(z, labels).data, per, 1e-14, 'none');
    expect(() => new CrossEntropyLoss().call(z, [0, 1, 3, 0])).toThrow(/^crossEntropy: target 3 at position 2 is out of range/);
  });

  it('MSELoss is the mean (or sum) of squared differences', () => {
    const a = randn([2, 3], { seed: 2, dtype: 'float64' }), b = randn([2, 3], { seed: 3, dtype: 'float64' });
    const sq = Array.from(a.data, (v, i) => (v - b.data[i]) ** 2);
    expectClose([new MSELoss().call(a, b).item()], [sq.reduce((x, y) => x + y) / 6], 1e-14, 'mean');
    expectClose([new MSELoss('sum').call(a, b).item()], [sq.reduce((x, y) => x + y)], 1e-14, 'sum');
    expect(() => new MSELoss('avg' as never)).toThrow(/^MSELoss: reduction must be 'mean', 'sum' or 'none'/);
  });
});
