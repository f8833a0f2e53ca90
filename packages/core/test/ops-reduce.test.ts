// sum and mean over random axes (negative too, or all), with and without keepDim.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { mean, sum } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb } from '../src/testing/index.ts';
import { checkProperty, expectGradOk } from './helpers.ts';

/** A shape, a seed, a subset of its axes (some written as negative) or undefined for all, keepDim. */
const reduceCaseArb = shapeArb({ minRank: 1, maxRank: 4 }).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    axes: fc.option(
      fc.subarray(shape.map((_, i) => i), { minLength: 1 }).chain((ax) =>
        fc.tuple(...ax.map((a) => fc.constantFrom(a, a - shape.length)))),
      { nil: undefined },
    ),
    keepDim: fc.boolean(),
  }));

/** The reduction written from the definition: walk every element, add it to its output slot. */
function referenceSum(data: ArrayLike<number>, shape: number[], axes: number[]): number[] {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Array<number>(outShape.reduce((p, d) => p * d, 1)).fill(0);
  for (let flat = 0; flat < data.length; flat++) {
    let rem = flat, o = 0, mult = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      const k = rem % shape[i];
      rem = Math.floor(rem / shape[i]);
      if (!axes.includes(i)) o += k * mult;
      mult *= outShape[i];
    }
    out[o] += data[flat];
  }
  return out;
}

describe.each([['sum', sum], ['mean', mean]] as const)('%s', (name, op) => {
  it('forward matches the definition and has the right shape', () => {
    checkProperty(reduceCaseArb, ({ shape, seed, axes, keepDim }) => {
      const x = makeTensor({ shape, seed });
      const y = op(x, axes, keepDim);
      const ax = axes === undefined ? shape.map((_, i) => i) : axes.map((a) => (a + shape.length) % shape.length);
      expect(y.shape).toEqual(keepDim ? shape.map((d, i) => (ax.includes(i) ? 1 : d)) : shape.filter((_, i) => !ax.includes(i)));
      const count = name === 'mean' ? ax.reduce((p, a) => p * shape[a], 1) : 1;
      const expected = referenceSum(x.data, shape, ax).map((v) => v / count);
      expected.forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 12));
    });
  });

  it('backward matches finite differences', () => {
    checkProperty(reduceCaseArb, ({ shape, seed, axes, keepDim }) => {
      expectGradOk(gradcheck((t) => op(t, axes, keepDim), [makeTensor({ shape, seed })]));
    });
  });

  it('second order through a square', () => {
    checkProperty(reduceCaseArb, ({ shape, seed, axes, keepDim }) => {
      expectGradOk(gradgradcheck((t) => { const r = op(t, axes, keepDim); return r.mul(r); }, [makeTensor({ shape, seed })]));
    }, 15);
  });
});
