// erf and erfc in float64 to ~1e-15 relative (JavaScript has no Math.erf).
//   |x| < 3: erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))  (all terms positive: no cancellation)
//   |x| ≥ 3: erfc(|x|) by its continued fraction (modified Lentz), which converges fast there.
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x, sum = x;
  // Stryker disable next-line EqualityOperator: n <= 200 only raises a cap the loop never reaches (for |x| < 3 the terms fall below 1e-17 of the sum within ~70 steps)
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc(x) for x ≥ 3: e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). Every partial numerator
 * n/2 and x are positive, so Lentz's c and d stay ≥ x > 0 and need no guard against 0.
 */
function erfcFraction(x: number): number {
  if (x === Infinity) return 0; // (the fraction itself would give ∞ · 0)
  let f = x, c = x, d = 0;
  // Stryker disable next-line EqualityOperator: n <= 300 only raises a cap the loop never reaches (it converges within ~40 steps for x ≥ 3)
  for (let n = 1; n < 300; n++) {
    const a = n / 2;
    d = 1 / (x + a * d);
    c = x + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

export function erf(x: number): number {
  if (x !== x) return x;
  if (Math.abs(x) < 3) return erfSeries(x);
  const c = erfcFraction(Math.abs(x));
  return x > 0 ? 1 - c : c - 1;
}

/** 1 − erf(x), accurate in the far tail (x large) where 1 − erf(x) would cancel to 0. */
export function erfc(x: number): number {
  if (x !== x) return x;
  if (x >= 3) return erfcFraction(x);
  if (x <= -3) return 2 - erfcFraction(-x);
  return 1 - erfSeries(x);
}

/** Φ(x), the standard normal CDF: ½·erfc(−x/√2). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * erfc to a relative error below 1.1e-7 everywhere (Numerical Recipes' Chebyshev fit, one exp): the
 * float32 kernels use it (float32 itself resolves only ~6e-8), float64 the series above.
 */
export function erfcFast(x: number): number {
  const z = Math.abs(x), t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Φ(x) for float32 data (relative error ≈ 1e-7). */
export function normalCdfFast(x: number): number {
  return 0.5 * erfcFast(-x / Math.SQRT2);
}
