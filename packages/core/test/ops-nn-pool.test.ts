// maxPool2d and avgPool2d: forward against a naive window loop, hand cases (ties, overlapping windows,
// count_include_pad), backward rules against central differences, bad kernel/stride/padding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avgPool2d, maxPool2d, mul, Rng, tensor, Tensor } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk, mat } from './helpers.ts';

interface PoolCase {
  n: number; c: number; h: number; w: number;
  kernel: [number, number]; stride: [number, number]; padding: [number, number];
  seed: number;
}

/** One axis: kernel k, stride s, padding p ≤ k/2, and an input size the kernel fits (padded). */
const axisArb = fc.record({ k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), pad: fc.nat(1), extra: fc.nat(4) })
  .map(({ k, s, pad, extra }) => {
    const p = Math.min(pad, Math.floor(k / 2));
    return { k, s, p, size: Math.max(1, k - 2 * p + extra) };
  });

const poolCaseArb: fc.Arbitrary<PoolCase> = fc.record({
  n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }),
  y: axisArb, x: axisArb, seed: fc.integer({ min: 0, max: 1_000_000 }),
}).map(({ n, c, y, x, seed }) => ({ n, c, h: y.size, w: x.size, kernel: [y.k, x.k], stride: [y.s, x.s], padding: [y.p, x.p], seed }));

const opts = (c: PoolCase) => ({ stride: c.stride, padding: c.padding });

/** Distinct values 0.1 apart in a seeded random order: no ties, so the max is differentiable. */
function distinct(c: PoolCase): Tensor {
  const size = c.n * c.c * c.h * c.w;
  const perm = Array.from({ length: size }, (_, i) => i);
  new Rng(c.seed).shuffle(perm);
  return tensor(perm.map((v) => (v - size / 2) * 0.1), [c.n, c.c, c.h, c.w], { dtype: 'float64', requiresGrad: true });
}

/** Pooling by definition: every output cell reduces its window, with padding as `padValue`. */
function naivePool(x: Tensor, c: PoolCase, kind: 'max' | 'avg'): { shape: number[]; data: number[] } {
  const [kh, kw] = c.kernel, [sh, sw] = c.stride, [ph, pw] = c.padding;
  const oh = Math.floor((c.h + 2 * ph - kh) / sh) + 1, ow = Math.floor((c.w + 2 * pw - kw) / sw) + 1;
  const at = (plane: number, i: number, j: number) =>
    i < 0 || j < 0 || i >= c.h || j >= c.w ? (kind === 'max' ? -Infinity : 0) : x.data[(plane * c.h + i) * c.w + j];
  const data: number[] = [];
  for (let plane = 0; plane < c.n * c.c; plane++) {
    for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
      const window: number[] = [];
      for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) window.push(at(plane, oy * sh - ph + a, ox * sw - pw + b));
      data.push(kind === 'max' ? Math.max(...window) : window.reduce((s, v) => s + v, 0) / (kh * kw));
    }
  }
  return { shape: [c.n, c.c, oh, ow], data };
}

describe('maxPool2d', () => {
  it('forward matches the max over each window', () => {
    checkProperty(poolCaseArb, (c) => {
      const x = makeTensor({ shape: [c.n, c.c, c.h, c.w], seed: c.seed });
      const want = naivePool(x, c, 'max');
      const y = maxPool2d(x, c.kernel, opts(c));
      expect(y.shape).toEqual(want.shape);
      expectClose(y.data, want.data, 0, 'maxPool2d');
    });
  });

  it('gradient matches finite differences on distinct values', () => {
    checkProperty(poolCaseArb, (c) => expectGradOk(gradcheck((x) => maxPool2d(x, c.kernel, opts(c)), [distinct(c)])));
  });

  it('second derivatives flow through the argmax routing (maxPool(x)² has a nonzero Hessian)', () => {
    checkProperty(poolCaseArb, (c) => {
      const f = (x: Tensor) => { const y = maxPool2d(x, c.kernel, opts(c)); return mul(y, y); };
      expectGradOk(gradgradcheck(f, [distinct(c)]));
    }, 20);
  });

  /** Values from {-1, 0, 1} (many ties), and the gradient each element gets by definition: the sum of g over windows whose first maximum (row-major) it is. */
  function tieCase(c: PoolCase): { x: Tensor; g: Tensor; want: number[] } {
    const rng = new Rng(c.seed);
    const size = c.n * c.c * c.h * c.w;
    const x = tensor(Array.from({ length: size }, () => rng.int(3) - 1), [c.n, c.c, c.h, c.w], { dtype: 'float64', requiresGrad: true });
    const [kh, kw] = c.kernel, [sh, sw] = c.stride, [ph, pw] = c.padding;
    const oh = Math.floor((c.h + 2 * ph - kh) / sh) + 1, ow = Math.floor((c.w + 2 * pw - kw) / sw) + 1;
    const g = tensor(Array.from({ length: c.n * c.c * oh * ow }, (_, i) => i + 1), [c.n, c.c, oh, ow], { dtype: 'float64' });
    const want = new Array<number>(size).fill(0);
    for (let plane = 0, o = 0; plane < c.n * c.c; plane++) {
      for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++, o++) {
        let best = -Infinity, at = -1;
        for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) {
          const i = oy * sh - ph + a, j = ox * sw - pw + b;
          if (i < 0 || j < 0 || i >= c.h || j >= c.w) continue;
          const flat = (plane * c.h + i) * c.w + j;
          if (x.data[flat] > best) { best = x.data[flat]; at = flat; }
        }
        want[at] += g.data[o];
      }
    }
    return { x, g, want };
  }

  it('on ties, each window sends its gradient to its first maximum in row-major order', () => {
    checkProperty(poolCaseArb, (c) => {
      const { x, g, want } = tieCase(c);
      maxPool2d(x, c.kernel, opts(c)).backward(g);
      expectClose(x.grad!.data, want, 0, 'routed gradient');
    });
  });

  it('the 2×2 stride-2 fast path agrees with the definition (odd sizes, ties)', () => {
    const fastArb = fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 7 }), w: fc.integer({ min: 2, max: 7 }), seed: fc.nat(1_000_000) })
      .map((v): PoolCase => ({ ...v, kernel: [2, 2], stride: [2, 2], padding: [0, 0] }));
    checkProperty(fastArb, (c) => {
      const { x, g, want } = tieCase(c);
      const y = maxPool2d(x, 2);
      expectClose(y.data, naivePool(x, c, 'max').data, 0, 'maxPool2d 2×2');
      y.backward(g);
      expectClose(x.grad!.data, want, 0, 'routed gradient');
    });
  });

  it('stride defaults to the kernel', () => {
    const x = mat([[1, 3, 3, 0], [2, 1, 0, 5]], { as4d: true });
    expect(maxPool2d(x, 2).toArray()).toEqual([[[[3, 5]]]]);
    expect(maxPool2d(x, [2, 2], { stride: 2 }).toArray()).toEqual([[[[3, 5]]]]);
  });

  it('ties send the gradient to the first maximum in row-major window order', () => {
    const x = mat([[1, 1], [1, 1]], { as4d: true, requiresGrad: true });
    maxPool2d(x, 2).sum().backward();
    expect(x.grad!.toArray()).toEqual([[[[1, 0], [0, 0]]]]);
    const z = mat([[0, 2, 7], [2, 1, 7]], { as4d: true, requiresGrad: true });
    maxPool2d(z, [2, 2], { stride: [2, 1] }).backward(tensor([[[[10, 100]]]], undefined, { dtype: 'float64' }));
    // window 1 = [[0, 2], [2, 1]] → the 2 in row 0; window 2 = [[2, 7], [1, 7]] → the 7 in row 0
    expect(z.grad!.toArray()).toEqual([[[[0, 10, 100], [0, 0, 0]]]]);
  });

  it('overlapping windows that share a maximum add their gradients', () => {
    const x = mat([[0, 9, 0], [0, 0, 0]], { as4d: true, requiresGrad: true });
    const y = maxPool2d(x, 2, { stride: 1 });
    expect(y.toArray()).toEqual([[[[9, 9]]]]);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([[[[0, 2, 0], [0, 0, 0]]]]);
  });

  it('padding never wins the max, even for negative inputs', () => {
    const x = mat([[-5, -6], [-7, -8]], { as4d: true });
    expect(maxPool2d(x, 3, { stride: 1, padding: 1 }).toArray()).toEqual([[[[-5, -5], [-5, -5]]]]);
  });

  it('sends the gradient to the last NaN of a window (PyTorch 1.13: max_pool2d of [[nan, 1], [nan, 2]] → grad [[0, 0], [1, 0]])', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor([Number.NaN, 1, Number.NaN, 2], [1, 1, 2, 2], { dtype, requiresGrad: true });
      maxPool2d(x, 2).sum().backward();
      expect(Array.from(x.grad!.data)).toEqual([0, 0, 1, 0]);
      const y = tensor([Number.NaN, 1, 5, Number.NaN, 2, 0], [1, 1, 2, 3], { dtype, requiresGrad: true });
      maxPool2d(y, [2, 3], { padding: [0, 1], stride: 1 }).sum().backward(); // general windows (PyTorch: the same)
      expect(Array.from(y.grad!.data)).toEqual([0, 0, 1, 2, 0, 0]);
    }
  });

  it('propagates NaN (2×2 fast path and general windows)', () => {
    const x = mat([[1, Number.NaN, 0], [3, 2, 0], [0, 0, 0]], { as4d: true });
    expect(maxPool2d(x, 2).toArray()).toEqual([[[[Number.NaN]]]]);
    expect(maxPool2d(x, 2, { stride: 1 }).toArray()).toEqual([[[[Number.NaN, Number.NaN], [3, 2]]]]);
  });

});

describe.each([['max', maxPool2d], ['avg', avgPool2d]] as const)('%sPool2d on rank 2 and rank 3', (kind, pool) => {
  // [H, W] is one plane, [C, H, W] is C planes: the same windows as [1, C, H, W], by the naive definition.
  const rankCaseArb = fc.record({ rank: fc.constantFrom(2, 3), c: fc.integer({ min: 1, max: 3 }), y: axisArb, x: axisArb, seed: fc.nat(1_000_000) })
    .map(({ rank, c, y, x, seed }) => ({ rank, pc: { n: 1, c: rank === 2 ? 1 : c, h: y.size, w: x.size, kernel: [y.k, x.k], stride: [y.s, x.s], padding: [y.p, x.p], seed } as PoolCase }));
  it('pools the last two dims: values by definition, gradients by finite differences', () => {
    checkProperty(rankCaseArb, ({ rank, pc }) => {
      const shape = rank === 2 ? [pc.h, pc.w] : [pc.c, pc.h, pc.w];
      const x4 = kind === 'max' ? distinct(pc) : makeTensor({ shape: [1, pc.c, pc.h, pc.w], seed: pc.seed });
      const x = new Tensor(x4.data.slice(), shape, true);
      const want = naivePool(x4, pc, kind);
      const y = pool(x, pc.kernel, opts(pc));
      expect(y.shape).toEqual([...shape.slice(0, -2), want.shape[2], want.shape[3]]);
      expectClose(y.data, want.data, 1e-14, `${kind}Pool2d rank ${rank}`);
      expectGradOk(gradcheck((t) => pool(t, pc.kernel, opts(pc)), [x]));
    });
  });
});

describe('avgPool2d', () => {
  it('forward matches the window mean with padding counted as zeros', () => {
    checkProperty(poolCaseArb, (c) => {
      const x = makeTensor({ shape: [c.n, c.c, c.h, c.w], seed: c.seed });
      const want = naivePool(x, c, 'avg');
      const y = avgPool2d(x, c.kernel, opts(c));
      expect(y.shape).toEqual(want.shape);
      expectClose(y.data, want.data, 1e-14, 'avgPool2d');
    });
  });

  it('count_include_pad by hand: corners see one value over four cells', () => {
    const y = avgPool2d(mat([[1, 2], [3, 4]], { as4d: true }), 2, { stride: 1, padding: 1 });
    expect(y.toArray()).toEqual([[[[0.25, 0.75, 0.5], [1, 2.5, 1.5], [0.75, 1.75, 1]]]]);
  });

  it('gradient matches finite differences (first and second order)', () => {
    checkProperty(poolCaseArb, (c) => {
      const x = makeTensor({ shape: [c.n, c.c, c.h, c.w], seed: c.seed });
      expectGradOk(gradcheck((t) => avgPool2d(t, c.kernel, opts(c)), [x]));
    });
    checkProperty(poolCaseArb, (c) => {
      const x = makeTensor({ shape: [c.n, c.c, c.h, c.w], seed: c.seed });
      expectGradOk(gradgradcheck((t) => { const y = avgPool2d(t, c.kernel, opts(c)); return mul(y, y); }, [x]));
    }, 20);
  });
});

describe.each([['maxPool2d', maxPool2d], ['avgPool2d', avgPool2d]] as const)('%s errors', (name, pool) => {
  const x = makeTensor({ shape: [1, 1, 4, 4], seed: 1 });
  it('rejects a bad kernel, stride or padding', () => {
    expect(() => pool(x, 0)).toThrow(new RegExp(`^${name}: kernel must be a positive integer`));
    expect(() => pool(x, [2, 2, 2])).toThrow(new RegExp(`^${name}: kernel`));
    expect(() => pool(x, 2, { stride: 0 })).toThrow(new RegExp(`^${name}: stride must be a positive integer`));
    expect(() => pool(x, 2, { stride: 1.5 })).toThrow(new RegExp(`^${name}: stride`));
    expect(() => pool(x, 2, { padding: -1 })).toThrow(new RegExp(`^${name}: padding must be a non-negative integer`));
    expect(() => pool(x, 2, { padding: 2 })).toThrow(new RegExp(`^${name}: padding \\[2, 2\\] must be at most half the kernel \\[2, 2\\]`));
  });

  it('rejects a kernel larger than the padded input, naming the shape', () => {
    expect(() => pool(x, [5, 2])).toThrow(new RegExp(`^${name}: kernel \\[5, 2\\] is larger than the padded input 4×4 \\(input \\[1, 1, 4, 4\\]`));
  });

  it('rejects inputs of rank < 2 and empty spatial sizes', () => {
    expect(() => pool(tensor([1, 2, 3]), 1)).toThrow(new RegExp(`^${name}: input must have at least 2 dims`));
    expect(() => pool(tensor([], [1, 1, 0, 2]), [2, 1], { padding: [1, 0] })).toThrow(new RegExp(`^${name}: .*empty spatial size`));
  });
});
