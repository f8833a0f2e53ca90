// erf, erfc and Φ (kernels/erf.ts) against the C library's erf/erfc (values printed by Python's math
// module), on both sides of the series / continued-fraction switch at |x| = 3, far in the tail, and at
// the special values: ±0 keeps its sign, NaN stays NaN, ±∞ gives ±1 (PyTorch: erf(±inf) = ±1, so
// gelu(inf) = inf). The fast float32 erfc stays within its documented 1.1e-7 relative error.
import { describe, expect, it } from 'vitest';
import { erf, erfc, erfcFast, normalCdf, normalCdfFast } from '../src/kernels/erf.ts';
import { smoothMap } from '../src/kernels/smooth.ts';

// [x, erf(x), erfc(x)] from Python 3's math.erf / math.erfc
const ERF = [[0.1, 0.1124629160182849, 0.8875370839817152], [0.5, 0.5204998778130465, 0.4795001221869535], [1.0, 0.8427007929497149, 0.15729920705028513], [1.5, 0.9661051464753108, 0.033894853524689274], [2.0, 0.9953222650189527, 0.004677734981047265], [2.5, 0.999593047982555, 0.0004069520174449589], [2.999, 0.9999777698314002, 2.2230168599834058e-05], [3.0, 0.9999779095030014, 2.2090496998585438e-05], [3.5, 0.9999992569016276, 7.430983723414128e-07], [5.0, 0.9999999999984626, 1.5374597944280351e-12], [7.5, 1.0, 2.776649386030569e-26], [10.0, 1.0, 2.088487583762545e-45], [26.0, 1.0, 5.663192408856143e-296], [-0.5, -0.5204998778130465, 1.5204998778130465], [-2.0, -0.9953222650189527, 1.9953222650189528], [-3.0, -0.9999779095030014, 1.9999779095030015], [-4.0, -0.9999999845827421, 1.999999984582742], [-6.0, -1.0, 2.0]];

const close = (got: number, want: number, rel: number) => Math.abs(got - want) <= rel * Math.abs(want);

describe('erf and erfc', () => {
  it('equal the C library to ~1e-15 (erfc in the tail: relative), in the series range, at the switch and in the far tail', () => {
    for (const [x, e, ec] of ERF) {
      if (!close(erf(x), e, 2e-15)) expect.fail(`erf(${x}) = ${erf(x)}, want ${e}`);
      // (below 3, erfc = 1 − erf: accurate to float64 rounding of 1, not relative to a small erfc)
      if (!(Math.abs(erfc(x) - ec) <= 1e-14 * ec + (Math.abs(x) < 3 ? 2e-15 : 0))) expect.fail(`erfc(${x}) = ${erfc(x)}, want ${ec}`);
      if (!close(erfcFast(x), ec, 1.2e-7)) expect.fail(`erfcFast(${x}) = ${erfcFast(x)}, want ${ec}`);
    }
  });

  it('special values: ±0, NaN, ±∞ (erf(±∞) = ±1, erfc(∞) = 0, erfc(−∞) = 2)', () => {
    expect(Object.is(erf(-0), -0) && Object.is(erf(0), 0)).toBe(true);
    expect([erf(NaN), erfc(NaN), normalCdf(NaN)].every(Number.isNaN)).toBe(true);
    expect([erf(Infinity), erf(-Infinity), erfc(Infinity), erfc(-Infinity)]).toEqual([1, -1, 0, 2]);
    expect([normalCdf(Infinity), normalCdf(-Infinity), normalCdf(0)]).toEqual([1, 0, 0.5]);
    expect([normalCdfFast(Infinity), normalCdfFast(-Infinity)]).toEqual([1, 0]);
    expect(normalCdfFast(0)).toBeCloseTo(0.5, 6);
  });

  it('GELU of ±∞ as PyTorch: gelu(inf) = inf, gelu(-inf) = nan (−∞ · 0), in float64 and float32', () => {
    for (const make of [(v: number[]) => new Float64Array(v), (v: number[]) => new Float32Array(v)]) {
      const out = make([0, 0, 0]);
      smoothMap('gelu', make([Infinity, -Infinity, 1e300]), out);
      expect(out[0]).toBe(Infinity);
      expect(out[1]).toBeNaN();
      expect(out[2]).toBe(out instanceof Float64Array ? 1e300 : Infinity); // (float32: 1e300 is already ∞)
    }
  });
});
