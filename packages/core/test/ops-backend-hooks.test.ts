// Each op hands its loop to the active backend's optional kernel when the backend has one and takes
// the call (KernelBackend: "false leaves the work to the js loop"): a registered backend whose kernels
// write a marker value shows that the op returns the kernel's result and does not redo the work in js
// (mutation survivors: an op that always ran its js loop as well gave the same values on the js and
// wasm backends). The declining case (false) is every test under the js backend.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { jsBackend, type KernelBackend } from '../src/kernels/backend.ts';
import type { TypedArray } from '../src/tensor.ts';

const MARK = 7;
const calls = new Map<string, number>();
const hit = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
const fill = (name: string, out: TypedArray) => { hit(name); out.fill(MARK); return true; };

const spy: KernelBackend = {
  ...jsBackend,
  name: 'ops-hooks-spy',
  leakyRelu: (_x, _slope, out) => fill('leakyRelu', out),
  stepScale: (_g, _x, _slope, out) => fill('stepScale', out),
  binary: (_op, _a, _as, _b, _bs, _os, out) => fill('binary', out),
  smooth: (_fn, _x, out) => fill('smooth', out),
  smoothGrad: (_fn, _g, _x, out) => fill('smoothGrad', out),
  maxPool2dForward: (_x, _g, out, argmax) => { argmax.fill(0); return fill('maxPool2dForward', out); },
  avgPool2dForward: (_x, _g, out) => fill('avgPool2dForward', out),
  avgPool2dAdjoint: (_dy, _g, dx) => fill('avgPool2dAdjoint', dx),
  scatterAddFlat: (_src, _idx, out) => fill('scatterAddFlat', out),
  logSoftmaxForward: (_x, _l, out) => fill('logSoftmaxForward', out),
  logSoftmaxBackward: (_g, _y, _l, out) => fill('logSoftmaxBackward', out),
  gemmTransB: (_m, _n, _k, _a, _w, c) => fill('gemmTransB', c),
  channelAffine: (_x, _l, _mean, _scale, _shift, out) => fill('channelAffine', out),
  batchNormInputGrad: (_g, _x, _l, _mean, _invstd, _gamma, _sums, out) => fill('batchNormInputGrad', out),
  channelStats: (_x, l) => { hit('channelStats'); return { mean: new Float64Array(l.c).fill(1), variance: new Float64Array(l.c).fill(3) }; },
  gradSums: (_g, _x, l) => { hit('gradSums'); return { sumG: new Float64Array(l.c).fill(MARK), sumGXhat: new Float64Array(l.c).fill(2 * MARK) }; },
  rowSums: (x, len) => { hit('rowSums'); return new Float64Array(x.length / len).fill(MARK); },
  // counted only: its result is the js kernel's
  conv2dForwardLattice: (...a) => { hit('conv2dForwardLattice'); jsBackend.conv2dForwardLattice!(...a); },
};
C.registerBackend(spy);
const initial = C.getBackend().name;
beforeEach(() => { calls.clear(); C.setBackend(spy.name); });
afterAll(() => C.setBackend(initial));

const x = (shape: number[], requiresGrad = false) => C.randn(shape, { seed: 3, requiresGrad });
const marked = (t: C.Tensor, value = MARK) => expect([...t.data]).toEqual(new Array(t.size).fill(value));
/** y = f(x) with x requiring grad; Σ y backward; x's gradient. */
const gradOf = (f: (t: C.Tensor) => C.Tensor, shape: number[]) => {
  const t = x(shape, true);
  C.sum(f(t)).backward();
  return t.grad!;
};

describe('forward kernels: the op returns what the kernel wrote', () => {
  it.each<[string, string, () => C.Tensor]>([
    ['relu', 'leakyRelu', () => C.relu(x([2, 3]))],
    ['leakyRelu', 'leakyRelu', () => C.leakyRelu(x([2, 3]), 0.1)],
    ['gelu', 'smooth', () => C.gelu(x([2, 3]))],
    ['silu', 'smooth', () => C.silu(x([2, 3]))],
    ['add', 'binary', () => C.add(x([2, 3]), x([3]))],
    ['neg (float32)', 'binary', () => C.neg(x([2, 3]))],
    ['maxPool2d', 'maxPool2dForward', () => C.maxPool2d(x([1, 2, 4, 4]), 2)],
    ['avgPool2d', 'avgPool2dForward', () => C.avgPool2d(x([1, 2, 4, 4]), 2)],
    ['logSoftmax', 'logSoftmaxForward', () => C.logSoftmax(x([2, 3]))],
    ['softmax', 'logSoftmaxForward', () => C.softmax(x([2, 3]))],
    ['linear', 'gemmTransB', () => C.linear(x([2, 3]), x([4, 3]))],
    ['sum over the last axis', 'rowSums', () => C.sum(x([2, 3]), 1)],
  ])('%s (%s)', (_, kernel, run) => {
    marked(run());
    expect(calls.get(kernel)).toBeGreaterThan(0);
  });

  it('softmax and logSoftmax hand the kernel the [outer, len, inner] layout around their axis', () => {
    const layouts: unknown[] = [];
    const recording: KernelBackend = { ...spy, name: 'ops-hooks-layout', logSoftmaxForward: (_x, l, out) => { layouts.push({ ...l }); return fill('logSoftmaxForward', out); } };
    C.registerBackend(recording);
    C.setBackend(recording.name);
    C.softmax(x([2, 3, 4]), 1);
    C.logSoftmax(x([2, 3, 4]), -1);
    C.logSoftmax(x([2, 3, 4]), 0);
    expect(layouts).toEqual([{ outer: 2, len: 3, inner: 4 }, { outer: 6, len: 4, inner: 1 }, { outer: 1, len: 2, inner: 12 }]);
  });

  it('softmaxCrossEntropy picks −logSoftmax from the kernel', () => {
    marked(C.softmaxCrossEntropy(x([2, 3]), [0, 2], { reduction: 'none' }), -MARK);
  });

  it('batchNorm normalizes with the kernel\'s statistics and writes through its affine kernel', () => {
    const rm = C.zeros([2]), rv = C.ones([2]);
    marked(C.batchNorm(x([3, 2, 2]), rm, rv, { training: true }));
    expect([calls.get('channelStats'), calls.get('channelAffine')]).toEqual([1, 1]);
    // the running statistics follow the kernel's mean 1 and variance 3 (unbiased: 3·M/(M−1), M = 6)
    expect([...rm.data]).toEqual([0.1, 0.1].map(Math.fround));
    expect([...rv.data]).toEqual([0.9 + 0.1 * 3 * 6 / 5, 0.9 + 0.1 * 3 * 6 / 5].map(Math.fround));
  });
});

describe('an empty output calls no kernel', () => {
  it.each<[string, () => C.Tensor]>([
    ['maxPool2d', () => C.maxPool2d(x([0, 2, 4, 4]), 2)], ['avgPool2d', () => C.avgPool2d(x([0, 2, 4, 4]), 2)],
  ])('%s of a [0, 2, 4, 4] input', (_, run) => {
    expect(run().shape).toEqual([0, 2, 2, 2]);
    expect([...calls.keys()]).toEqual([]);
  });
});

describe('backward kernels: the gradient is what the kernel wrote', () => {
  it.each<[string, string, (t: C.Tensor) => C.Tensor, number[]]>([
    ['relu', 'stepScale', (t) => C.relu(t), [2, 3]],
    ['gelu', 'smoothGrad', (t) => C.gelu(t), [2, 3]],
    ['avgPool2d', 'avgPool2dAdjoint', (t) => C.avgPool2d(t, 2), [1, 2, 4, 4]],
    ['gather', 'scatterAddFlat', (t) => C.gather(t, 1, C.tensor([[0, 1], [2, 0]])), [2, 3]],
    ['batchNorm', 'batchNormInputGrad', (t) => C.batchNorm(t, null, null, { training: true }), [3, 2, 2]],
  ])('%s (%s)', (_, kernel, f, shape) => {
    C.setBackend('js');
    const y = f(x(shape, true)); // the forward in js: only the backward's kernel is the spy's
    C.setBackend(spy.name);
    const t = y.gradFn!.inputs[0];
    C.sum(y).backward();
    marked(t.grad!);
    expect(calls.get(kernel)).toBeGreaterThan(0);
  });

  it("conv2d's input gradient: the dilated, padded delta reaches the lattice kernel unmaterialized", () => {
    C.setBackend('js');
    const x = C.randn([1, 2, 5, 5], { seed: 1, requiresGrad: true });
    const y = C.conv2d(x, C.randn([3, 2, 3, 3], { seed: 2 }), null, { stride: 2, padding: 1 });
    C.setBackend(spy.name);
    C.sum(y).backward();
    expect(calls.get('conv2dForwardLattice')).toBe(1);
  });

  it('logSoftmax (logSoftmaxBackward)', () => {
    marked(gradOf((t) => C.logSoftmax(t), [2, 3]));
  });

  it('batchNorm\'s weight and bias gradients are the kernel\'s sums', () => {
    C.setBackend('js');
    const w = C.ones([2], { requiresGrad: true }), b = C.zeros([2], { requiresGrad: true });
    const y = C.batchNorm(x([3, 2, 2]), null, null, { training: true, weight: w, bias: b });
    C.setBackend(spy.name);
    C.sum(y).backward();
    expect([[...w.grad!.data], [...b.grad!.data]]).toEqual([[2 * MARK, 2 * MARK], [MARK, MARK]]);
  });
});
