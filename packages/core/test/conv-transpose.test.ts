// convTranspose2d: its forward is conv2d's dX rule (the identity with autograd's gradient of conv2d),
// its backward against finite differences (first and second order), js/wasm agreement, and the checks.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { conv2d, convTranspose2d, getBackend, grad, randn, setBackend, sum, zeros, type Tensor } from '../src/index.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { gradcheck, gradgradcheck, makeTensor } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

interface Axis { k: number; s: number; p: number; d: number; op: number; size: number }
interface TCase { n: number; groups: number; cin: number; cout: number; y: Axis; x: Axis; bias: boolean; seed: number }

/** One axis: kernel 1–4, stride 1–3, padding 0–2, dilation 1–2, outputPadding < max(S, D) (or < S), input 1–4, output ≥ 1. */
const axisArb = (opBelowStride: boolean) => fc.record({
  k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 2 }),
  d: fc.integer({ min: 1, max: 2 }), op: fc.nat(2), size: fc.integer({ min: 1, max: 4 }),
}).map((a) => ({ ...a, op: a.op % (opBelowStride ? a.s : Math.max(a.s, a.d)) }))
  .filter((a) => outSize(a) >= 1);

const outSize = (a: Axis) => (a.size - 1) * a.s - 2 * a.p + a.d * (a.k - 1) + 1 + a.op;

const caseArb = (opBelowStride = false, maxPerGroup = 2) => fc.record({
  n: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 2 }),
  cin: fc.integer({ min: 1, max: maxPerGroup }), cout: fc.integer({ min: 1, max: maxPerGroup }),
  y: axisArb(opBelowStride), x: axisArb(opBelowStride), bias: fc.boolean(), seed: fc.nat(100000),
});

const options = (c: TCase) => ({
  stride: [c.y.s, c.x.s], padding: [c.y.p, c.x.p], dilation: [c.y.d, c.x.d], outputPadding: [c.y.op, c.x.op], groups: c.groups,
});

function tensors(c: TCase, dtype: 'float64' | 'float32' = 'float64') {
  const o = { dtype, requiresGrad: true };
  return {
    x: makeTensor({ shape: [c.n, c.cin * c.groups, c.y.size, c.x.size], seed: c.seed }, o),
    w: makeTensor({ shape: [c.cin * c.groups, c.cout, c.y.k, c.x.k], seed: c.seed + 1 }, { ...o, scale: 0.5 }),
    b: c.bias ? makeTensor({ shape: [c.cout * c.groups], seed: c.seed + 2 }, o) : null,
  };
}

describe('convTranspose2d', () => {
  it('identity: convTranspose2d(δ, W) equals autograd dX of conv2d(·, W) with the same stride, padding, dilation, groups', () => {
    checkProperty(caseArb(true), (c) => {
      const { x: delta, w } = tensors(c);
      const out = convTranspose2d(delta, w, null, options(c));
      expect(out.shape).toEqual([c.n, c.cout * c.groups, outSize(c.y), outSize(c.x)]);
      const z = zeros([...out.shape], { dtype: 'float64', requiresGrad: true });
      const { outputPadding: _, ...convOpts } = options(c);
      const y = conv2d(z, w, null, convOpts);
      expect(y.shape).toEqual(delta.shape);
      const [dz] = grad(y, [z], { gradOutputs: [delta.detach()] });
      expectClose(out.data, dz.data, 1e-12, 'convTranspose2d vs dX');
    }, 80);
  });

  it('dInput, dW, db match finite differences (first order), outputPadding up to max(stride, dilation) − 1', () => {
    checkProperty(caseArb(), (c) => {
      const { x, w, b } = tensors(c);
      const inputs = b ? [x, w, b] : [x, w];
      expectGradOk(gradcheck((...t: Tensor[]) => convTranspose2d(t[0], t[1], t[2] ?? null, options(c)), inputs));
    }, 50);
  });

  it('second derivatives (x–w cross terms through its backward)', () => {
    checkProperty(caseArb(false, 1), (c) => {
      const { x, w, b } = tensors(c);
      const inputs = b ? [x, w, b] : [x, w];
      expectGradOk(gradgradcheck((...t: Tensor[]) => convTranspose2d(t[0], t[1], t[2] ?? null, options(c)), inputs));
    }, 15);
  });

  it('refuses what PyTorch refuses, naming the value', () => {
    const x = randn([1, 4, 3, 3]), w = randn([4, 2, 3, 3]);
    expect(() => convTranspose2d(x, w, null, { stride: 2, outputPadding: 2 })).toThrow(/^convTranspose2d: outputPadding \[2, 2\] must be smaller than either stride \[2, 2\] or dilation \[1, 1\]/);
    expect(() => convTranspose2d(x, randn([3, 2, 3, 3]))).toThrow(/^convTranspose2d: channel mismatch: input has 4 channels but weight dim 0 is 3/);
    expect(() => convTranspose2d(x, w, null, { groups: 3 })).toThrow(/^convTranspose2d: groups 3: input channels 4/);
    expect(() => convTranspose2d(x, w, randn([3]), { groups: 2 })).toThrow(/^convTranspose2d: bias must be \[Cout\] = \[4\]/);
    expect(() => convTranspose2d(randn([1, 4, 1, 1]), randn([4, 1, 1, 1]), null, { padding: 1 })).toThrow(/^convTranspose2d: output size -1×-1 is not positive/);
    expect(() => convTranspose2d(x, w, null, { outputSize: [5, 5] } as object)).toThrow(/^convTranspose2d: unknown option 'outputSize'/);
  });

  describe('on the wasm kernels', () => {
    const initial = getBackend().name;
    afterAll(() => setBackend(initial));
    it('float32 forward and backward agree with the js kernels, with no js fallback (stride 2, groups 2)', () => {
      const x = randn([9, 4, 7, 6], { seed: 11, requiresGrad: true });
      const w = randn([4, 3, 4, 4], { seed: 12, requiresGrad: true });
      const b = randn([6], { seed: 13, requiresGrad: true });
      const run = (be: string) => {
        setBackend(be);
        x.grad = null; w.grad = null; b.grad = null;
        const y = convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 });
        sum(y.mul(y)).backward();
        return [y.data, x.grad!.data, w.grad!.data, b.grad!.data].map((d) => Float64Array.from(d));
      };
      const ref = run('js');
      const js0 = wasmBackend!.stats.js;
      const got = run('wasm');
      expect(wasmBackend!.stats.js).toBe(js0);
      ['y', 'dX', 'dW', 'db'].forEach((what, i) => expectClose(got[i], ref[i], 3e-4, what));
    });
  });
});

describe('convTranspose2d argument errors name the option (a survivor of the mutation sample)', () => {
  it('a bad stride is reported as stride, with the value and the shapes', () => {
    const x = randn([1, 1, 3, 3]), w = randn([1, 1, 2, 2]);
    expect(() => convTranspose2d(x, w, null, { stride: 0 })).toThrow('convTranspose2d: stride must be a positive integer or an [h, w] pair of them, got 0: input [1, 1, 3, 3], weight [1, 1, 2, 2]');
    expect(() => convTranspose2d(x, w, null, { stride: [1, -1] })).toThrow(/^convTranspose2d: stride .* got \[1, -1\]/);
  });
});
