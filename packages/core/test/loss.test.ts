// mseLoss with reduction 'mean' (default), 'sum' and 'none': forward from the definition, first and
// second derivatives in both arguments against central differences.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { mseLoss } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb } from '../src/testing/index.ts';
import { checkProperty, expectGradOk } from './helpers.ts';

const caseArb = fc.record({
  shape: shapeArb({ minRank: 0, maxRank: 4 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  reduction: fc.constantFrom('mean' as const, 'sum' as const, 'none' as const),
});

describe('mseLoss', () => {
  it('forward: Σ(p − t)², divided by the element count for mean, elementwise for none', () => {
    checkProperty(caseArb, ({ shape, seed, reduction }) => {
      const p = makeTensor({ shape, seed }), t = makeTensor({ shape, seed: seed + 1 });
      const sq = Array.from(p.data, (v, i) => (v - t.data[i]) ** 2);
      const out = mseLoss(p, t, { reduction });
      if (reduction === 'none') {
        expect(out.shape).toEqual(shape);
        sq.forEach((v, i) => expect(out.data[i]).toBeCloseTo(v, 12));
      } else {
        expect(out.shape).toEqual([]);
        const s = sq.reduce((a, v) => a + v, 0);
        expect(out.item()).toBeCloseTo(reduction === 'mean' ? s / p.size : s, 10);
      }
    });
  });

  it('defaults to mean, as PyTorch', () => {
    const p = makeTensor({ shape: [3, 4], seed: 1 }), t = makeTensor({ shape: [3, 4], seed: 2 });
    expect(mseLoss(p, t).item()).toBe(mseLoss(p, t, { reduction: 'mean' }).item());
    expect(mseLoss(p, t).item()).toBeCloseTo(mseLoss(p, t, { reduction: 'sum' }).item() / 12, 12);
  });

  it('backward in pred and target matches finite differences', () => {
    checkProperty(caseArb, ({ shape, seed, reduction }) => {
      const p = makeTensor({ shape, seed }), t = makeTensor({ shape, seed: seed + 1 });
      expectGradOk(gradcheck((a, b) => mseLoss(a, b, { reduction }), [p, t]));
    });
  });

  it('second derivatives match finite differences', () => {
    checkProperty(caseArb, ({ shape, seed, reduction }) => {
      const p = makeTensor({ shape, seed }), t = makeTensor({ shape, seed: seed + 1 });
      expectGradOk(gradgradcheck((a, b) => mseLoss(a, b, { reduction }), [p, t]));
    }, 20);
  });

  it('a target that does not require grad gets no gradient', () => {
    const p = makeTensor({ shape: [2, 3], seed: 3 }), t = makeTensor({ shape: [2, 3], seed: 4 }, { requiresGrad: false });
    mseLoss(p, t).backward();
    expect(t.grad).toBeNull();
    // ∂/∂p of mean((p − t)²) = 2(p − t)/n
    Array.from(p.grad!.data).forEach((g, i) => expect(g).toBeCloseTo((2 * (p.data[i] - t.data[i])) / 6, 12));
  });
});
