// The SiLU/GELU kernels (kernels/smooth.ts) far out on both sides, where exp overflows: σ must be taken
// from the side that does not overflow (silu'(800) = 1, not ∞/∞), and the limits are exact.
import { describe, expect, it } from 'vitest';
import { smoothGradMap, smoothMap } from '../src/kernels/smooth.ts';

describe('js SiLU and GELU kernels where exp overflows', () => {
  it('silu and its derivative at ±800 and ±40, in float64 and float32', () => {
    for (const make of [(v: number[]) => new Float64Array(v), (v: number[]) => new Float32Array(v)]) {
      const x = make([800, -800, 40, -40]), g = make([2, 2, 2, 2]);
      const y = make([0, 0, 0, 0]), dy = make([0, 0, 0, 0]);
      smoothMap('silu', x, y);
      smoothGradMap('silu', g, x, dy);
      expect(Array.from(y)).toEqual([800, -0, 40, make([-40 / (1 + Math.exp(40))])[0]]);
      // silu' = σ(1 + v(1 − σ)): 1 at +∞ (σ = 1 exactly), → 0 at −∞
      expect(dy[0]).toBe(2);
      expect(Math.abs(dy[1])).toBe(0);
      expect(dy[2]).toBeCloseTo(2, 12);
      expect(Math.abs(dy[3])).toBeLessThan(1e-14);
    }
  });

  it('gelu and its derivative at ±40 (Φ = 1 and 0)', () => {
    const x = new Float64Array([40, -40]), y = new Float64Array(2), dy = new Float64Array(2);
    smoothMap('gelu', x, y);
    smoothGradMap('gelu', new Float64Array([1, 1]), x, dy);
    expect(y[0]).toBe(40);
    expect(Math.abs(y[1])).toBeLessThan(1e-300);
    expect(Array.from(dy).map((v) => Math.abs(v))).toEqual([1, 0]);
  });
});
