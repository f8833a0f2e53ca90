// var/std, logsumexp, norm, cumsum: forward against the definition (and PyTorch 1.13 values),
// stability at huge/tiny magnitudes, PyTorch's gradients where the derivative does not exist,
// first and second derivatives by finite differences.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { cumsum, logsumexp, norm, std, tensor, Tensor, variance, var as varOp, zeros } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';
import { alongDim, dimCaseArb, flatOf, reducedShape, t64, unflatten } from './ops-reference.ts';

const plain = (t: Tensor) => Array.from(t.data, (v) => v + 0);
/** expectClose that also requires NaN / ±Infinity exactly where they are expected (N ≤ correction). */
function expectCloseNaN(actual: ArrayLike<number>, want: number[], what: string): void {
  want.forEach((w, i) => { if (!Number.isFinite(w)) expect(actual[i], `${what}[${i}]`).toBe(w); });
  const finite = (vs: ArrayLike<number>) => Array.from(vs, (v, i) => (Number.isFinite(want[i]) ? v : 0));
  expectClose(finite(actual), finite(want), 1e-12, what);
}
const meanOf = (vs: number[]) => vs.reduce((p, v) => p + v, 0) / vs.length;

describe('var / std', () => {
  const caseArb = dimCaseArb({ maxRank: 3 }).chain((c) => fc.record({ c: fc.constant(c), correction: fc.constantFrom(undefined, 0, 1, 2), all: fc.boolean() }));

  it('Σ(x − mean)² / (N − correction) (unbiased by default), std = √var; first and second derivatives', () => {
    checkProperty(caseArb, ({ c: { shape, seed, dim, keepDim }, correction, all }) => {
      const x = makeTensor({ shape, seed });
      const d = (dim + shape.length) % shape.length;
      const opts = { keepDim, ...(correction === undefined ? {} : { correction }) };
      const corr = correction ?? 1;
      const ref = (vs: number[]) => { const m = meanOf(vs); return vs.reduce((p, v) => p + (v - m) ** 2, 0) / Math.max(0, vs.length - corr); };
      const dims = all ? undefined : dim;
      const v = variance(x, dims, opts);
      const want = all ? [ref(Array.from(x.data))] : alongDim(x.data, shape, d, ref);
      expect(v.shape).toEqual(all ? (keepDim ? shape.map(() => 1) : []) : reducedShape(shape, d, keepDim));
      expectCloseNaN(v.data, want, 'var');
      expectCloseNaN(std(x, dims, opts).data, want.map(Math.sqrt), 'std');
      const n = all ? x.size : shape[d];
      if (n > corr) {
        expectGradOk(gradcheck((t) => variance(t, dims, opts), [x]));
        expectGradOk(gradcheck((t) => std(t, dims, opts), [x]));
        expectGradOk(gradgradcheck((t) => std(t, dims, opts), [x]));
      }
    }, 30);
  });

  it('PyTorch 1.13 values, options and edge cases: one element → NaN, a constant → std gradient 0', () => {
    const x = tensor([[1, 2], [3, 5]], { dtype: 'float64' });
    expect(variance(x).item()).toBeCloseTo(2.9166666666666665, 14);
    expect(variance(x, { unbiased: false }).item()).toBeCloseTo(2.1875, 14);
    expect(varOp(x, 1, { unbiased: false }).toArray()).toEqual([0.25, 1]);
    expect(x.std(0, { keepDim: true }).shape).toEqual([1, 2]);
    expect(x.var([0, 1], { correction: 0 }).item()).toBeCloseTo(2.1875, 14);
    expect(variance(tensor([3])).item()).toBeNaN();
    // dims [] means all of them (PyTorch's dim=()); a zero-dimensional input takes dim 0, −1 or none
    expect(x.var([], { correction: 0 }).item()).toBeCloseTo(2.1875, 14);
    for (const d of [0, -1, undefined, []]) expect(variance(tensor(3), d, { correction: 0 }).toArray()).toBe(0);
    const c = t64([2, 2, 2], true);
    std(c).backward();
    expect(plain(c.grad!)).toEqual([0, 0, 0]);
    const z = t64([0, 0], true);
    variance(z).backward();
    expect(plain(z.grad!)).toEqual([0, 0]);
  });

  it('refuses unknown options, both unbiased and correction, and bad values', () => {
    const x = tensor([1, 2, 3]);
    expect(() => variance(x, 0, { ddof: 1 } as never)).toThrow(/^var: unknown option 'ddof' \(known: unbiased, correction, keepDim\)/);
    expect(() => std(x, 0, { unbiased: true, correction: 1 })).toThrow(/^std: give either unbiased or correction, not both/);
    expect(() => std(x, 0, { correction: -1 })).toThrow(/^std: correction must be a non-negative integer, got -1/);
    expect(() => variance(x, 0, { unbiased: 1 } as never)).toThrow(/^var: unbiased must be a boolean/);
    expect(() => variance(x, 1)).toThrow(/^var: axis 1 is out of range for rank 1/);
  });
});

describe('logsumexp', () => {
  it('log Σ exp along dims; gradient is softmax; second order', () => {
    checkProperty(dimCaseArb({ maxRank: 3 }), ({ shape, seed, dim, keepDim }) => {
      const x = makeTensor({ shape, seed });
      const d = (dim + shape.length) % shape.length;
      const y = logsumexp(x, dim, keepDim);
      expect(y.shape).toEqual(reducedShape(shape, d, keepDim));
      expectClose(y.data, alongDim(x.data, shape, d, (vs) => Math.log(vs.reduce((p, v) => p + Math.exp(v), 0))), 1e-12, 'logsumexp');
      expectGradOk(gradcheck((t) => logsumexp(t, dim, keepDim), [x]));
      expectGradOk(gradgradcheck((t) => logsumexp(t, dim, keepDim), [x]));
    }, 30);
  });

  it('is stable for huge and −inf inputs (as PyTorch), over all dims by default', () => {
    expect(logsumexp(t64([1000, 1000]), 0).item()).toBeCloseTo(1000 + Math.log(2), 10);
    expect(logsumexp(t64([-1000, -1000])).item()).toBeCloseTo(-1000 + Math.log(2), 10);
    expect(logsumexp(t64([-Infinity, -Infinity]), 0).item()).toBe(-Infinity);
    expect(logsumexp(t64([Infinity, 1]), 0).item()).toBe(Infinity);
    expect(logsumexp(t64([-Infinity, 0]), 0).item()).toBe(0);
    expect(logsumexp(zeros([2, 0]), 1).toArray()).toEqual([-Infinity, -Infinity]);
    const x = t64([[1, 2], [3, 4]], true);
    x.logsumexp([0, 1]).backward();
    const e = [1, 2, 3, 4].map(Math.exp), s = e.reduce((p, v) => p + v, 0);
    expectClose(x.grad!.data, e.map((v) => v / s), 1e-14);
  });
});

describe('norm', () => {
  const pArb = fc.constantFrom<number | 'fro'>(2, 'fro', 1, 3, 0.5, Infinity, -Infinity);
  const ref = (p: number | 'fro') => (vs: number[]) => {
    const a = vs.map(Math.abs);
    if (p === 'fro' || p === 2) return Math.sqrt(a.reduce((s, v) => s + v * v, 0));
    if (p === Infinity) return Math.max(...a);
    if (p === -Infinity) return Math.min(...a);
    return a.reduce((s, v) => s + v ** p, 0) ** (1 / p);
  };

  it('vector p-norms along a dim; first and second derivatives', () => {
    checkProperty(dimCaseArb({ maxRank: 3 }).chain((c) => fc.record({ c: fc.constant(c), p: pArb })), ({ c: { shape, seed, dim, keepDim }, p }) => {
      const x = makeTensor({ shape, seed });
      const d = (dim + shape.length) % shape.length;
      const y = norm(x, p, dim, keepDim);
      expect(y.shape).toEqual(reducedShape(shape, d, keepDim));
      expectClose(y.data, alongDim(x.data, shape, d, ref(p)), 1e-12, `norm p=${p}`);
      expectGradOk(gradcheck((t) => norm(t, p, dim, keepDim), [x]));
      expectGradOk(gradgradcheck((t) => { const n = norm(t, p, dim, keepDim); return n.mul(n).mul(n); }, [x]));
    }, 35);
  });

  it('defaults to the 2-norm of all elements; huge and tiny values neither overflow nor underflow; p = 0 counts non-zeros', () => {
    expect(norm(tensor([3, 4])).item()).toBe(5);
    expect(norm(t64([3e200, 4e200])).item()).toBeCloseTo(5e200, -188);
    expect(norm(t64([3e-200, 4e-200])).item() / 5e-200).toBeCloseTo(1, 12);
    expect(norm(tensor([1e20, 1e20])).item() / (Math.SQRT2 * 1e20)).toBeCloseTo(1, 6); // float32
    expect(norm(tensor([0, -2, 0, 1]), 0).item()).toBe(2);
    expect(norm(tensor([[1, -5], [3, 2]]), Infinity, 1).toArray()).toEqual([5, 3]);
    expect(tensor([[3, 4]]).norm(2, 1, true).shape).toEqual([1, 1]);
  });

  it('gradient 0 at the zero vector (PyTorch) for every p; zero entries get 0 for p < 1; inf-norm ties share the gradient', () => {
    for (const p of [2, 1, 3, 0.5, 1.5] as const) {
      const z = t64([0, -0, 0], true);
      norm(z, p).backward();
      expect(plain(z.grad!)).toEqual([0, 0, 0]);
    }
    const h = t64([0, 4, -0], true);
    norm(h, 0.5).backward();
    expect(plain(h.grad!)).toEqual([0, 1, 0]);
    const x = t64([1, -3, 3, 2], true);
    norm(x, Infinity).backward();
    expect(plain(x.grad!)).toEqual([0, -0.5, 0.5, 0]);
  });

  it('refuses unknown p (\'nuc\', negative, NaN) and bad dims', () => {
    expect(() => norm(tensor([1]), 'nuc' as never)).toThrow(/^norm: p must be 'fro', a number ≥ 0, Infinity or -Infinity, got nuc \('nuc' is not implemented\)/);
    expect(() => norm(tensor([1]), -1)).toThrow(/^norm: p must be/);
    expect(() => norm(tensor([1]), NaN)).toThrow(/^norm: p must be/);
    expect(() => norm(tensor([1]), 2, 1)).toThrow(/^norm: axis 1 is out of range/);
    expect(() => norm(tensor([1]), 2, 0, 1 as never)).toThrow(/^norm: keepDim must be a boolean/);
  });
});

describe('cumsum', () => {
  it('running sums along dim; gradient is the reversed running sum; second order', () => {
    checkProperty(dimCaseArb({ maxRank: 3 }), ({ shape, seed, dim }) => {
      const x = makeTensor({ shape, seed });
      const d = (dim + shape.length) % shape.length;
      const y = cumsum(x, dim);
      expect(y.shape).toEqual(shape);
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, shape);
        let s = 0;
        for (let j = 0; j <= idx[d]; j++) s += x.data[flatOf(idx.map((v, i) => (i === d ? j : v)), shape)];
        expect(y.data[f]).toBeCloseTo(s, 12);
      }
      expectGradOk(gradcheck((t) => cumsum(t, dim), [x]));
      expectGradOk(gradgradcheck((t) => { const c = cumsum(t, dim); return c.mul(c); }, [x]));
    }, 30);
  });

  it('example, rank 0, and checks', () => {
    expect(tensor([[1, 2], [3, 4]]).cumsum(1).toArray()).toEqual([[1, 3], [3, 7]]);
    expect(cumsum(tensor([[1, 2], [3, 4]]), 0).toArray()).toEqual([[1, 2], [4, 6]]);
    expect(cumsum(tensor(5), 0).item()).toBe(5);
    expect(() => cumsum(tensor([1]), 1)).toThrow(/^cumsum: dim 1 is out of range/);
    expect(() => cumsum(tensor([1]), undefined as never)).toThrow(/^cumsum: dim/);
  });
});
