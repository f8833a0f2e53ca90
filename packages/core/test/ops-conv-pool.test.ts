// conv2dMaxPool2d (ops/conv-pool.ts): one node for [relu] maxPool2d(conv2d(x, w, b)). Against the three ops
// composed, on both backends (the wasm one fused in its memory): the same values and dX, dW bit for bit,
// db to float64 rounding; its rule against central differences (first and second order); the createGraph
// path against the one-pass backward; its one-pass kernel against the composed kernels with ±∞/NaN in δ;
// and its checks (the conv's and the pool's own messages).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  conv2d, conv2dMaxPool2d, getBackend, grad, maxPool2d, mul, relu, setBackend, sum, tensor, type DType, type Tensor,
} from '../src/index.ts';
import { scatterAddFlat } from '../src/kernels/indexing.ts';
import { maxPoolAdjointSums } from '../src/kernels/pool.ts';
import { stepScale } from '../src/kernels/unary.ts';
import { convPoolStats } from '../src/kernels/wasm/conv-pool.ts';
import { convCaseArb, gradcheck, gradgradcheck, makeTensor, type ConvCase } from '../src/testing/index.ts';
import { expectOpError } from './expect-op-error.ts';
import { checkProperty, convOptions, convTensors, expectClose, expectGradOk } from './helpers.ts';

const initialBackend = getBackend().name;
afterAll(() => setBackend(initialBackend));

interface Pool { kernel: [number, number]; stride: [number, number]; padding: [number, number]; ceilMode: boolean }
interface Case { conv: ConvCase; pool: Pool; relu: boolean; xGrad: boolean }

const outSize = (size: number, k: number, s: number, p: number, d: number) => Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;

/** A conv case, then a pool that fits its output (kernel ≤ 3, padding ≤ kernel / 2), with or without ReLU. */
const caseArb: fc.Arbitrary<Case> = fc.record({
  conv: convCaseArb({ maxOut: 4 }),
  k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  s: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  p: fc.tuple(fc.nat(1), fc.nat(1)),
  ceilMode: fc.boolean(),
  relu: fc.boolean(),
  xGrad: fc.boolean(),
}).map(({ conv, k, s, p, ceilMode, relu, xGrad }) => {
  const oh = outSize(conv.h, conv.kh, conv.stride[0], conv.padding[0], conv.dilation[0]);
  const ow = outSize(conv.w, conv.kw, conv.stride[1], conv.padding[1], conv.dilation[1]);
  const kernel: [number, number] = [Math.min(k[0], oh), Math.min(k[1], ow)];
  const padding: [number, number] = [Math.min(p[0], kernel[0] >> 1), Math.min(p[1], kernel[1] >> 1)];
  return { conv, pool: { kernel, stride: s, padding, ceilMode }, relu, xGrad };
});

const poolOptions = (p: Pool) => ({ stride: p.stride, padding: p.padding, ceilMode: p.ceilMode });
const fused = (c: Case) => (x: Tensor, w: Tensor, b?: Tensor) =>
  conv2dMaxPool2d(x, w, b ?? null, { conv: convOptions(c.conv), kernel: c.pool.kernel, pool: poolOptions(c.pool), relu: c.relu });
const composed = (c: Case) => (x: Tensor, w: Tensor, b?: Tensor) => {
  const y = maxPool2d(conv2d(x, w, b ?? null, convOptions(c.conv)), c.pool.kernel, poolOptions(c.pool));
  return c.relu ? relu(y) : y;
};

/** Output and the gradients of Σ y·r for x, w, b. */
function run(f: (x: Tensor, w: Tensor, b?: Tensor) => Tensor, c: Case, dtype: DType): { y: Tensor; grads: Tensor[] } {
  const { x, w, b } = convTensors(c.conv, dtype);
  x.requiresGrad = c.xGrad;
  const inputs = b ? [x, w, b] : [x, w];
  const y = f(...(inputs as [Tensor, Tensor, Tensor?]));
  sum(mul(y, makeTensor({ shape: [...y.shape], seed: c.conv.seed + 7 }, { dtype }))).backward();
  return { y, grads: inputs.map((t) => t.grad ?? tensor([])) };
}

describe('conv2dMaxPool2d', () => {
  for (const backend of ['js', 'wasm'] as const) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${backend}, ${dtype}: the composed ops' values and gradients (dX, dW bit for bit)`, () => {
        setBackend(backend);
        const calls = convPoolStats.calls;
        checkProperty(caseArb, (c) => {
          const want = run(composed(c), c, dtype), got = run(fused(c), c, dtype);
          expect(got.y.shape).toEqual(want.y.shape);
          expectClose(got.y.data, want.y.data, 0, 'output');
          expect(got.grads[0].size).toBe(c.xGrad ? c.conv.n * c.conv.cin * c.conv.h * c.conv.w : 0);
          expectClose(got.grads[0].data, want.grads[0].data, 0, 'dX');
          expectClose(got.grads[1].data, want.grads[1].data, 0, 'dW');
          // db: Σ δ before the scatter (float64, plane by plane) against the sum op over the scattered δ
          if (c.conv.bias) expectClose(got.grads[2].data, want.grads[2].data, dtype === 'float64' ? 1e-12 : 1e-6, 'db');
        }, 60);
        // float32 on wasm: the fused kernel call, the conv's output never leaving wasm memory
        if (backend === 'wasm' && dtype === 'float32') expect(convPoolStats.calls - calls).toBeGreaterThanOrEqual(60);
        else expect(convPoolStats.calls).toBe(calls);
      });
    }
  }

  it('wasm: dX and dW listed from the pooled gradient (δ never built) are the convs\' over δ, bit for bit', () => {
    setBackend('wasm');
    const stats = (getBackend() as unknown as { stats: { sparseWeightGradPooled: number; sparseInputGradPooled: number } }).stats;
    const [dw0, dx0] = [stats.sparseWeightGradPooled, stats.sparseInputGradPooled];
    // stride-1 convs under 2×2 pools (LeNet's first layer and smaller): the case that path takes
    const arb = fc.record({
      // 16 input channels: the sparse dX's cost rule wants its output channels (the conv's input's) to fill a vector block
      n: fc.integer({ min: 1, max: 8 }), cin: fc.constantFrom(1, 2, 16), cout: fc.integer({ min: 1, max: 6 }),
      k: fc.integer({ min: 1, max: 5 }), pad: fc.nat(2), out: fc.integer({ min: 2, max: 13 }), bias: fc.boolean(),
      relu: fc.boolean(), xGrad: fc.boolean(), seed: fc.nat(1000),
    }).map(({ n, cin, cout, k, pad, out, bias, relu: r, xGrad, seed }): Case => ({
      conv: { n, cin, cout, h: out + k - 1 - 2 * Math.min(pad, k - 1), w: out + k - 1 - 2 * Math.min(pad, k - 1), kh: k, kw: k, stride: [1, 1],
        padding: [Math.min(pad, k - 1), Math.min(pad, k - 1)], dilation: [1, 1], bias, seed },
      pool: { kernel: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false }, relu: r, xGrad,
    })).filter((c) => c.conv.h > 0);
    checkProperty(arb, (c) => {
      const want = run(composed(c), c, 'float32'), got = run(fused(c), c, 'float32');
      expectClose(got.y.data, want.y.data, 0, 'output');
      expectClose(got.grads[0].data, want.grads[0].data, 0, 'dX');
      expectClose(got.grads[1].data, want.grads[1].data, 0, 'dW');
      if (c.conv.bias) expectClose(got.grads[2].data, want.grads[2].data, 1e-6, 'db');
    }, 120);
    // (the cost rules send the smallest to the dense kernels, and then δ is built)
    expect(stats.sparseWeightGradPooled - dw0).toBeGreaterThanOrEqual(10);
    expect(stats.sparseInputGradPooled - dx0).toBeGreaterThanOrEqual(10);
  });

  it('wasm, first layer: ±∞ and NaN in the pooled gradient where ReLU masks it give the composed gradients', () => {
    setBackend('wasm');
    const stats = (getBackend() as unknown as { stats: { sparseWeightGradPooled: number } }).stats;
    const before = stats.sparseWeightGradPooled;
    const specials = [Infinity, -Infinity, NaN];
    checkProperty(fc.record({ n: fc.integer({ min: 1, max: 4 }), cout: fc.integer({ min: 1, max: 5 }), seed: fc.nat(1000) }), ({ n, cout, seed }) => {
      const c: Case = {
        conv: { n, cin: 1, cout, h: 12, w: 12, kh: 5, kw: 5, stride: [1, 1], padding: [0, 0], dilation: [1, 1], bias: true, seed },
        pool: { kernel: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false }, relu: true, xGrad: false,
      };
      const grads = (f: (x: Tensor, w: Tensor, b?: Tensor) => Tensor) => {
        const { x, w, b } = convTensors(c.conv, 'float32');
        x.requiresGrad = false;
        const y = f(x, w, b!);
        const g = makeTensor({ shape: [...y.shape], seed: seed + 3 }, { dtype: 'float32' });
        y.data.forEach((v, i) => { if (v <= 0) g.data[i] = specials[i % 3]; }); // where ReLU's gradient is 0
        y.backward(g);
        return [w.grad!.data, b!.grad!.data];
      };
      const [want, got] = [grads(composed(c)), grads(fused(c))];
      expectClose(got[0], want[0], 0, 'dW');
      expectClose(got[1], want[1], 1e-6, 'db');
      expect(got[1].every(Number.isFinite)).toBe(true);
    }, 30);
    expect(stats.sparseWeightGradPooled - before).toBeGreaterThanOrEqual(20);
  });

  it('wasm: LeNet-sized convs pooled image by image inside the conv\'s job (2 threads) give the composed values', () => {
    setBackend('wasm');
    const inJob = convPoolStats.inJob;
    // conv 1 and conv 2 of the MNIST example, and an odd conv output (its last row and column in no window)
    for (const [n, cin, hw, cout, relu] of [[64, 1, 28, 16, true], [64, 16, 12, 32, true], [24, 3, 27, 8, false]] as const) {
      const c: Case = {
        conv: { n, cin, cout, h: hw, w: hw, kh: 5, kw: 5, stride: [1, 1], padding: [0, 0], dilation: [1, 1], bias: true, seed: n + cin },
        pool: { kernel: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false }, relu, xGrad: cin > 1,
      };
      const want = run(composed(c), c, 'float32'), got = run(fused(c), c, 'float32');
      expectClose(got.y.data, want.y.data, 0, `output ${n}×${cin}×${hw}`);
      got.grads.slice(0, 2).forEach((g, i) => expectClose(g.data, want.grads[i].data, 0, `grad ${i}`));
    }
    expect(convPoolStats.inJob - inJob).toBe(3);
  });

  it('first and second derivatives against central differences (float64)', () => {
    setBackend(initialBackend);
    checkProperty(caseArb, (c) => {
      const { x, w, b } = convTensors(c.conv);
      const inputs = b ? [x, w, b] : [x, w];
      expectGradOk(gradcheck(fused(c), inputs));
      expectGradOk(gradgradcheck(fused(c), inputs));
    }, 25);
  });

  it('the createGraph backward (graph ops) gives the one-pass backward\'s gradients', () => {
    setBackend(initialBackend);
    checkProperty(caseArb, (c) => {
      const { x, w, b } = convTensors(c.conv);
      const inputs = b ? [x, w, b] : [x, w];
      const f = () => {
        const y = fused(c)(...(inputs as [Tensor, Tensor, Tensor?]));
        return sum(mul(y, makeTensor({ shape: [...y.shape], seed: c.conv.seed + 7 })));
      };
      const onePass = grad(f(), inputs);
      const graphed = grad(f(), inputs, { createGraph: true });
      onePass.forEach((g, i) => expectClose(graphed[i].data, g.data, 1e-12, `input ${i}`));
      expect(graphed[1].requiresGrad).toBe(true);
    }, 30);
  });

  it('one pass of the ReLU and pool backward = stepScale then scatterAddFlat, with ±∞ and NaN in δ', () => {
    const specials = [Infinity, -Infinity, NaN, 0, -0, 1.5, -2];
    checkProperty(fc.record({
      planes: fc.integer({ min: 1, max: 6 }), channels: fc.integer({ min: 1, max: 3 }), per: fc.integer({ min: 1, max: 5 }),
      seed: fc.nat(1000), relu: fc.boolean(),
    }), ({ planes, channels, per, seed, relu: withRelu }) => {
      const n = planes * channels * per;
      const pick = (i: number, k: number) => specials[(i * 7 + seed * k) % specials.length];
      const dy = Float32Array.from({ length: n }, (_, i) => pick(i, 3)), y = Float32Array.from({ length: n }, (_, i) => pick(i, 5));
      const argmax = Int32Array.from({ length: n }, (_, i) => 2 * i + ((i + seed) % 2)); // one per window of 2, planes apart
      const dz = new Float32Array(2 * n), sums = new Float64Array(channels);
      maxPoolAdjointSums(dy, withRelu ? y : null, argmax, per, dz, sums);
      const d = new Float32Array(n);
      if (withRelu) stepScale(dy, y, 0, d);
      else d.set(dy);
      const want = new Float32Array(2 * n);
      scatterAddFlat(d, argmax, want);
      expect(Array.from(dz)).toEqual(Array.from(want));
      const wantSums = new Float64Array(channels);
      d.forEach((v, i) => { wantSums[Math.floor(i / per) % channels] += v; });
      expectClose(sums, wantSums, 1e-12, 'sums');
    });
  });

  it('refuses bad options and bad operands with the conv\'s and the pool\'s messages', () => {
    const x = tensor(new Array(32).fill(1), [1, 2, 4, 4]), w = tensor(new Array(18).fill(1), [1, 2, 3, 3]);
    expectOpError('conv2dMaxPool2d', () => conv2dMaxPool2d(x, w, null, { kernel: 2, stride: 2 } as never), 'stride');
    expectOpError('conv2dMaxPool2d', () => conv2dMaxPool2d(x, w, null, { kernel: 2, relu: 1 as never }), 'relu must be a boolean, got 1');
    expectOpError('conv2dMaxPool2d', () => conv2dMaxPool2d(x, w, null, undefined as never), 'options must be an object');
    expectOpError('conv2d', () => conv2dMaxPool2d(x, tensor(new Array(27).fill(1), [1, 3, 3, 3]), null, { kernel: 2 }),
      'channel mismatch: input has 2 channels but weight expects 3');
    expectOpError('conv2d', () => conv2dMaxPool2d(x, w, null, { kernel: 2, conv: { padding: -1 } }), 'padding');
    expectOpError('maxPool2d', () => conv2dMaxPool2d(x, w, null, { kernel: 3 }), 'kernel [3, 3] is larger than the padded input 2×2');
    expectOpError('maxPool2d', () => conv2dMaxPool2d(x, w, null, { kernel: 2, pool: { countIncludePad: true } as never }), 'countIncludePad');
    expectOpError('maxPool2d', () => conv2dMaxPool2d(x, w, null, {} as never), 'kernel size is required');
  });
});
