// Elementwise float32 kernels: (leaky) ReLU and its gradient, binary ops with broadcasting, GELU, SiLU.
// The js reference kernels (../../unary.ts, ../../elementwise.ts, ../../smooth.ts) compute in float64
// and round once to float32; so do these wherever float32 arithmetic would round differently (a float64
// slope, exp): promoted to two f64x2 halves, computed, demoted once. Sums, products and quotients of two
// float32 values round the same either way (float64 has more than twice the bits), so those stay f32x4.
import { expPair } from './exp';

const ZERO = f32x4.splat(0);

/** The low and high float32 pairs of v as float64. */
@inline function lo(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
@inline function hi(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)); }
/** Two float64 pairs, rounded to float32, as one vector (a's lanes first). */
@inline function join(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}

/** out = max(x, 0): NaN stays NaN, −0 becomes +0 (wasm's max orders −0 below +0). */
export function relu(x: usize, out: usize, n: i32): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(out + i, f32x4.max(v128.load(x + i), ZERO));
  for (; i < end; i += 4) store<f32>(out + i, max<f32>(load<f32>(x + i), 0));
}

/** out = x > 0 ? x : slope·x, the product in float64 (slope is a js number). */
export function leakyRelu(x: usize, out: usize, n: i32, slope: f64): void {
  const s = f64x2.splat(slope);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const v = v128.load(x + i);
    const p = join(f64x2.mul(lo(v), s), f64x2.mul(hi(v), s));
    v128.store(out + i, v128.bitselect(v, p, f32x4.gt(v, ZERO)));
  }
  for (; i < end; i += 4) {
    const v = load<f32>(x + i);
    store<f32>(out + i, v > 0 ? v : <f32>(slope * <f64>v));
  }
}

/**
 * The (leaky) ReLU gradient: out = (x > 0 ? g : slope·g) + 0, and exactly 0 where x ≤ 0 when slope is 0
 * (even for g = ±∞ or NaN); + 0 turns −0 into +0.
 */
export function stepScale(g: usize, x: usize, out: usize, n: i32, slope: f64): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  if (slope == 0) {
    for (; i + 16 <= end; i += 16) {
      const gv = f32x4.add(v128.load(g + i), ZERO);
      v128.store(out + i, v128.and(gv, f32x4.gt(v128.load(x + i), ZERO)));
    }
    for (; i < end; i += 4) store<f32>(out + i, load<f32>(x + i) > 0 ? load<f32>(g + i) + 0 : 0);
    return;
  }
  const s = f64x2.splat(slope), z = f64x2.splat(0);
  for (; i + 16 <= end; i += 16) {
    const gv = v128.load(g + i);
    const p = join(f64x2.add(f64x2.mul(lo(gv), s), z), f64x2.add(f64x2.mul(hi(gv), s), z));
    v128.store(out + i, v128.bitselect(f32x4.add(gv, ZERO), p, f32x4.gt(v128.load(x + i), ZERO)));
  }
  for (; i < end; i += 4) {
    const gv = load<f32>(g + i);
    store<f32>(out + i, load<f32>(x + i) > 0 ? gv + 0 : <f32>(slope * <f64>gv + 0));
  }
}

// ---- binary ops with broadcasting ----

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;

@inline function op4(op: i32, a: v128, b: v128): v128 {
  if (op == OP_ADD) return f32x4.add(a, b);
  if (op == OP_SUB) return f32x4.sub(a, b);
  if (op == OP_MUL) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

@inline function op1(op: i32, a: f32, b: f32): f32 {
  if (op == OP_ADD) return a + b;
  if (op == OP_SUB) return a - b;
  if (op == OP_MUL) return a * b;
  return a / b;
}

/** out[j] = a[j·ia] (op) b[j·ib] for j < n; ia, ib are element strides (0 = broadcast, 1 = contiguous). */
function row(op: i32, a: usize, ia: i32, b: usize, ib: i32, out: usize, n: i32): void {
  const end = <usize>n << 2;
  let j: usize = 0;
  if (ia == 1 && ib == 1) {
    for (; j + 16 <= end; j += 16) v128.store(out + j, op4(op, v128.load(a + j), v128.load(b + j)));
    for (; j < end; j += 4) store<f32>(out + j, op1(op, load<f32>(a + j), load<f32>(b + j)));
  } else if (ia == 1 && ib == 0) {
    const s = load<f32>(b), sv = f32x4.splat(s);
    for (; j + 16 <= end; j += 16) v128.store(out + j, op4(op, v128.load(a + j), sv));
    for (; j < end; j += 4) store<f32>(out + j, op1(op, load<f32>(a + j), s));
  } else if (ia == 0 && ib == 1) {
    const s = load<f32>(a), sv = f32x4.splat(s);
    for (; j + 16 <= end; j += 16) v128.store(out + j, op4(op, sv, v128.load(b + j)));
    for (; j < end; j += 4) store<f32>(out + j, op1(op, s, load<f32>(b + j)));
  } else {
    const sa = <usize>ia << 2, sb = <usize>ib << 2;
    for (let k = 0; k < n; k++) store<f32>(out + (<usize>k << 2), op1(op, load<f32>(a + <usize>k * sa), load<f32>(b + <usize>k * sb)));
  }
}

/**
 * out = a (op) b over a broadcast shape given as merged dims (../../elementwise.ts mergeDims): `dims`
 * holds i32 triples (size, a stride, b stride) in elements, outermost first; the last is the row.
 * `idx` is scratch for rank − 1 i32 counters.
 */
export function binary(op: i32, a: usize, b: usize, out: usize, dims: usize, rank: i32, idx: usize): void {
  const last = dims + (<usize>(rank - 1) * 12);
  const inner = load<i32>(last), ia = load<i32>(last, 4), ib = load<i32>(last, 8);
  let total: i64 = 1;
  for (let d = 0; d < rank; d++) total *= <i64>load<i32>(dims + <usize>d * 12);
  const rows = <i32>(total / <i64>inner);
  for (let d = 0; d < rank - 1; d++) store<i32>(idx + (<usize>d << 2), 0);
  let pa: usize = a, pb: usize = b, po: usize = out;
  for (let r = 0; r < rows; r++) {
    row(op, pa, ia, pb, ib, po, inner);
    po += <usize>inner << 2;
    // the outer multi-index, as an odometer
    for (let d = rank - 2; d >= 0; d--) {
      const t = dims + <usize>d * 12;
      const size = load<i32>(t), sa = <isize>load<i32>(t, 4) << 2, sb = <isize>load<i32>(t, 8) << 2;
      const at = idx + (<usize>d << 2);
      const k = load<i32>(at) + 1;
      pa += sa;
      pb += sb;
      if (k < size) { store<i32>(at, k); break; }
      store<i32>(at, 0);
      pa -= sa * size;
      pb -= sb * size;
    }
  }
}

// ---- smooth activations (float64 inside, as the js kernels) ----

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

/** erfc(x) by Numerical Recipes' Chebyshev fit (relative error < 1.2e-7), as ../../erf.ts erfcFast. */
@inline function erfcFast(x: v128): v128 {
  const one = f64x2.splat(1);
  const z = f64x2.abs(x), t = f64x2.div(one, f64x2.add(one, f64x2.mul(f64x2.splat(0.5), z)));
  let p = f64x2.splat(0.17087277);
  p = f64x2.add(f64x2.splat(-0.82215223), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(1.48851587), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(-1.13520398), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(0.27886807), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(-0.18628806), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(0.09678418), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(0.37409196), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(1.00002368), f64x2.mul(t, p));
  const arg = f64x2.add(f64x2.sub(f64x2.neg(f64x2.mul(z, z)), f64x2.splat(1.26551223)), f64x2.mul(t, p));
  const r = f64x2.mul(t, expPair(arg));
  return v128.bitselect(r, f64x2.sub(f64x2.splat(2), r), f64x2.ge(x, f64x2.splat(0)));
}

/** Φ(v) = ½·erfc(−v/√2) (a division, as the js kernel: not a multiplication by 1/√2). */
@inline function cdf(v: v128): v128 {
  return f64x2.mul(f64x2.splat(0.5), erfcFast(f64x2.div(f64x2.neg(v), f64x2.splat(Math.SQRT2))));
}

@inline function geluPair(v: v128): v128 {
  return f64x2.mul(v, cdf(v));
}

/** v/(1 + e^(−2u)), u = √(2/π)(v + 0.044715v³): ½v(1 + tanh u) without the cancellation of 1 + tanh u. */
@inline function geluTanhPair(v: v128): v128 {
  const c = f64x2.splat(GELU_C);
  const u = f64x2.mul(f64x2.splat(SQRT_2_OVER_PI), f64x2.add(v, f64x2.mul(f64x2.mul(f64x2.mul(c, v), v), v)));
  return f64x2.div(v, f64x2.add(f64x2.splat(1), expPair(f64x2.mul(f64x2.splat(-2), u))));
}

/** v/(1 + e^(−v)). */
@inline function siluPair(v: v128): v128 {
  return f64x2.div(v, f64x2.add(f64x2.splat(1), expPair(f64x2.neg(v))));
}

/** σ(v): 1/(1 + e^(−v)) for v ≥ 0, e^v/(1 + e^v) below (no overflow), as the js sigmoid. */
@inline function sigmoidPair(v: v128): v128 {
  const one = f64x2.splat(1);
  const pos = f64x2.ge(v, f64x2.splat(0));
  const e = expPair(v128.bitselect(f64x2.neg(v), v, pos));
  return v128.bitselect(f64x2.div(one, f64x2.add(one, e)), f64x2.div(e, f64x2.add(one, e)), pos);
}

/** GELU'(v) = Φ(v) + v·φ(v). */
@inline function geluGradPair(v: v128): v128 {
  const pdf = expPair(f64x2.mul(f64x2.mul(f64x2.splat(-0.5), v), v));
  return f64x2.add(cdf(v), f64x2.mul(f64x2.mul(v, f64x2.splat(INV_SQRT_2PI)), pdf));
}

/** SiLU'(v) = σ(1 + v(1 − σ)). */
@inline function siluGradPair(v: v128): v128 {
  const s = sigmoidPair(v), one = f64x2.splat(1);
  return f64x2.mul(s, f64x2.add(one, f64x2.mul(v, f64x2.sub(one, s))));
}

export const SMOOTH_GELU = 0;
export const SMOOTH_GELU_TANH = 1;
export const SMOOTH_SILU = 2;

@inline function smooth1(fn: i32, v: v128): v128 {
  if (fn == SMOOTH_GELU) return geluPair(v);
  if (fn == SMOOTH_GELU_TANH) return geluTanhPair(v);
  return siluPair(v);
}

/** out = f(x) for f = GELU (erf), GELU (tanh) or SiLU; the tail runs through a zero-padded vector. */
export function smooth(fn: i32, x: usize, out: usize, n: i32): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const v = v128.load(x + i);
    v128.store(out + i, join(smooth1(fn, lo(v)), smooth1(fn, hi(v))));
  }
  for (; i < end; i += 4) {
    const r = smooth1(fn, f64x2.splat(<f64>load<f32>(x + i)));
    store<f32>(out + i, <f32>f64x2.extract_lane(r, 0));
  }
}

@inline function smoothGrad1(fn: i32, v: v128): v128 {
  if (fn == SMOOTH_GELU) return geluGradPair(v);
  return siluGradPair(v);
}

/** out = g·f'(x) for f = GELU (erf) or SiLU, the product in float64. */
export function smoothGrad(fn: i32, g: usize, x: usize, out: usize, n: i32): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const v = v128.load(x + i), gv = v128.load(g + i);
    v128.store(out + i, join(f64x2.mul(lo(gv), smoothGrad1(fn, lo(v))), f64x2.mul(hi(gv), smoothGrad1(fn, hi(v)))));
  }
  for (; i < end; i += 4) {
    const r = smoothGrad1(fn, f64x2.splat(<f64>load<f32>(x + i)));
    store<f32>(out + i, <f32>(<f64>load<f32>(g + i) * f64x2.extract_lane(r, 0)));
  }
}

// ---- GELU/SiLU as threaded jobs (compute-bound: ~60 float64 operations per element) ----
// Descriptor: i32 [fn, x, g, out, n]; unit u covers elements [u·SMOOTH_UNIT, (u + 1)·SMOOTH_UNIT).

export const SMOOTH_UNIT = 1024;

export function smoothUnits(d: usize): i32 {
  return (load<i32>(d, 16) + SMOOTH_UNIT - 1) / SMOOTH_UNIT;
}

/** Units [from, to) of a smooth (grad = false) or smoothGrad (grad = true) job. */
export function smoothRun(d: usize, from: i32, to: i32, grad: bool): void {
  const fn = load<i32>(d), x = <usize>load<i32>(d, 4), g = <usize>load<i32>(d, 8), out = <usize>load<i32>(d, 12), n = load<i32>(d, 16);
  const a = from * SMOOTH_UNIT, b = min(n, to * SMOOTH_UNIT), off = <usize>a << 2;
  if (grad) smoothGrad(fn, g + off, x + off, out + off, b - a);
  else smooth(fn, x + off, out + off, b - a);
}
