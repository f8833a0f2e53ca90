// max/min (values + indices along a dim), amax/amin, argmax/argmin: forward against the definition,
// tie behaviour (max(dim) → first maximum; max() and amax → shared evenly), gradients by finite differences.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { amax, amin, argmax, argmin, ConvgradError, max, min, tensor, Tensor } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb } from '../src/testing/index.ts';
import { checkProperty, expectGradOk } from './helpers.ts';
import { alongDim, boundaryCaseArb, dimCaseArb, linesAlong, reducedShape, seedArb, t64 } from './ops-reference.ts';

/** Values with −0 read as 0 (toEqual tells them apart). */
const plain = (t: Tensor) => Array.from(t.data, (v) => v + 0);
const firstIndex = (pick: (a: number, b: number) => boolean) => (vs: number[]) => vs.reduce((bi, v, i) => (pick(v, vs[bi]) ? i : bi), 0);

describe.each([
  ['max', max, Math.max, (a: number, b: number) => a > b],
  ['min', min, Math.min, (a: number, b: number) => a < b],
] as const)('%s(x, dim)', (name, op, ref, better) => {
  it('values and first indices match the definition; the gradient goes to the chosen element', () => {
    checkProperty(dimCaseArb(), ({ shape, seed, dim, keepDim }) => {
      const x = makeTensor({ shape, seed });
      const d = (dim + shape.length) % shape.length;
      const { values, indices } = op(x, dim, keepDim);
      const want = reducedShape(shape, d, keepDim);
      expect(values.shape).toEqual(want);
      expect(indices.shape).toEqual(want);
      expect(indices.dtype).toBe(x.dtype);
      expect(Array.from(values.data)).toEqual(alongDim(x.data, shape, d, (vs) => ref(...vs)));
      expect(Array.from(indices.data)).toEqual(alongDim(x.data, shape, d, firstIndex(better)));
      expectGradOk(gradcheck((t) => op(t, dim, keepDim).values, [x]));
      expectGradOk(gradgradcheck((t) => { const v = op(t, dim, keepDim).values; return v.mul(v); }, [x]));
    });
  });

  it('on ties the gradient goes to the FIRST extremum only (PyTorch)', () => {
    const x = t64([[3, 1, 3], [2, 2, 2]], true);
    op(name === 'max' ? x : x.neg(), 1).values.sum().backward();
    expect(plain(x.grad!)).toEqual(name === 'max' ? [1, 0, 0, 1, 0, 0] : [-1, 0, 0, -1, 0, 0]);
    expect(Array.from(op(x, 1).indices.data)).toEqual(name === 'max' ? [0, 0] : [1, 0]);
  });

  it('NaN propagates: value NaN, index of the first NaN', () => {
    const r = op(tensor([1, NaN, 2, NaN]), 0);
    expect(r.values.item()).toBeNaN();
    expect(r.indices.item()).toBe(1);
    expect(op(tensor([1, NaN, 2])).item()).toBeNaN();
  });
});

describe.each([['amax', amax, Math.max], ['amin', amin, Math.min]] as const)('%s', (name, op, ref) => {
  const multiArb = shapeArb({ minRank: 1, maxRank: 4 }).chain((shape) => fc.record({
    shape: fc.constant(shape), seed: seedArb, keepDim: fc.boolean(),
    dims: fc.option(fc.subarray(shape.map((_, i) => i), { minLength: 1 }), { nil: undefined }),
  }));

  it('over several dims equals reducing one dim at a time; gradients by finite differences', () => {
    checkProperty(multiArb, ({ shape, seed, keepDim, dims }) => {
      const x = makeTensor({ shape, seed });
      const y = op(x, dims, keepDim);
      const axes = dims ?? shape.map((_, i) => i);
      let data: number[] = Array.from(x.data), cur = [...shape];
      for (const a of axes) { data = alongDim(data, cur, a, (vs) => ref(...vs)); cur = cur.map((s, i) => (i === a ? 1 : s)); }
      expect(y.shape).toEqual(keepDim ? cur : shape.filter((_, i) => !axes.includes(i)));
      expect(Array.from(y.data)).toEqual(data);
      expectGradOk(gradcheck((t) => op(t, dims, keepDim), [x]));
      expectGradOk(gradgradcheck((t) => { const v = op(t, dims, keepDim); return v.mul(v); }, [x]));
    });
  });

  it('ties share the gradient evenly (PyTorch), per output', () => {
    const x = t64([[5, 1, 5, 5], [0, 0, -2, 7]], true);
    const sign = name === 'amax' ? 1 : -1;
    op(x.mul(sign), 1).mul(tensor([1, 2], { dtype: 'float64' })).sum().backward();
    expect(plain(x.grad!)).toEqual([1 / 3, 0, 1 / 3, 1 / 3, 0, 0, 0, 2].map((v) => v * sign + 0));
  });
});

describe('max() / min() without a dim', () => {
  it('is the extremum of all elements, and ties share the gradient (as amax, as PyTorch)', () => {
    const x = t64([1, 3, 3, 2], true);
    const m = max(x);
    expect(m.shape).toEqual([]);
    expect(m.item()).toBe(3);
    m.backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0.5, 0.5, 0]);
    const y = t64([[4, -1], [-1, 0]], true);
    min(y).backward();
    expect(y.grad!.toArray()).toEqual([[0, 0.5], [0.5, 0]]);
  });

  it('gradients by finite differences', () => {
    checkProperty(fc.record({ shape: shapeArb({ minRank: 0, maxRank: 3 }), seed: seedArb }), (spec) => {
      expectGradOk(gradcheck((t) => max(t), [makeTensor(spec)]));
      expectGradOk(gradcheck((t) => min(t), [makeTensor(spec)]));
    }, 20);
  });
});

describe('argmax / argmin', () => {
  it('along a dim: the first extremum, as a float tensor of integer values; no gradient', () => {
    checkProperty(dimCaseArb(), ({ shape, seed, dim, keepDim }) => {
      const x = makeTensor({ shape, seed });
      const d = (dim + shape.length) % shape.length;
      expect(Array.from(argmax(x, dim, keepDim).data)).toEqual(alongDim(x.data, shape, d, firstIndex((a, b) => a > b)));
      expect(Array.from(argmin(x, dim, keepDim).data)).toEqual(alongDim(x.data, shape, d, firstIndex((a, b) => a < b)));
      expect(argmax(x, dim, keepDim).shape).toEqual(reducedShape(shape, d, keepDim));
      expect(argmax(x, dim).requiresGrad).toBe(false);
    });
  });

  it('without a dim: an index into the flattened tensor (first on ties); keepDim keeps all dims as 1', () => {
    const x = tensor([[1, 7, 7], [0, 7, -3]]);
    expect(argmax(x).item()).toBe(1);
    expect(argmin(x).item()).toBe(5);
    expect(argmax(x, undefined, true).shape).toEqual([1, 1]);
    expect(argmax(tensor([-0, 0, -1])).item()).toBe(0);
  });
});

describe('rank 0 and Tensor methods', () => {
  it('a scalar reduces over dim 0 / -1 to itself, as PyTorch', () => {
    const s = tensor(2.5);
    expect(max(s, 0).values.item()).toBe(2.5);
    expect(max(s, -1).indices.item()).toBe(0);
    expect(amax(s).item()).toBe(2.5);
    expect(argmax(s).item()).toBe(0);
  });

  it('methods call the ops', () => {
    const x = tensor([[1, 9], [4, 2]]);
    expect(x.max().item()).toBe(9);
    expect(x.min(1).indices.toArray()).toEqual([0, 1]);
    expect(x.amax(0).toArray()).toEqual([4, 9]);
    expect(x.amin([0, 1]).item()).toBe(1);
    expect(x.argmax(0, true).toArray()).toEqual([[1, 0]]);
    expect(x.argmin().item()).toBe(0);
  });
});

describe('argument checks', () => {
  it('bad dims, empty reductions, non-boolean keepDim and a Tensor second operand are refused, naming the op', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(() => max(x, 2)).toThrow(ConvgradError);
    expect(() => max(x, 2)).toThrow(/^max: dim 2 is out of range for a tensor of rank 2/);
    expect(() => min(x, -3)).toThrow(/^min: dim -3 is out of range/);
    expect(() => amax(x, [0, 0])).toThrow(/^amax: repeated axis/);
    expect(() => amin(x, 1.5)).toThrow(/^amin: axis 1.5 is out of range/);
    expect(() => argmax(x, 5)).toThrow(/^argmax: dim 5/);
    expect(() => max(new Tensor(new Float32Array(0), [0, 3]), 0)).toThrow(/^max: cannot reduce over a dim of size 0/);
    expect(max(new Tensor(new Float32Array(0), [0, 3]), 1).values.shape).toEqual([0]);
    expect(() => amax(new Tensor(new Float32Array(0), [0]))).toThrow(/^amax: cannot reduce over a dim of size 0/);
    expect(() => argmin(new Tensor(new Float32Array(0), [0]))).toThrow(/^argmin: cannot take the argmin of a tensor with no elements/);
    expect(() => max(x, 0, 'yes' as unknown as boolean)).toThrow(/^max: keepDim must be a boolean/);
    expect(() => max(x, x as unknown as number)).toThrow(/^max: max\(a, b\) with a Tensor b/);
    expect(() => max([1, 2] as unknown as Tensor)).toThrow(/^max: input must be a Tensor/);
  });
});

describe('boundary values (±0, ±1, tiny, huge; many ties)', () => {
  it('max/min(dim): value and index of the first extremum, gradient only there; amax/amin: gradient shared by all tied', () => {
    checkProperty(boundaryCaseArb, ({ shape, values, dim }) => {
      for (const [vi, shared, better] of [
        [max, amax, (a: number, b: number) => a > b], [min, amin, (a: number, b: number) => a < b],
      ] as const) {
        const lines = linesAlong(shape, dim);
        const weights = lines.map((_, k) => k + 1);
        const x = new Tensor(Float64Array.from(values), shape, true);
        const r = vi(x, dim, true);
        const w = new Tensor(Float64Array.from(weights), r.values.shape);
        r.values.mul(w).sum().backward();
        const wantGrad = new Array<number>(x.size).fill(0);
        lines.forEach((line, k) => {
          const first = line.reduce((bi, p) => (better(values[p], values[bi]) ? p : bi), line[0]);
          expect(Object.is(r.values.data[k], values[first])).toBe(true);
          expect(r.indices.data[k]).toBe(line.indexOf(first));
          wantGrad[first] = weights[k];
        });
        expect(Array.from(x.grad!.data)).toEqual(wantGrad);

        const y = new Tensor(Float64Array.from(values), shape, true);
        shared(y, dim, true).mul(w).sum().backward();
        const wantShared = new Array<number>(y.size).fill(0);
        lines.forEach((line, k) => {
          const best = line.reduce((b, p) => (better(values[p], b) ? values[p] : b), values[line[0]]);
          const ties = line.filter((p) => values[p] === best);
          ties.forEach((p) => (wantShared[p] = weights[k] / ties.length));
        });
        expect(Array.from(y.grad!.data)).toEqual(wantShared);
      }
    }, 60);
  });
});
