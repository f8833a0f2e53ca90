// conv2d `groups` (grouped and depthwise convs) and `padding: 'same' | 'valid'`: forward against the
// definition (per-group convs of channel slices), gradients against finite differences (first and
// second order), js and wasm kernels agreeing with no js fallback, and the checks PyTorch makes.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cat, conv2d, getBackend, pad2d, randn, setBackend, slice, sum, type Tensor } from '../src/index.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { convCaseArb, gradcheck, gradgradcheck, makeTensor, type ConvCase } from '../src/testing/index.ts';
import { checkProperty, convOptions, expectClose, expectGradOk } from './helpers.ts';

interface GroupCase { c: ConvCase; groups: number }

/** convCaseArb with cin and cout per group, times 1–3 groups. */
const groupCaseArb = (limits = {}) => fc.record({ c: convCaseArb({ maxChannels: 2, ...limits }), groups: fc.integer({ min: 1, max: 3 }) });

function groupTensors({ c, groups }: GroupCase, dtype: 'float64' | 'float32' = 'float64') {
  const opts = { dtype, requiresGrad: true };
  return {
    x: makeTensor({ shape: [c.n, c.cin * groups, c.h, c.w], seed: c.seed }, opts),
    w: makeTensor({ shape: [c.cout * groups, c.cin, c.kh, c.kw], seed: c.seed + 1 }, { ...opts, scale: 0.5 }),
    b: c.bias ? makeTensor({ shape: [c.cout * groups], seed: c.seed + 2 }, opts) : null,
  };
}

const chans = (t: Tensor, start: number, count: number) => slice(t, [start, 0, 0, 0].map((v, i) => (i === 1 ? start : 0)), [t.shape[0], count, t.shape[2], t.shape[3]]);
const rows = (t: Tensor, start: number, count: number) => slice(t, [start, 0, 0, 0], [count, ...t.shape.slice(1)]);

describe('conv2d groups', () => {
  it('equals the concatenation of per-group convs on channel slices (the definition)', () => {
    checkProperty(groupCaseArb(), (gc) => {
      const { c, groups } = gc;
      const { x, w, b } = groupTensors(gc);
      const y = conv2d(x, w, b, { ...convOptions(c), groups });
      const parts = [];
      for (let g = 0; g < groups; g++) {
        parts.push(conv2d(chans(x, g * c.cin, c.cin), rows(w, g * c.cout, c.cout), b ? slice(b, [g * c.cout], [c.cout]) : null, convOptions(c)));
      }
      const ref = cat(parts, 1);
      expect(y.shape).toEqual(ref.shape);
      expectClose(y.data, ref.data, 1e-12, 'grouped forward');
    }, 60);
  });

  it('dX, dW, db match finite differences (first order)', () => {
    checkProperty(groupCaseArb(), (gc) => {
      const { x, w, b } = groupTensors(gc);
      const inputs = b ? [x, w, b] : [x, w];
      expectGradOk(gradcheck((...t: Tensor[]) => conv2d(t[0], t[1], t[2] ?? null, { ...convOptions(gc.c), groups: gc.groups }), inputs));
    }, 50);
  });

  it('second derivatives (cross terms x–w through the grouped backward graph)', () => {
    checkProperty(groupCaseArb({ maxBatch: 2, maxOut: 2 }), (gc) => {
      const { x, w, b } = groupTensors(gc);
      const inputs = b ? [x, w, b] : [x, w];
      expectGradOk(gradgradcheck((...t: Tensor[]) => conv2d(t[0], t[1], t[2] ?? null, { ...convOptions(gc.c), groups: gc.groups }), inputs));
    }, 15);
  });

  it('depthwise (groups = Cin, channel multiplier 2) with stride, padding and dilation at the borders', () => {
    const x = randn([2, 3, 6, 5], { dtype: 'float64', seed: 4, requiresGrad: true });
    const w = randn([6, 1, 3, 3], { dtype: 'float64', seed: 5, requiresGrad: true });
    const b = randn([6], { dtype: 'float64', seed: 6, requiresGrad: true });
    for (const opts of [{ stride: 2, padding: 1 }, { dilation: 2, padding: 2 }, { stride: [1, 2], padding: [0, 1] }]) {
      expectGradOk(gradcheck((xx, ww, bb) => conv2d(xx, ww, bb, { ...opts, groups: 3 }), [x, w, b]));
    }
  });

  it('refuses what PyTorch refuses, naming the value', () => {
    const x = randn([1, 4, 5, 5]), w = randn([6, 2, 3, 3]);
    expect(() => conv2d(x, w, null, { groups: 3 })).toThrow(/^conv2d: groups 3: input channels 4 are not divisible/);
    expect(() => conv2d(randn([1, 6, 5, 5]), randn([4, 2, 3, 3]), null, { groups: 3 })).toThrow(/^conv2d: groups 3: output channels 4/);
    expect(() => conv2d(x, w, null, { groups: 4 })).toThrow(/^conv2d: groups 4: output channels 6/);
    expect(() => conv2d(x, randn([6, 1, 3, 3]), null, { groups: 2 })).toThrow(/^conv2d: channel mismatch: input has 4 channels but weight expects 1 per group × 2 groups = 2/);
    expect(() => conv2d(x, w, null, { groups: 0 })).toThrow(/^conv2d: groups must be a positive integer, got 0/);
    expect(() => conv2d(x, w, null, { groups: 1.5 })).toThrow(/^conv2d: groups must be a positive integer, got 1.5/);
    expect(() => conv2d(x, w, null, { groups: 2, paddingMode: 'reflect' } as object)).toThrow(/^conv2d: unknown option 'paddingMode'/);
    expect(() => conv2d(x, w, null, { bias: true } as object)).toThrow(/^conv2d: unknown option 'bias'/);
  });
});

describe('conv2d groups on the wasm kernels', () => {
  const wasm = wasmBackend;
  if (!wasm) throw new Error('wasm kernels did not load');
  const initial = getBackend().name;
  afterAll(() => setBackend(initial));

  it.each([[[1, 2], 1], [1, 0]])('depthwise forward and backward (float32, stride %j, padding %j) agree with the js kernels and never fall back to js', (stride, padding) => {
    const x = randn([9, 8, 12, 11], { seed: 1, requiresGrad: true });
    const w = randn([8, 1, 3, 3], { seed: 2, requiresGrad: true });
    const b = randn([8], { seed: 3, requiresGrad: true });
    const run = (backend: string) => {
      setBackend(backend);
      x.grad = null; w.grad = null; b.grad = null;
      const y = conv2d(x, w, b, { padding, stride, groups: 8 });
      sum(y.mul(y)).backward();
      return [y.data, x.grad!.data, w.grad!.data, b.grad!.data].map((d) => Float64Array.from(d));
    };
    const ref = run('js');
    const jsCalls = wasm.stats.js, depthwise = wasm.stats.depthwise, convCalls = wasm.stats.wide + wasm.stats.dot + wasm.stats.phased + wasm.stats.col2im;
    const got = run('wasm');
    expect(wasm.stats.js, 'a conv of the depthwise net fell back to the js kernels').toBe(jsCalls);
    // forward, dX (a depthwise conv of the padded, dilated δ) and dW (a depthwise correlation of every
    // (image, channel) plane, summed over the batch): one whole-layer depthwise call each, no per-group conv
    expect(wasm.stats.depthwise - depthwise).toBe(3);
    expect(wasm.stats.wide + wasm.stats.dot + wasm.stats.phased + wasm.stats.col2im - convCalls).toBe(0);
    ['y', 'dX', 'dW', 'db'].forEach((what, i) => expectClose(got[i], ref[i], 2e-4, what));
  });

  it('the one-call depthwise kernel equals the js kernels over random geometries (multiplier, stride, padding, dilation, bias)', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 2, max: 5 }), m: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }), s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      p: fc.nat(2), d: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 13 }), bias: fc.boolean(), seed: fc.nat(1000),
    }).filter((c) => c.d * (c.kh - 1) + 1 <= c.h + 2 * c.p && c.d * (c.kw - 1) + 1 <= c.w + 2 * c.p);
    checkProperty(arb, (c) => {
      const x = makeTensor({ shape: [c.n, c.c, c.h, c.w], seed: c.seed }, { dtype: 'float32' });
      const w = makeTensor({ shape: [c.c * c.m, 1, c.kh, c.kw], seed: c.seed + 1 }, { dtype: 'float32' });
      const b = c.bias ? makeTensor({ shape: [c.c * c.m], seed: c.seed + 2 }, { dtype: 'float32' }) : null;
      const opts = { stride: c.s, padding: c.p, dilation: c.d, groups: c.c };
      setBackend('js');
      const ref = conv2d(x, w, b, opts).data;
      setBackend('wasm');
      const before = wasm.stats.depthwise;
      const got = conv2d(x, w, b, opts).data;
      expect(wasm.stats.depthwise - before).toBe(1);
      expectClose(got, ref, 1e-5, 'depthwise');
    }, 80);
  });

  it('grouped conv (2 groups, 3→4 channels each) with lattice deltas (stride 2) agrees with js', () => {
    const x = randn([2, 6, 9, 9], { seed: 7, requiresGrad: true });
    const w = randn([8, 3, 3, 3], { seed: 8, requiresGrad: true });
    const run = (backend: string) => {
      setBackend(backend);
      x.grad = null; w.grad = null;
      const y = conv2d(x, w, null, { stride: 2, padding: 1, groups: 2 });
      sum(y.mul(y)).backward();
      return [y.data, x.grad!.data, w.grad!.data].map((d) => Float64Array.from(d));
    };
    const ref = run('js');
    const got = run('wasm');
    ['y', 'dX', 'dW'].forEach((what, i) => expectClose(got[i], ref[i], 2e-4, what));
  });
});

describe("conv2d padding 'same' | 'valid'", () => {
  it("'same' keeps H×W, pads D(K−1)/2 with the odd one at the bottom/right (PyTorch), and passes FD", () => {
    checkProperty(fc.record({ k: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 5 }), d: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 5 }), seed: fc.nat(1000) }), ({ k, kw, d, h, seed }) => {
      const x = makeTensor({ shape: [1, 2, h, 4], seed }, { requiresGrad: true });
      const w = makeTensor({ shape: [3, 2, k, kw], seed: seed + 1 }, { requiresGrad: true });
      const y = conv2d(x, w, null, { padding: 'same', dilation: d });
      expect(y.shape).toEqual([1, 3, h, 4]);
      const th = d * (k - 1), tw = d * (kw - 1);
      const ref = conv2d(pad2d(x, [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)]), w, null, { dilation: d });
      expectClose(y.data, ref.data, 1e-12, "'same'");
      expectGradOk(gradcheck((xx, ww) => conv2d(xx, ww, null, { padding: 'same', dilation: d }), [x, w]));
    }, 30);
  });

  it("'valid' is padding 0; 'same' with a stride, or another string, is refused", () => {
    const x = randn([1, 1, 5, 5]), w = randn([1, 1, 3, 3]);
    expect(conv2d(x, w, null, { padding: 'valid' }).data).toEqual(conv2d(x, w).data);
    expect(() => conv2d(x, w, null, { padding: 'same', stride: 2 })).toThrow(/^conv2d: padding 'same' is not supported for strided convolutions/);
    expect(() => conv2d(x, w, null, { padding: 'full' as 'same' })).toThrow(/^conv2d: padding must be 'same', 'valid', .* got 'full'/);
  });
});
