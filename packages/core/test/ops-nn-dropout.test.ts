// dropout: identity in evaluation or at p = 0, seeded masks, inverted scaling, the drop rate, the
// gradient through the mask, bad p.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dropout, ones, Rng, tensor, type Tensor } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb, tensorSpecArb } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

const caseArb = fc.record({
  spec: tensorSpecArb(shapeArb({ maxRank: 3, maxDim: 5 })),
  p: fc.double({ min: 0.05, max: 0.9, noNaN: true }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

describe('dropout', () => {
  it('is the identity when not training or when p = 0', () => {
    const x = makeTensor({ shape: [3, 4], seed: 1 });
    expect(dropout(x, 0.5, { training: false })).toBe(x);
    expect(dropout(x, 0, { seed: 3 })).toBe(x);
  });

  it('keeps each element scaled by 1/(1−p) or zeroes it; the same seed gives the same mask', () => {
    checkProperty(caseArb, ({ spec, p, seed }) => {
      const x = makeTensor(spec);
      const y = dropout(x, p, { seed });
      expect(y.shape).toEqual(x.shape);
      y.data.forEach((v, i) => {
        if (v !== 0) expect(v).toBeCloseTo(x.data[i] / (1 - p), 12);
      });
      expectClose(dropout(x, p, { seed }).data, y.data, 0, 'same seed');
    });
  });

  it('drops a fraction p of the elements and keeps the mean (inverted dropout)', () => {
    for (const p of [0.1, 0.5, 0.8]) {
      const y = dropout(ones([40_000], { dtype: 'float64' }), p, { seed: 42 });
      const dropped = y.data.filter((v) => v === 0).length / y.size;
      expect(Math.abs(dropped - p)).toBeLessThan(0.015);
      expect(Math.abs(y.mean().item() - 1)).toBeLessThan(0.05);
    }
  });

  it('draws fresh masks from a shared rng, and different seeds give different masks', () => {
    const x = ones([200]);
    const rng = new Rng(9);
    const a = dropout(x, 0.5, { rng }), b = dropout(x, 0.5, { rng });
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
    expect(Array.from(dropout(x, 0.5, { seed: 1 }).data)).not.toEqual(Array.from(dropout(x, 0.5, { seed: 2 }).data));
    expect(Array.from(dropout(x, 0.5).data)).not.toEqual(Array.from(dropout(x, 0.5).data));
  });

  it('routes the gradient through the same mask (first and second order)', () => {
    checkProperty(caseArb, ({ spec, p, seed }) => {
      const f = (t: Tensor) => dropout(t, p, { seed });
      expectGradOk(gradcheck(f, [makeTensor(spec)]));
      expectGradOk(gradgradcheck((t) => f(t).mul(t), [makeTensor(spec)]));
    }, 20);
    const x = tensor([1, 2, 3, 4, 5, 6], undefined, { dtype: 'float64', requiresGrad: true });
    const y = dropout(x, 0.5, { seed: 4 });
    y.sum().backward();
    expectClose(x.grad!.data, Array.from(y.data, (v, i) => v / x.data[i]), 1e-15, 'grad = mask/(1−p)');
  });

  it('rejects p outside [0, 1)', () => {
    const x = ones([2]);
    for (const p of [1, -0.1, 1.5, Number.NaN]) expect(() => dropout(x, p)).toThrow(/^dropout: p must be a probability in \[0, 1\)/);
  });

  it('rejects a training flag that is not a boolean (a truthy string would silently train), and an rng that is not an Rng', () => {
    const x = ones([2]);
    expect(() => dropout(x, 0.5, { training: 'no' as never })).toThrow(`dropout: training must be true or false, got 'no'`);
    expect(() => dropout(x, 0.5, { training: 0 as never })).toThrow('dropout: training must be true or false, got 0');
    expect(() => dropout(x, 0.5, { rng: { next: () => 0.5 } as never })).toThrow(/^dropout: rng must be an Rng, got /);
    expect(dropout(x, 0.5, { rng: new Rng(1) }).shape).toEqual([2]);
  });
});
