import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allclose, compareClose } from '../src/shared/allclose.ts';

const finite = fc.double({ min: -100, max: 100, noNaN: true });

describe('allclose (numpy semantics: |a − b| <= atol + rtol·|b|)', () => {
  it('accepts differences up to atol + rtol·|b|, inclusive', () => {
    expect(allclose([1], [1.001], { atol: 1e-3, rtol: 0 })).toBe(true);
    expect(allclose([1], [1.0011], { atol: 1e-3, rtol: 0 })).toBe(false);
    expect(allclose([1000], [1000.5], { atol: 0, rtol: 1e-3 })).toBe(true); // 0.5 <= 1.0005
    expect(allclose([1000], [1002], { atol: 0, rtol: 1e-3 })).toBe(false); // 2 > 1.002
  });

  it('is asymmetric like numpy: the tolerance scales with the second argument', () => {
    expect(allclose([10], [11], { atol: 0, rtol: 0.095 })).toBe(true); // 1 <= 1.045
    expect(allclose([11], [10], { atol: 0, rtol: 0.095 })).toBe(false); // 1 > 0.95
  });

  it('uses numpy defaults atol 1e-8, rtol 1e-5', () => {
    expect(allclose([1e5], [1e5 + 0.9])).toBe(true); // 0.9 <= 1e-8 + 1
    expect(allclose([1e-3], [1e-3 + 3e-8])).toBe(false); // 3e-8 > 1e-8 + 1e-8
  });

  it('treats NaN as never close and equal infinities as close', () => {
    expect(allclose([NaN], [NaN])).toBe(false);
    expect(allclose([1, NaN], [1, 1], { atol: 10 })).toBe(false);
    expect(allclose([Infinity, -Infinity], [Infinity, -Infinity])).toBe(true);
    expect(allclose([Infinity], [-Infinity])).toBe(false);
    expect(allclose([1], [Infinity], { atol: 1 })).toBe(false);
  });

  it('throws on different lengths', () => {
    expect(() => allclose([1, 2], [1])).toThrow(/lengths differ \(2 vs 1\)/);
  });

  it('property: perturbations within atol pass; one perturbation of 2·(atol + rtol·|b|) fails', () => {
    fc.assert(fc.property(
      fc.array(finite, { minLength: 1, maxLength: 20 }), fc.double({ min: 1e-6, max: 1, noNaN: true }), fc.double({ min: 0, max: 1e-3, noNaN: true }),
      fc.nat(), fc.boolean(),
      (b, atol, rtol, pick, up) => {
        const shrink = b.map((v, i) => v + (i % 2 ? 0.5 : -0.5) * atol);
        expect(allclose(shrink, b, { atol, rtol })).toBe(true);
        const k = pick % b.length;
        const far = [...b];
        far[k] = b[k] + (up ? 2 : -2) * (atol + rtol * Math.abs(b[k]));
        const r = compareClose(far, b, { atol, rtol });
        expect(r.close).toBe(false);
        expect(r.maxAbsDiff).toBeCloseTo(2 * (atol + rtol * Math.abs(b[k])), 6);
      },
    ), { numRuns: 100 });
  });
});
