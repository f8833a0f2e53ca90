// abs, clamp, where and the comparisons eq/ne/lt/le/gt/ge: forward against the definition (with
// broadcasting), PyTorch's gradients at the kinks (abs'(0) = 0, clamp' = 1 on [min, max] inclusive),
// finite differences away from them.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { abs, clamp, ConvgradError, eq, ge, gt, le, lt, ne, tensor, Tensor, where } from '../src/index.ts';
import { broadcastPairArb, gradcheck, gradgradcheck, makeTensor, shapeArb } from '../src/testing/index.ts';
import { broadcastShape, checkProperty, expectGradOk } from './helpers.ts';
import { boundaryCaseArb, flatOf, seedArb, t64, unflatten } from './ops-reference.ts';

const plain = (t: Tensor) => Array.from(t.data, (v) => v + 0);
const specArb = fc.record({ shape: shapeArb({ minRank: 0, maxRank: 3 }), seed: seedArb });

/** The element of a (broadcast) operand at an output multi-index. */
function bAt(t: Tensor, outIdx: number[]): number {
  const off = outIdx.length - t.rank;
  return t.data[flatOf(t.shape.map((s, i) => (s === 1 ? 0 : outIdx[off + i])), t.shape)];
}

describe('abs', () => {
  it('is |x| with gradient sign(x); second order through a square', () => {
    checkProperty(specArb, (spec) => {
      const x = makeTensor(spec);
      expect(Array.from(abs(x).data)).toEqual(Array.from(x.data, Math.abs));
      expectGradOk(gradcheck((t) => abs(t), [x]));
      expectGradOk(gradgradcheck((t) => abs(t).mul(abs(t)).mul(t), [x]));
    });
  });

  it('the gradient is 0 at +0 and -0, ±1 elsewhere (PyTorch); huge and tiny values keep their sign', () => {
    const x = t64([0, -0, 1e-300, -1e300, 2], true);
    abs(x).sum().backward();
    expect(plain(x.grad!)).toEqual([0, 0, 1, -1, 1]);
    expect(Object.is(abs(tensor([-0])).data[0], 0)).toBe(true);
  });

  it('a NaN input gets a NaN gradient: NaN propagates (as NumPy and TF 2; PyTorch 1.13–2.x gives 0)', () => {
    const x = t64([Number.NaN, 0, -2], true);
    abs(x).sum().backward();
    expect(plain(x.grad!)).toEqual([Number.NaN, 0, -1]);
  });
});

describe('clamp', () => {
  const boundsArb = fc.record({ spec: specArb, lo: fc.option(fc.double({ min: -1.5, max: 0.5, noNaN: true }), { nil: undefined }), width: fc.double({ min: 0, max: 2, noNaN: true }) })
    .filter(({ lo, width }) => lo !== undefined || width > 0);

  it('is min(max(x, min), max) with gradient 1 strictly inside and 0 outside', () => {
    checkProperty(boundsArb, ({ spec, lo, width }) => {
      const hi = lo === undefined ? width : width > 1.5 ? undefined : lo + width;
      const x = makeTensor(spec);
      const y = clamp(x, lo, hi);
      expect(Array.from(y.data)).toEqual(Array.from(x.data, (v) => Math.min(Math.max(v, lo ?? -Infinity), hi ?? Infinity)));
      expectGradOk(gradcheck((t) => clamp(t, lo, hi), [x]));
      expectGradOk(gradgradcheck((t) => { const c = clamp(t, { min: lo, max: hi }); return c.mul(c); }, [x]));
    });
  });

  it('the gradient is 1 on the bounds themselves (inclusive, PyTorch); min > max gives max everywhere', () => {
    const x = t64([-1, 0, 0.5, 2, 3], true);
    clamp(x, 0, 2).sum().backward();
    expect(plain(x.grad!)).toEqual([0, 1, 1, 1, 0]);
    expect(Array.from(clamp(tensor([0, 1, 5]), 3, 2).data)).toEqual([2, 2, 2]);
    expect(clamp(tensor([NaN, 1]), 0, 0.5).data[0]).toBeNaN();
    expect(Array.from(clamp(tensor([-5, 5]), { max: 1 }).data)).toEqual([-5, 1]);
    expect(Array.from(clamp(tensor([-5, 5]), undefined, 1).data)).toEqual([-5, 1]);
  });

  it('refuses missing bounds, unknown options, NaN and tensor bounds', () => {
    const x = tensor([1, 2]);
    expect(() => clamp(x)).toThrow(/^clamp: at least one of min and max must be given/);
    expect(() => clamp(x, { min: 0, maximum: 1 } as never)).toThrow(/^clamp: unknown option 'maximum'/);
    expect(() => clamp(x, NaN)).toThrow(/^clamp: min must be a number/);
    expect(() => clamp(x, x as never)).toThrow(/^clamp: min must be a number .*a Tensor/);
    expect(() => clamp(x, { min: 0 }, 1)).toThrow(/^clamp: pass either/);
  });
});

describe('comparisons', () => {
  const ops = [['eq', eq, (a: number, b: number) => a === b], ['ne', ne, (a: number, b: number) => a !== b],
    ['lt', lt, (a: number, b: number) => a < b], ['le', le, (a: number, b: number) => a <= b],
    ['gt', gt, (a: number, b: number) => a > b], ['ge', ge, (a: number, b: number) => a >= b]] as const;

  it.each(ops)('%s broadcasts and returns 0/1 of the operands\' dtype without a graph', (_name, op, ref) => {
    checkProperty(fc.record({ shapes: broadcastPairArb(), seed: seedArb }), ({ shapes: [sa, sb], seed }) => {
      // Rounded values so that equal elements occur.
      const a = new Tensor(makeTensor({ shape: sa, seed }).data.map(Math.round), sa, true);
      const b = new Tensor(makeTensor({ shape: sb, seed: seed + 1 }).data.map(Math.round), sb);
      const y = op(a, b);
      const shape = broadcastShape(sa, sb);
      expect(y.shape).toEqual(shape);
      expect(y.dtype).toBe('float64');
      expect(y.requiresGrad).toBe(false);
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, shape);
        expect(y.data[f]).toBe(ref(bAt(a, idx), bAt(b, idx)) ? 1 : 0);
      }
    }, 20);
  });

  it('numbers on either side; NaN compares unequal to everything; -0 equals +0', () => {
    const x = tensor([NaN, -0, 1]);
    expect(Array.from(eq(x, 0).data)).toEqual([0, 1, 0]);
    expect(Array.from(ne(x, x).data)).toEqual([1, 0, 0]);
    expect(Array.from(lt(0.5, x).data)).toEqual([0, 0, 1]);
    expect(Array.from(x.ge(1).data)).toEqual([0, 0, 1]);
    expect(Array.from(x.le(0).data)).toEqual([0, 1, 0]);
    expect(Array.from(x.gt(x).data)).toEqual([0, 0, 0]);
  });

  it('refuses mismatched shapes and dtypes, naming the op', () => {
    expect(() => lt(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/^lt: shapes \[2\] and \[3\] cannot be broadcast/);
    expect(() => eq(tensor([1]), tensor([1], { dtype: 'float64' }))).toThrow(/^eq: dtype mismatch/);
    expect(() => gt(1 as never, 2 as never)).toThrow(/^gt: at least one operand must be a Tensor/);
    expect(() => ge(tensor([1]), '1' as never)).toThrow(ConvgradError);
  });
});

describe('where', () => {
  const caseArb = fc.record({ shapes: broadcastPairArb(), seed: seedArb, condFirst: fc.boolean() });

  it('picks a where cond ≠ 0, else b, over the broadcast shape of all three; gradients to a and b', () => {
    checkProperty(caseArb, ({ shapes: [s1, s2], seed, condFirst }) => {
      // cond takes one of the two shapes, a and b the other and a broadcast of it.
      const [sc, sab] = condFirst ? [s1, s2] : [s2, s1];
      const cond = gt(makeTensor({ shape: sc, seed }, { requiresGrad: false }), 0);
      const a = makeTensor({ shape: sab, seed: seed + 1 });
      const b = makeTensor({ shape: sc, seed: seed + 2 });
      const y = where(cond, a, b);
      const shape = broadcastShape(sc, sab);
      expect(y.shape).toEqual(shape);
      for (let f = 0; f < y.size; f++) {
        const idx = unflatten(f, shape);
        expect(y.data[f]).toBe(bAt(cond, idx) !== 0 ? bAt(a, idx) : bAt(b, idx));
      }
      expectGradOk(gradcheck((p, q) => where(cond, p, q), [a, b]));
      expectGradOk(gradgradcheck((p, q) => { const w = where(cond, p, q); return w.mul(w); }, [a, b]));
    });
  });

  it('the same tensor on both sides gets both gradients; numbers are constants; any non-zero (NaN too) is true', () => {
    const x = t64([1, 2, 3], true);
    const cond = tensor([1, 0, NaN], { dtype: 'float64' });
    where(cond, x, x.mul(10)).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 10, 1]);
    expect(Array.from(where(cond, 5, x).data)).toEqual([5, 2, 5]);
    expect(Array.from(x.where(cond, -1).data)).toEqual([1, -1, 3]);
    expect(where(tensor([1, 0]), 1, 2).dtype).toBe('float32');
  });

  it('refuses shapes that do not broadcast and mismatched value dtypes', () => {
    expect(() => where(tensor([1, 0]), tensor([1, 2, 3]), 0)).toThrow(/^where: shapes \[2\] and \[3\] cannot be broadcast/);
    expect(() => where(tensor([1]), tensor([1]), tensor([1], { dtype: 'float64' }))).toThrow(/^where: dtype mismatch between a \(float32\) and b \(float64\)/);
    expect(() => where([1] as never, 1, 2)).toThrow(/^where: cond must be a Tensor/);
  });
});

describe('boundary values (±0, ±1, tiny, huge)', () => {
  it('abs, clamp and the comparisons follow their definitions and PyTorch\'s gradient rules elementwise', () => {
    checkProperty(boundaryCaseArb, ({ shape, values }) => {
      const x = new Tensor(Float64Array.from(values), shape, true);
      abs(x).sum().backward();
      expect(Array.from(abs(x).data)).toEqual(values.map(Math.abs));
      expect(plain(x.grad!)).toEqual(values.map((v) => (v > 0 ? 1 : v < 0 ? -1 : 0)));
      const c = new Tensor(Float64Array.from(values), shape, true);
      clamp(c, -1, 1e-300).sum().backward();
      expect(Array.from(clamp(c, -1, 1e-300).data)).toEqual(values.map((v) => Math.min(Math.max(v, -1), 1e-300)));
      expect(plain(c.grad!)).toEqual(values.map((v) => (v >= -1 && v <= 1e-300 ? 1 : 0)));
      expect(Array.from(eq(x, 0).data)).toEqual(values.map((v) => (v === 0 ? 1 : 0)));
      expect(Array.from(le(x, -0).data)).toEqual(values.map((v) => (v <= 0 ? 1 : 0)));
    }, 40);
  });
});
