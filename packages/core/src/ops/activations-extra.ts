// Smooth activations of issue 11: erf, gelu (exact and tanh), silu, elu, softplus, hardswish.
// Each is one forward loop and a backward rule written with ops (so second derivatives work), with
// PyTorch's definitions and its gradient conventions at the kinks.
import { record } from '../autograd.ts';
import { check } from '../errors.ts';
import { getBackend } from '../kernels/backend.ts';
import { erf as erfScalar, erfcFast } from '../kernels/erf.ts';
import { smoothGradMap, smoothMap, type SmoothFn, type SmoothGradFn } from '../kernels/smooth.ts';
import { allocate, Tensor } from '../tensor.ts';
import { exp, sigmoid, tanh } from './activations.ts';
import { checkOptions, checkTensor } from './dim-args.ts';
import { fmtArg } from '../validate.ts';
import { add, mul, sub } from './elementwise.ts';
import { where } from './unary-extra.ts';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_C = 0.044715;

function map(x: Tensor, f: (v: number) => number): Tensor {
  const out = allocate(x.dtype, x.size);
  const xd = x.data;
  // Stryker disable next-line EqualityOperator: i <= out.length only adds f(undefined) written past out's end, which a typed array drops
  for (let i = 0; i < out.length; i++) out[i] = f(xd[i]);
  return new Tensor(out, x.shape);
}

/** A constant 0/1 tensor of `pred` over x's values (no gradient flows into it). */
function mask(x: Tensor, pred: (v: number) => boolean): Tensor {
  return map(x, (v) => (pred(v) ? 1 : 0));
}

/**
 * GELU or SiLU of x by the kernel (smooth.ts; the backend's when it has one). Φ is ~1e-15 accurate
 * for float64, ~1e-7 (a one-exp fit, below float32's own resolution) for float32.
 */
function smoothOf(fn: SmoothFn, x: Tensor): Tensor {
  const out = allocate(x.dtype, x.size);
  // (the backend's kernel when it has one, else the js map)
  getBackend().smooth?.(fn, x.data, out) || smoothMap(fn, x.data, out);
  return new Tensor(out, x.shape);
}

/** g·f'(x) for GELU or SiLU by the kernel. */
function smoothGradOf(fn: SmoothGradFn, g: Tensor, x: Tensor): Tensor {
  const out = allocate(g.dtype, g.size);
  getBackend().smoothGrad?.(fn, g.data, x.data, out) || smoothGradMap(fn, g.data, x.data, out);
  return new Tensor(out, g.shape);
}

/** The error function; erf'(x) = 2/√π · e^(−x²). float32 uses the fast fit (absolute error < 1e-7). */
export function erf(x: Tensor): Tensor {
  checkTensor(x, 'erf');
  const f = x.dtype === 'float64' ? erfScalar : (v: number) => 1 - erfcFast(v);
  return record(map(x, f), 'erf', [x], (g) => [mul(g, mul(exp(mul(mul(x, x), -1)), 2 / Math.sqrt(Math.PI)))]);
}

/** φ(x) = e^(−x²/2)/√(2π), composed from ops. */
function normalPdf(x: Tensor): Tensor {
  return mul(exp(mul(mul(x, x), -0.5)), INV_SQRT_2PI);
}

/**
 * g·GELU'(x) = g·(Φ(x) + x·φ(x)) in one loop. Its own backward, in ops: to g, geluGrad(gg, x); to x,
 * gg·g·GELU''(x) with GELU''(x) = φ(x)·(2 − x²).
 */
function geluGrad(g: Tensor, x: Tensor): Tensor {
  return record(smoothGradOf('gelu', g, x), 'geluGrad', [g, x], (gg) => [
    g.requiresGrad ? geluGrad(gg, x) : null,
    // (x requires grad: this node exists only in x's gradient)
    mul(mul(gg, g), mul(normalPdf(x), sub(2, mul(x, x)))),
  ]);
}

export type GeluApproximate = 'none' | 'tanh';

/**
 * GELU(x) = x·Φ(x) (approximate 'none', the default, exact through erf), or with approximate 'tanh'
 * ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as torch.nn.functional.gelu.
 */
export function gelu(x: Tensor, options: { approximate?: GeluApproximate } = {}): Tensor {
  checkTensor(x, 'gelu');
  checkOptions(options, 'gelu', ['approximate']);
  const approximate = options.approximate ?? 'none';
  check(approximate === 'none' || approximate === 'tanh', 'gelu', `approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  if (approximate === 'none') {
    return record(smoothOf('gelu', x), 'gelu', [x], (g) => [geluGrad(g, x)], { approximate });
  }
  return record(smoothOf('geluTanh', x), 'gelu', [x], (g) => {
    // d/dx = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(u)
    const x2 = mul(x, x);
    const t = tanh(mul(add(x, mul(mul(x2, x), GELU_C)), SQRT_2_OVER_PI));
    const du = mul(add(mul(x2, 3 * GELU_C), 1), SQRT_2_OVER_PI);
    const d = add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), add(mul(mul(t, t), -1), 1)), du));
    return [mul(g, d)];
  }, { approximate });
}

/**
 * g·SiLU'(x) = g·σ(1 + x(1 − σ)) in one loop. Its own backward, in ops: to g, siluGrad(gg, x); to x,
 * gg·g·SiLU''(x) with SiLU''(x) = σ(1 − σ)(2 + x(1 − 2σ)).
 */
function siluGrad(g: Tensor, x: Tensor): Tensor {
  // (x always requires grad here: silu recorded a node for it)
  return record(smoothGradOf('silu', g, x), 'siluGrad', [g, x], (gg) => {
    const s = sigmoid(x);
    const second = mul(mul(s, sub(1, s)), add(mul(x, sub(1, mul(s, 2))), 2));
    return [g.requiresGrad ? siluGrad(gg, x) : null, mul(mul(gg, g), second)];
  });
}

/** SiLU (swish): x·σ(x); derivative σ(x)(1 + x(1 − σ(x))). */
export function silu(x: Tensor): Tensor {
  checkTensor(x, 'silu');
  return record(smoothOf('silu', x), 'silu', [x], (g) => [siluGrad(g, x)]);
}

/** ELU: x for x > 0, α(eˣ − 1) otherwise (default α = 1). The gradient at 0 is α, as PyTorch's. */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkTensor(x, 'elu');
  check(Number.isFinite(alpha), 'elu', `alpha must be a finite number, got ${fmtArg(alpha)}`);
  const pos = mask(x, (v) => v > 0);
  return record(map(x, (v) => (v > 0 ? v : alpha * Math.expm1(v))), 'elu', [x], (g) => [where(pos, g, mul(g, mul(exp(x), alpha)))], { alpha });
}

export interface SoftplusOptions {
  /** Sharpness β (default 1): softplus(x) = log(1 + e^(βx))/β. */
  beta?: number;
  /** Above βx > threshold the function is taken as linear, x (default 20, as PyTorch). */
  threshold?: number;
}

/** log(1 + e^(βx))/β, linear (x) where βx > threshold, as torch.nn.functional.softplus. */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  checkTensor(x, 'softplus');
  checkOptions(options, 'softplus', ['beta', 'threshold']);
  const beta = options.beta ?? 1, threshold = options.threshold ?? 20;
  check(Number.isFinite(beta) && beta !== 0, 'softplus', `beta must be a finite non-zero number, got ${fmtArg(beta)}`);
  check(typeof threshold === 'number' && !Number.isNaN(threshold), 'softplus', `threshold must be a number, got ${fmtArg(threshold)}`);
  const linear = mask(x, (v) => v * beta > threshold);
  // max(z, 0) + log1p(e^−|z|) = log(1 + e^z) without overflow
  const f = (v: number) => {
    const z = v * beta;
    return z > threshold ? v : (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) / beta;
  };
  // d/dx = σ(βx), or 1 on the linear part
  return record(map(x, f), 'softplus', [x], (g) => [where(linear, g, mul(g, sigmoid(mul(x, beta))))], { beta, threshold });
}

/**
 * Hardswish: x·relu6(x + 3)/6. Gradient as PyTorch's: 0 for x < −3, (2x + 3)/6 for −3 ≤ x ≤ 3,
 * 1 for x > 3.
 */
export function hardswish(x: Tensor): Tensor {
  checkTensor(x, 'hardswish');
  const mid = mask(x, (v) => v >= -3 && v <= 3);
  const high = mask(x, (v) => v > 3);
  // PyTorch's formula as written (its −0 for x ≤ −3, and its rounding of x·6/6 for x > 3, included)
  const f = (v: number) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6;
  return record(map(x, f), 'hardswish', [x], (g) => [mul(g, add(mul(mid, add(mul(x, 1 / 3), 0.5)), high))]);
}
