// The branch-free ReLU and ReLU-gradient kernels (kernels/unary.ts) on inputs made only of non-finite or
// huge values, where the arithmetic form (v + |v|)/2 would give −∞ + ∞ = NaN and g·0 = NaN: the exact
// fallback must take over whatever the rest of the array holds. Signs of zero as documented (−0 → +0).
import { describe, expect, it } from 'vitest';
import { leakyReluMap, stepScale, unaryMap } from '../src/kernels/unary.ts';

const relu = (v: number[], make: (a: number[]) => Float32Array | Float64Array = (a) => new Float64Array(a)) => {
  const out = make(v.map(() => 7));
  unaryMap('relu', make(v), out);
  return Array.from(out);
};

describe('js ReLU kernels at non-finite and huge values', () => {
  it('relu: −∞ alone, only non-finite values, huge values, −0', () => {
    expect(relu([-Infinity])).toEqual([0]);
    expect(relu([-Infinity, Infinity, NaN, -Infinity])).toEqual([0, Infinity, NaN, 0]);
    expect(relu([-1e308, 1e308, -Number.MAX_VALUE])).toEqual([0, 1e308, 0]);
    expect(relu([-Infinity, 2], (a) => new Float32Array(a))).toEqual([0, 2]);
    expect(Object.is(relu([-0])[0], 0) && Object.is(relu([-0, -Infinity])[0], 0)).toBe(true);
    const out = new Float64Array(2);
    leakyReluMap(new Float64Array([-Infinity, 3]), 0, out);
    expect(Array.from(out)).toEqual([0, 3]);
  });

  it('stepScale (the ReLU gradient): g = ±∞ or NaN where x ≤ 0 gives exactly 0 (slope 0), slope·g otherwise', () => {
    const g = new Float64Array([Infinity, -Infinity, NaN, Infinity]), x = new Float64Array([-1, 0, -2, 1]);
    const out = new Float64Array(4);
    stepScale(g, x, 0, out);
    expect(Array.from(out)).toEqual([0, 0, 0, Infinity]);
    stepScale(g, x, 0.5, out);
    expect(Array.from(out)).toEqual([Infinity, -Infinity, NaN, Infinity]);
    const one = new Float64Array(1);
    stepScale(new Float64Array([Infinity]), new Float64Array([-1]), 0, one); // only non-finite g
    expect(one[0]).toBe(0);
  });
});
