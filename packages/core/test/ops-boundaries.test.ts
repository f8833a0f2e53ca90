// Boundaries of ops that their own tests did not reach (mutation survivors of the ops group): the
// random stream dropout consumes, a reduction over no axis returning its own copy, the conv2d input
// gradient without a crop at padding K'−1, and the routing of plain 2×2 max pooling to the fast kernel.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { erf as erfExact, erfcFast } from '../src/kernels/erf.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { axisLayout } from '../src/ops/dim-args.ts';
import { poolingLimits, poolingStats } from '../src/kernels/wasm/pooling.ts';
import { checkProperty } from './helpers.ts';

const f64 = { dtype: 'float64' as const };

describe('dropout draws exactly one number per element from its generator', () => {
  it('two dropouts sharing an Rng mask as one dropout of the concatenation with a fresh Rng of that seed', () => {
    const arb = fc.record({ n1: fc.integer({ min: 1, max: 9 }), n2: fc.integer({ min: 1, max: 9 }), p: fc.double({ min: 0.1, max: 0.9, noNaN: true }), seed: fc.nat(1_000_000) });
    checkProperty(arb, ({ n1, n2, p, seed }) => {
      const rng = new C.Rng(seed);
      const a = C.dropout(C.ones([n1], f64), p, { rng }), b = C.dropout(C.ones([n2], f64), p, { rng });
      const both = C.dropout(C.ones([n1 + n2], f64), p, { rng: new C.Rng(seed) });
      expect([...a.data, ...b.data]).toEqual([...both.data]);
    });
  });
});

describe('reductions of a zero-dimensional input (PyTorch: dim 0 or −1, alone or in a list, reduces nothing)', () => {
  const reductions: [string, (t: C.Tensor, d: number | number[]) => C.Tensor][] = [
    ['sum', (t, d) => C.sum(t, d)], ['mean', (t, d) => C.mean(t, d)], ['amax', (t, d) => C.amax(t, d)], ['amin', (t, d) => C.amin(t, d)],
    ['norm', (t, d) => C.norm(t, 2, d)], ['logsumexp', (t, d) => C.logsumexp(t, d)], ['var', (t, d) => C.variance(t, d, { unbiased: false })],
  ];
  it.each(reductions)('%s over 0, −1, [0], [−1] and []', (_, f) => {
    for (const d of [0, -1, [0], [-1], []]) {
      const y = f(C.tensor(-3, f64), d);
      expect(y.shape).toEqual([]);
      expect(y.item()).toBe(_ === 'norm' ? 3 : _ === 'var' ? 0 : -3);
    }
  });
  it.each(reductions)('%s refuses a repeated dim ([0, −1]) and dim 1', (name, f) => {
    expect(() => f(C.tensor(2), [0, -1])).toThrow(`${name}: dim [0, -1] repeats the only dim of a zero-dimensional tensor`);
    expect(() => f(C.tensor(2), [0, 0])).toThrow(`${name}: dim [0, 0] repeats`);
    expect(() => f(C.tensor(2), [1])).toThrow(`${name}: dim 1 is out of range for a tensor of rank 0`);
    expect(() => f(C.tensor(2), 1)).toThrow(`${name}: dim 1 is out of range for a tensor of rank 0`);
  });
});

describe('amax / amin / max over no axis (a zero-dimensional input)', () => {
  it('return a new tensor: a later write into the input leaves the result alone', () => {
    for (const f of [(t: C.Tensor) => C.amax(t), (t: C.Tensor) => C.amin(t, [0]), (t: C.Tensor) => C.max(t)]) {
      const x = C.tensor(3, f64);
      const y = f(x);
      expect(y.data).not.toBe(x.data);
      x.data[0] = 7;
      expect(y.item()).toBe(3);
    }
  });
});

describe("conv2d's input gradient folds the crop into the padding", () => {
  // dX = conv2d(pad2d(δ', K'−1−P), rot180(Wᵀ)): nothing to crop while P ≤ K'−1 on both axes, so the
  // gradient is that conv2d itself; one axis with P > K'−1 needs a crop (a slice).
  const inputGradOp = (padding: [number, number]) => {
    const x = C.randn([1, 1, 5, 5], { seed: 1, ...f64, requiresGrad: true });
    const w = C.randn([1, 1, 3, 3], { seed: 2, ...f64 });
    const y = C.conv2d(x, w, null, { padding });
    const [gx] = C.grad(C.sum(C.mul(y, C.randn([...y.shape], { seed: 3, ...f64, requiresGrad: true }))), [x], { createGraph: true });
    return gx.gradFn?.op;
  };
  it.each([[[0, 2]], [[2, 0]], [[2, 2]], [[1, 0]]] as [[number, number]][])('padding %j (P = K\'−1 at most): no crop', (padding) => {
    expect(inputGradOp(padding)).toBe('conv2d');
  });
  it.each([[[0, 3]], [[3, 0]]] as [[number, number]][])('padding %j (P > K\'−1 on one axis): cropped', (padding) => {
    expect(inputGradOp(padding)).toBe('slice');
  });
});

describe.skipIf(!wasmBackend)('maxPool2d sends 2×2, stride-2, unpadded windows to the fast kernel', () => {
  const initialBackend = C.getBackend().name, initialMin = poolingLimits.min;
  afterEach(() => { C.setBackend(initialBackend); poolingLimits.min = initialMin; });
  const runs = (f: (x: C.Tensor) => C.Tensor, h: number, w: number) => {
    C.setBackend('wasm');
    poolingLimits.min = 0;
    const before = { fast: poolingStats.maxPool2x2, general: poolingStats.maxPool };
    f(C.randn([1, 2, h, w], { seed: 4 }));
    return { fast: poolingStats.maxPool2x2 - before.fast, general: poolingStats.maxPool - before.general };
  };
  it.each([[4, 4], [5, 7], [2, 6]])('%i×%i: the fast kernel', (h, w) => {
    expect(runs((x) => C.maxPool2d(x, 2), h, w)).toEqual({ fast: 1, general: 0 });
    expect(runs((x) => C.maxPool2d(x, [2, 2], { stride: 2, padding: 0, dilation: 1 }), h, w)).toEqual({ fast: 1, general: 0 });
  });
  it('even sizes in ceil mode too (no partial window)', () => {
    expect(runs((x) => C.maxPool2d(x, 2, { ceilMode: true }), 4, 6)).toEqual({ fast: 1, general: 0 });
  });
  it.each<[string, (x: C.Tensor) => C.Tensor]>([
    ['kernel [2, 3]', (x) => C.maxPool2d(x, [2, 3], { stride: 2 })], ['kernel [3, 2]', (x) => C.maxPool2d(x, [3, 2], { stride: 2 })],
    ['stride [1, 2]', (x) => C.maxPool2d(x, 2, { stride: [1, 2] })], ['stride [2, 1]', (x) => C.maxPool2d(x, 2, { stride: [2, 1] })],
    ['padding [1, 0]', (x) => C.maxPool2d(x, 2, { padding: [1, 0] })], ['padding [0, 1]', (x) => C.maxPool2d(x, 2, { padding: [0, 1] })],
    ['dilation [2, 1]', (x) => C.maxPool2d(x, 2, { dilation: [2, 1] })], ['dilation [1, 2]', (x) => C.maxPool2d(x, 2, { dilation: [1, 2] })],
  ])('%s: the general kernel', (_, f) => {
    expect(runs(f, 5, 5)).toEqual({ fast: 0, general: 1 });
    expect(runs(f, 6, 6).fast).toBe(0);
  });
  it('an odd size in ceil mode (a last window half outside): the general kernel', () => {
    expect(runs((x) => C.maxPool2d(x, 2, { ceilMode: true }), 5, 4)).toEqual({ fast: 0, general: 1 });
    expect(runs((x) => C.maxPool2d(x, 2, { ceilMode: true }), 4, 5)).toEqual({ fast: 0, general: 1 });
  });
});

describe('amax / amin with NaN: the NaN wins and the NaNs share the gradient (as torch.max() over all elements)', () => {
  it.each([['amax', C.amax], ['amin', C.amin]] as const)('%s', (_, f) => {
    const x = C.tensor([[1, NaN, 3, NaN], [5, 4, 5, 0]], { ...f64, requiresGrad: true });
    const y = f(x, 1);
    expect(y.data[0]).toBeNaN();
    C.sum(y).backward();
    const tie = _ === 'amax' ? [0.5, 0, 0.5, 0] : [0, 0, 0, 1];
    expect([...x.grad!.data]).toEqual([0, 0.5, 0, 0.5, ...tie]);
  });
});

describe('erf in float32 is the fast one-exp fit its doc names (float64: the ~1e-15 series)', () => {
  it('float32: 1 − erfcFast rounded to float32, within 1e-7 of the exact erf; float64: the exact erf', () => {
    // a grid with values where the two float32 roundings differ (−1.917, −1.747, …)
    const v = Float32Array.from({ length: 801 }, (_, i) => -4 + i * 0.01);
    const y32 = C.erf(C.tensor(v)).data, y64 = C.erf(C.tensor(Float64Array.from(v), f64)).data;
    let fitDiffers = 0;
    v.forEach((t, i) => {
      expect(y32[i]).toBe(Math.fround(1 - erfcFast(t)));
      expect(Math.abs(y32[i] - erfExact(t))).toBeLessThan(1e-7);
      expect(y64[i]).toBe(erfExact(t));
      if (Math.fround(erfExact(t)) !== y32[i]) fitDiffers++;
    });
    expect(fitDiffers).toBeGreaterThan(0); // the grid tells the fit from the exact erf rounded
  });
});

describe('hardswish = x·relu6(x + 3)/6 as PyTorch 1.13 computes it', () => {
  it('float64 values at and around the kinks, the sign of zero and the rounding above 3 included', () => {
    const x = [-5, -3, -2.9, -0, 0, 1, 2.9, 3, 3.38, 5.970000000000001];
    // torch.nn.functional.hardswish(torch.tensor(x, dtype=torch.float64)), PyTorch 1.13.1
    const torch = [-0, -0, -0.048333333333333374, -0, 0, 0.6666666666666666, 2.8516666666666666, 3, 3.3800000000000003, 5.9700000000000015];
    expect([...C.hardswish(C.tensor(x, f64)).data]).toEqual(torch);
  });
});

describe("interpolate 'nearest' takes PyTorch's shortcuts by size, whatever the scale factor", () => {
  // PyTorch 1.13 nearest_idx: identity when the size is unchanged, dst >> 1 when it doubles; the
  // general ⌊dst/scaleFactor⌋ would give [0, 0, 1] and [0, 0, 0, 1, 1, 2] here
  it.each([[1.2, [0, 1, 2]], [2.1, [0, 0, 1, 1, 2, 2]], [2, [0, 0, 1, 1, 2, 2]], [0.9, [0, 1]]] as [number, number[]][])('scaleFactor %d on 3 → %j', (sf, want) => {
    const row = C.tensor([0, 1, 2], [1, 1, 1, 3]), col = C.tensor([0, 1, 2], [1, 1, 3, 1]);
    expect([...C.interpolate(row, { scaleFactor: [1, sf] }).data]).toEqual(want);
    expect([...C.interpolate(col, { scaleFactor: [sf, 1] }).data]).toEqual(want);
  });
});

describe('shapes at the edges that PyTorch accepts', () => {
  it('indexSelect of a zero-dimensional input with one index is that input', () => {
    const y = C.indexSelect(C.tensor(5, f64), 0, [0]);
    expect([y.shape, y.item()]).toEqual([[], 5]);
  });
  it('adaptive pooling with null keeps that input size (PyTorch\'s None)', () => {
    const x = C.randn([1, 1, 4, 4], { seed: 1 });
    expect(C.adaptiveAvgPool2d(x, [2, null]).shape).toEqual([1, 1, 2, 4]);
    expect(C.adaptiveMaxPool2d(x, [null, 3]).shape).toEqual([1, 1, 4, 3]);
  });
});

describe('a call that changes nothing returns its input itself (no copy, no graph node)', () => {
  const x = () => C.randn([1, 2, 3, 4], { seed: 5, requiresGrad: true });
  it.each<[string, (t: C.Tensor) => C.Tensor]>([
    ['reshape to its own shape', (t) => C.reshape(t, [1, 2, 3, 4])], ['reshape with −1 to its own shape', (t) => C.reshape(t, [1, 2, 3, -1])],
    ['permute by the identity', (t) => C.permute(t, [0, 1, 2, 3])], ['broadcastTo its own shape', (t) => C.broadcastTo(t, [1, 2, 3, 4])],
    ['sumTo its own shape', (t) => C.sumTo(t, [1, 2, 3, 4])], ['slice of everything', (t) => C.slice(t, [0, 0, 0, 0], [1, 2, 3, 4])],
    ['slice of everything with −1', (t) => C.slice(t, [0, 0, 0, 0], [-1, -1, -1, -1])], ['pad by zeros', (t) => C.pad(t, [[0, 0], [0, 0], [0, 0], [0, 0]])],
    ['pad2d by 0', (t) => C.pad2d(t, 0)], ['pad2d by [0, 0, 0, 0]', (t) => C.pad2d(t, [0, 0, 0, 0])],
    ['dilate2d by 1', (t) => C.dilate2d(t, 1)], ['subsample2d by [1, 1]', (t) => C.subsample2d(t, [1, 1])],
  ])('%s', (_, f) => {
    const t = x();
    expect(f(t)).toBe(t);
  });
  it.each<[string, (t: C.Tensor) => C.Tensor, number[]]>([
    ['pad2d [1, 1, 0, 0]', (t) => C.pad2d(t, [1, 1, 0, 0]), [1, 2, 5, 4]], ['pad2d [0, 0, 1, 1]', (t) => C.pad2d(t, [0, 0, 1, 1]), [1, 2, 3, 6]],
    ['pad2d [1, 0, 1, 0]', (t) => C.pad2d(t, [1, 0, 1, 0]), [1, 2, 4, 5]], ['pad2d [0, 1, 0, 1]', (t) => C.pad2d(t, [0, 1, 0, 1]), [1, 2, 4, 5]],
    ['pad2d [0, 1, 1, 0]', (t) => C.pad2d(t, [0, 1, 1, 0]), [1, 2, 4, 5]],
    ['dilate2d [1, 2]', (t) => C.dilate2d(t, [1, 2]), [1, 2, 3, 7]], ['dilate2d [2, 1]', (t) => C.dilate2d(t, [2, 1]), [1, 2, 5, 4]],
    ['subsample2d [1, 2]', (t) => C.subsample2d(t, [1, 2]), [1, 2, 3, 2]], ['subsample2d [2, 1]', (t) => C.subsample2d(t, [2, 1]), [1, 2, 2, 4]],
    ['pad [[0, 0], [0, 0], [0, 1], [0, 0]]', (t) => C.pad(t, [[0, 0], [0, 0], [0, 1], [0, 0]]), [1, 2, 4, 4]],
    ['pad [[0, 0], [0, 0], [1, 0], [0, 0]]', (t) => C.pad(t, [[0, 0], [0, 0], [1, 0], [0, 0]]), [1, 2, 4, 4]],
    ['permute [0, 1, 3, 2]', (t) => C.permute(t, [0, 1, 3, 2]), [1, 2, 4, 3]],
  ])('%s is a new tensor', (_, f, shape) => {
    const t = x();
    const y = f(t);
    expect(y).not.toBe(t);
    expect(y.shape).toEqual(shape);
  });
});

describe("bilinear interpolate at its edges, against PyTorch 1.13's values", () => {
  const x = () => C.tensor(Float64Array.from({ length: 9 }, (_, i) => i), [1, 1, 3, 3], f64);
  it.each<[number[], boolean, number[]]>([
    [[1, 2], true, [0, 2]], [[2, 1], true, [0, 6]], // alignCorners with an output of 1: source 0
    [[1, 1], false, [4]],
    [[5, 4], false, [0, 0.625, 1.375, 2, 1.2, 1.825, 2.575, 3.2, 3, 3.625, 4.375, 5, 4.8, 5.425, 6.175, 6.799999999999999, 6, 6.625000000000001, 7.375, 8]],
  ])('size %j, alignCorners %s', (size, alignCorners, torch) => {
    const got = [...C.interpolate(x(), { size, mode: 'bilinear', alignCorners }).data];
    got.forEach((v, i) => expect(v).toBeCloseTo(torch[i], 12));
  });
});

describe('crossEntropy with a −∞ logit (a masked class) and no label smoothing stays finite, as PyTorch', () => {
  it('loss and gradient', () => {
    const x = C.tensor([[0, -Infinity, 1]], { ...f64, requiresGrad: true });
    const loss = C.crossEntropy(x, [0]);
    loss.backward();
    // torch.nn.functional.cross_entropy, PyTorch 1.13.1
    expect(loss.item()).toBeCloseTo(1.3132616875182228, 12);
    [-0.7310585786300049, 0, 0.7310585786300049].forEach((g, i) => expect(x.grad!.data[i]).toBeCloseTo(g, 12));
  });
});

describe('permute shares the data when only size-1 dims move (the element order is unchanged)', () => {
  it.each<[number[], number[], boolean]>([
    [[2, 1, 3], [1, 0, 2], true], [[1, 2, 3], [1, 0, 2], true], [[2, 1, 3, 1], [0, 3, 1, 2], true], [[2, 3, 1], [2, 0, 1], true],
    [[2, 3], [1, 0], false], [[2, 1, 3], [2, 1, 0], false], [[1, 2, 3], [0, 2, 1], false], [[2, 3, 4], [0, 2, 1], false],
  ])('shape %j by %j: shared %s', (shape, perm, shared) => {
    const x = C.randn(shape, { seed: 7 });
    const y = C.permute(x, perm);
    expect(y.data === x.data).toBe(shared);
    // the values are the permuted ones either way
    const xs = [...x.data], strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
    const ys = y.shape, idx = ys.map(() => 0);
    for (let k = 0; k < y.size; k++) {
      let rem = k;
      for (let i = ys.length - 1; i >= 0; i--) { idx[i] = rem % ys[i]; rem = Math.floor(rem / ys[i]); }
      expect(y.data[k]).toBe(xs[idx.reduce((p, v, i) => p + v * strides[perm[i]], 0)]);
    }
  });
});

describe('axisLayout: [outer, len, inner] around a dim (what the dim kernels loop over)', () => {
  it.each<[number[], number, object]>([
    [[2, 3, 4], 0, { outer: 1, len: 2, inner: 12 }], [[2, 3, 4], 1, { outer: 2, len: 3, inner: 4 }], [[2, 3, 4], 2, { outer: 6, len: 4, inner: 1 }],
    [[], 0, { outer: 1, len: 1, inner: 1 }], [[5], 0, { outer: 1, len: 5, inner: 1 }],
  ])('%j around dim %i', (shape, d, want) => {
    expect(axisLayout(shape, d)).toEqual(want);
  });
});

describe('logsumexp over an empty dim is −∞ (PyTorch), also when only one of the reduced dims is empty', () => {
  it.each<[number[], number | number[], number[]]>([[[0, 3], [0, 1], []], [[0, 3], 0, [3]], [[2, 0], [0, 1], []], [[2, 0, 3], [0, 1], [3]]])('%j over %j', (shape, dims, outShape) => {
    const y = C.logsumexp(C.zeros(shape, f64), dims);
    expect(y.shape).toEqual(outShape);
    expect([...y.data]).toEqual(new Array(y.size).fill(-Infinity));
  });
});

describe("norm's second derivative at a vector with a zero entry (PyTorch 1.13's Hessian rows)", () => {
  it.each<[number, number[]]>([[2, [0.2, 0, 0]], [3, [0, 0, 0]]])('p = %d', (p, row) => {
    const x = C.tensor([0, 3, 4], { ...f64, requiresGrad: true });
    const [g] = C.grad(C.norm(x, p), [x], { createGraph: true });
    const [h0] = C.grad(C.sum(C.mul(g, C.tensor([1, 0, 0], f64))), [x]);
    [...h0.data].forEach((v, i) => expect(v).toBeCloseTo(row[i], 12));
  });
});

describe('norm with p = 1 is exactly Σ|x| (as PyTorch; no per-row scaling as the general p needs)', () => {
  it('bit for bit', () => {
    const v = [0.425781223008848, 1.3632767502308119, 0.025378565132785514];
    expect(C.norm(C.tensor(v, f64), 1).item()).toBe(v[0] + v[1] + v[2]);
  });
});

describe('clamp with a null bound (PyTorch\'s None) clamps on the other side only', () => {
  it.each<[number | null, number | null, number[]]>([[null, 1, [-2, 0.5, 1]], [0, null, [0, 0.5, 3]]])('clamp(x, %s, %s)', (lo, hi, want) => {
    expect([...C.clamp(C.tensor([-2, 0.5, 3], f64), lo, hi).data]).toEqual(want);
  });
});
