// e^x on two float64 lanes, to about 1 ulp (the js kernels' Math.exp is within 1 ulp too, so results
// rounded to float32 agree except in rare ties). x = k·ln2 + r with |r| ≤ ½ln2 (ln2 split in two parts
// so k·ln2hi is exact), e^r by its Taylor series to r¹³ (truncation < 1e-17 relative), times 2^k
// applied as two halves so 2^k itself never overflows or goes subnormal: the result then underflows
// gradually to 0 and overflows to ∞ like Math.exp. NaN stays NaN.
const LOG2E = 1.4426950408889634;
const LN2_HI = 6.93147180369123816490e-01; // fdlibm's split: the low 32 bits of LN2_HI are zero
const LN2_LO = 1.90821492927058770002e-10;

/** 2^k for integral k in [−1022, 1023] (lanes as float64). */
@inline function pow2(k: v128): v128 {
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  return i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
}

@inline export function expPair(xIn: v128): v128 {
  // beyond ±746 the result is 0 or ∞ already; the clamp keeps the halves of k in range
  const x = f64x2.min(f64x2.max(xIn, f64x2.splat(-746)), f64x2.splat(710));
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  let p = f64x2.splat(1.0 / 6227020800.0); // 1/13!
  p = f64x2.add(f64x2.splat(1.0 / 479001600.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 39916800.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 3628800.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 362880.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 40320.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 5040.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 720.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 120.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 24.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 6.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(0.5), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1), f64x2.mul(p, r));
  const k1 = f64x2.floor(f64x2.mul(k, f64x2.splat(0.5)));
  return f64x2.mul(f64x2.mul(p, pow2(k1)), pow2(f64x2.sub(k, k1)));
}
