// Boundary inputs for every op: zeros, ±0, negatives where legal, ties, tiny and huge values, drawn into
// the tensors of each op's property (makeEdgeTensor) rather than hoping N(0, 1) draws them.
//  - smooth ops: first (and second) derivatives against central differences with those values inside;
//  - kinks (relu, leakyRelu, maxPool2d): PyTorch's subgradients at 0 and on ties, by an independent rule;
//  - saturating ops (sigmoid, tanh, exp, log, softmax, cross-entropy) at ±1e300, ±1e-300, ±0: PyTorch's
//    values, and gradients that are finite where PyTorch's are.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, avgPool2d, broadcastTo, conv2d, dilate2d, div, dropout, exp, leakyRelu, log, logSoftmax, matmul, maxPool2d, mean, mseLoss,
  mul, neg, pad, pad2d, permute, relu, reshape, rot180, subsample2d, transpose, sigmoid, slice, softmax, softmaxCrossEntropy, sqrt, sub, sum, tanh, tensor,
  Tensor,
} from '../src/index.ts';
import { gradcheck, gradgradcheck, makeEdgeTensor, type TensorSpec } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

/** Values a property should meet: zeros of both signs, ties (repeated 1 and −2), tiny and large-but-finite-differentiable. */
const EDGES = [0, -0, 0, 1, 1, -2, -2, 1e-9, -1e-9, 250, -250];
const POSITIVE = [1e-2, 1, 1, 3, 1e4];           // log, sqrt: inside the domain, ties included
const DIVISORS = [0.5, -0.5, 2, 2, -3, 1e3];      // away from the pole at 0
const SATURATING = [0, -0, 0, 1e-9, -1e-9, 1, 1, -1, 12, -12];

interface SmoothCase {
  /** Shapes of the inputs (the op's own layout). */
  shapes: number[][];
  /** Edge values per input. */
  edges: readonly (readonly number[])[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Check second derivatives too. */
  second?: boolean;
  /** Share of elements replaced by edge values (1 for ops defined on part of the line only). */
  fraction?: number;
}

const same = (s: number[]) => [s, s];
const smooth: Record<string, (s: number[]) => SmoothCase> = {
  add: (s) => ({ shapes: same(s), edges: [EDGES, EDGES], fn: add, second: true }),
  sub: (s) => ({ shapes: same(s), edges: [EDGES, EDGES], fn: sub, second: true }),
  mul: (s) => ({ shapes: same(s), edges: [EDGES, EDGES], fn: mul, second: true }),
  div: (s) => ({ shapes: same(s), edges: [EDGES, DIVISORS], fn: div, second: true }),
  neg: (s) => ({ shapes: [s], edges: [EDGES], fn: neg }),
  sum: (s) => ({ shapes: [s], edges: [EDGES], fn: (x) => sum(x, 0) }),
  mean: (s) => ({ shapes: [s], edges: [EDGES], fn: (x) => mean(x) }),
  matmul: (s) => ({ shapes: [[s[0], 3], [3, 2]], edges: [EDGES, EDGES], fn: matmul, second: true }),
  conv2d: (s) => ({ shapes: [[1, 2, s[0] + 2, 4], [2, 2, 3, 3], [2]], edges: [EDGES, EDGES, EDGES], fn: (x, w, b) => conv2d(x, w, b, { padding: 1, stride: [1, 2] }), second: true }),
  mseLoss: (s) => ({ shapes: same(s), edges: [EDGES, EDGES], fn: (p, t) => mseLoss(p, t), second: true }),
  sigmoid: (s) => ({ shapes: [s], edges: [SATURATING], fn: sigmoid, second: true }),
  tanh: (s) => ({ shapes: [s], edges: [SATURATING], fn: tanh, second: true }),
  exp: (s) => ({ shapes: [s], edges: [SATURATING], fn: exp, second: true }),
  log: (s) => ({ shapes: [s], edges: [POSITIVE], fn: log, second: true, fraction: 1 }),
  sqrt: (s) => ({ shapes: [s], edges: [POSITIVE], fn: sqrt, second: true, fraction: 1 }),
  softmax: (s) => ({ shapes: [s], edges: [SATURATING], fn: (x) => softmax(x), second: true }),
  logSoftmax: (s) => ({ shapes: [s], edges: [SATURATING], fn: (x) => logSoftmax(x), second: true }),
  softmaxCrossEntropy: (s) => ({ shapes: [[s[0], 3]], edges: [SATURATING], fn: (z) => softmaxCrossEntropy(z, Array.from({ length: s[0] }, (_, i) => i % 3)), second: true }),
  avgPool2d: (s) => ({ shapes: [[1, 1, s[0] + 1, 3]], edges: [EDGES], fn: (x) => avgPool2d(x, 2, { stride: 1, padding: 1 }) }),
  dropout: (s) => ({ shapes: [s], edges: [EDGES], fn: (x) => dropout(x, 0.5, { seed: 3 }) }),
  pad2d: (s) => ({ shapes: [[s[0], 2, 3]], edges: [EDGES], fn: (x) => pad2d(x, [1, 0, 2, 1]) }),
  dilate2d: (s) => ({ shapes: [[s[0], 2, 3]], edges: [EDGES], fn: (x) => dilate2d(x, [2, 3]) }),
  rot180: (s) => ({ shapes: [[s[0], 2, 3]], edges: [EDGES], fn: rot180 }),
  permute: (s) => ({ shapes: [[s[0], 2, 3]], edges: [EDGES], fn: (x) => permute(x, [2, 0, 1]) }),
  slice: (s) => ({ shapes: [[s[0], 4]], edges: [EDGES], fn: (x) => slice(x, [0, 1], [-1, 2]) }),
  pad: (s) => ({ shapes: [[s[0], 2]], edges: [EDGES], fn: (x) => pad(x, [[1, 0], [0, 2]]) }),
  subsample2d: (s) => ({ shapes: [[s[0], 3, 4]], edges: [EDGES], fn: (x) => subsample2d(x, [2, 3]) }),
  reshape: (s) => ({ shapes: [[s[0], 6]], edges: [EDGES], fn: (x) => reshape(x, [3, -1]) }),
  transpose: (s) => ({ shapes: [[s[0], 2, 3]], edges: [EDGES], fn: (x) => transpose(x, 0, -1) }),
  broadcastTo: (s) => ({ shapes: [[s[0], 1]], edges: [EDGES], fn: (x) => broadcastTo(x, [2, s[0], 3]) }),
};

const caseArb = fc.record({
  op: fc.constantFrom(...Object.keys(smooth)),
  shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

function inputs(c: SmoothCase, seed: number): Tensor[] {
  return c.shapes.map((shape, i) => makeEdgeTensor({ shape, seed: seed + 31 * i } as TensorSpec, c.edges[i], { fraction: c.fraction }));
}

describe('smooth ops at boundary values', () => {
  it('first derivatives match central differences with zeros, ±0, ties, tiny and large values inside', () => {
    checkProperty(caseArb, ({ op, shape, seed }) => {
      const c = smooth[op](shape);
      const xs = inputs(c, seed);
      const y = c.fn(...xs);
      expect(Array.from(y.data).every(Number.isFinite), `${op}: finite output`).toBe(true);
      expectGradOk(gradcheck(c.fn, xs, { atol: 1e-5, rtol: 1e-3 }));
    }, 150);
  });

  it('second derivatives too where the op is twice differentiable', () => {
    const twice = Object.keys(smooth).filter((k) => smooth[k]([1]).second);
    checkProperty(caseArb.filter((c) => twice.includes(c.op)), ({ op, shape, seed }) => {
      const c = smooth[op](shape);
      expectGradOk(gradgradcheck(c.fn, inputs(c, seed), { atol: 1e-5, rtol: 1e-3 }));
    }, 60);
  });

  it('mul and add keep the sign of zero as IEEE (and PyTorch): (−0)·2 = −0, −0 + −0 = −0', () => {
    const z = tensor([-0], undefined, { dtype: 'float64' });
    expect(Object.is(mul(z, 2).data[0], -0)).toBe(true);
    expect(Object.is(add(z, z).data[0], -0)).toBe(true);
    expect(Object.is(neg(tensor([0], undefined, { dtype: 'float64' })).data[0], -0)).toBe(true);
  });
});

/** Values with many exact ties and zeros of both signs: where the kinks are. */
const kinkSpec = fc.record({ shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), seed: fc.nat(1_000_000) });
const KINKS = [0, -0, 1, 1, -1, 2, 2, -1e-300, 1e-300];

describe('kinks: PyTorch subgradients at 0 and on ties', () => {
  it('relu and leakyRelu: gradient g·[x > 0] and g·(x > 0 ? 1 : slope), at ±0 too; relu(−0) is 0', () => {
    checkProperty(fc.tuple(kinkSpec, fc.constantFrom(0.01, 0.2, -0.5)), ([s, slope]) => {
      const x = makeEdgeTensor(s, KINKS, { fraction: 1 });
      const g = makeEdgeTensor({ shape: s.shape, seed: s.seed + 1 }, [], { requiresGrad: false });
      relu(x).backward(g);
      expect(Array.from(x.grad!.data)).toEqual(Array.from(x.data, (v, i) => (v > 0 ? g.data[i] : 0)));
      expect(Array.from(relu(x).data).every((v, i) => Object.is(v, x.data[i] > 0 ? x.data[i] : 0))).toBe(true);
      const x2 = new Tensor(x.data.slice(), x.shape, true);
      leakyRelu(x2, slope).backward(g);
      expect(Array.from(x2.grad!.data)).toEqual(Array.from(x.data, (v, i) => (v > 0 ? g.data[i] : slope * g.data[i])));
    });
  });

  it('maxPool2d on ties and ±0: the first maximum in row-major window order gets the gradient (overlaps add up)', () => {
    const arb = fc.record({ h: fc.integer({ min: 2, max: 5 }), w: fc.integer({ min: 2, max: 5 }), k: fc.integer({ min: 2, max: 3 }), s: fc.integer({ min: 1, max: 2 }), seed: fc.nat(1_000_000) })
      .filter(({ h, w, k }) => k <= h && k <= w);
    checkProperty(arb, ({ h, w, k, s, seed }) => {
      const x = makeEdgeTensor({ shape: [1, 1, h, w], seed }, [0, -0, 1, 1, -1], { fraction: 1 });
      const y = maxPool2d(x, k, { stride: s });
      const oh = Math.floor((h - k) / s) + 1, ow = Math.floor((w - k) / s) + 1;
      const want = new Array<number>(h * w).fill(0);
      const g = Array.from({ length: oh * ow }, (_, i) => i + 1);
      for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
        let at = oy * s * w + ox * s;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
          const j = (oy * s + a) * w + ox * s + b;
          if (x.data[j] > x.data[at]) at = j;
        }
        expect(Object.is(y.data[oy * ow + ox], x.data[at]), 'the first maximum, sign of zero included').toBe(true);
        want[at] += g[oy * ow + ox];
      }
      y.backward(tensor(g, [1, 1, oh, ow], { dtype: 'float64' }));
      expect(Array.from(x.grad!.data)).toEqual(want);
    });
  });
});

describe('saturating ops at ±1e300, ±1e-300 and ±0 (PyTorch float64 values; gradients finite where PyTorch\'s are)', () => {
  const X = [1e300, -1e300, 1e-300, -1e-300, 0, -0];
  const at = (fn: (x: Tensor) => Tensor) => {
    const x = tensor(X, undefined, { dtype: 'float64', requiresGrad: true });
    const y = fn(x);
    sum(y).backward();
    return { y: Array.from(y.data), g: Array.from(x.grad!.data) };
  };
  it('sigmoid, tanh, exp', () => {
    const s = at(sigmoid);
    expect(s.y).toEqual([1, 0, 0.5, 0.5, 0.5, 0.5]);
    expect(s.g).toEqual([0, 0, 0.25, 0.25, 0.25, 0.25]);
    const t = at(tanh);
    expect(t.y).toEqual([1, -1, 1e-300, -1e-300, 0, -0]);
    expect(t.g).toEqual([0, 0, 1, 1, 1, 1]);
    const e = at(exp);
    expect(e.y).toEqual([Infinity, 0, 1, 1, 1, 1]);
    expect(e.g).toEqual([Infinity, 0, 1, 1, 1, 1]);
  });
  it('log and sqrt at 0, the tiny and the huge values (NaN below 0, the poles at ±0 as PyTorch)', () => {
    // torch.log / torch.sqrt on the same float64 values, PyTorch 1.13
    const l = at(log);
    expectClose(l.y, [690.7755278982137, NaN, -690.7755278982137, NaN, -Infinity, -Infinity], 1e-15, 'log');
    expectClose(l.g, [1e-300, -1e-300, 9.999999999999999e299, -9.999999999999999e299, Infinity, -Infinity], 1e-15, 'd log');
    const r = at(sqrt);
    expectClose(r.y, [1e150, NaN, 1e-150, NaN, 0, -0], 1e-15, 'sqrt');
    expectClose(r.g, [5e-151, NaN, 5e149, NaN, Infinity, -Infinity], 1e-15, 'd sqrt');
  });
  it('softmax, logSoftmax and cross-entropy stay finite at ±1e300 logits and on ties', () => {
    const z = tensor([[1e300, -1e300, 0], [5, 5, 5], [-0, 0, -1e300]], undefined, { dtype: 'float64', requiresGrad: true });
    // torch.softmax / log_softmax / cross_entropy (mean) on the same float64 logits, PyTorch 1.13
    expectClose(softmax(z).data, [1, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0.5, 0.5, 0], 1e-15, 'softmax');
    expectClose(logSoftmax(z).data, [0, -2e300, -1e300, -Math.log(3), -Math.log(3), -Math.log(3), -Math.LN2, -Math.LN2, -1e300], 1e-15, 'logSoftmax');
    const loss = softmaxCrossEntropy(z, [0, 1, 2]);
    expectClose([loss.item()], [3.3333333333333335e299], 1e-15, 'cross-entropy');
    loss.backward();
    expectClose(z.grad!.data, [0, 0, 0, 1 / 9, -2 / 9, 1 / 9, 1 / 6, 1 / 6, -1 / 3], 1e-15, 'cross-entropy gradient');
  });
});
