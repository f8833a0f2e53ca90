// gelu (exact and tanh), silu, elu, softplus, hardswish, erf: forward against the definition, first and
// second derivatives by finite differences in float64 on random tensors and on boundary values
// (0, ±tiny, large magnitudes, either side of each kink), PyTorch's conventions at kinks, option checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elu, erf, gelu, hardswish, silu, softplus, tensor, type Tensor } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb, tensorSpecArb } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

// erf by its Maclaurin series (converges for the |x| ≤ 3 used here; high-precision reference)
function erfRef(x: number): number {
  let term = x, s = x;
  for (let n = 1; n < 400; n++) {
    term *= (-x * x) / n;
    s += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * s;
}
const phi = (v: number) => 0.5 * (1 + erfRef(v / Math.SQRT2));

// maxAbs: where the series reference is accurate (beyond it the PyTorch fixture of the layers tests checks)
interface Act { name: string; f: (x: Tensor) => Tensor; ref: (v: number) => number; kinks: number[]; maxAbs?: number }
const acts: Act[] = [
  { name: 'gelu', f: (x) => gelu(x), ref: (v) => v * phi(v), kinks: [], maxAbs: 4 },
  { name: "gelu 'tanh'", f: (x) => gelu(x, { approximate: 'tanh' }), ref: (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))), kinks: [] },
  { name: 'silu', f: silu, ref: (v) => v / (1 + Math.exp(-v)), kinks: [] },
  { name: 'elu(0.7)', f: (x) => elu(x, 0.7), ref: (v) => (v > 0 ? v : 0.7 * Math.expm1(v)), kinks: [0] },
  { name: 'softplus', f: (x) => softplus(x), ref: (v) => Math.log1p(Math.exp(v)), kinks: [20] },
  { name: 'softplus(β=2, threshold=3)', f: (x) => softplus(x, { beta: 2, threshold: 3 }), ref: (v) => (2 * v > 3 ? v : Math.log1p(Math.exp(2 * v)) / 2), kinks: [1.5] },
  { name: 'hardswish', f: hardswish, ref: (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6, kinks: [-3, 3] },
  { name: 'erf', f: erf, ref: erfRef, kinks: [], maxAbs: 3 },
];
const boundary = [-30, -8, -3.2, -2.8, -1, -1e-8, 0, 1e-8, 0.7, 1.4, 1.6, 2.8, 3.2, 8, 19.5, 30];

describe.each(acts)('$name', ({ f, ref, kinks, maxAbs = Infinity }) => {
  const awayFromKinks = (v: number) => kinks.every((k) => Math.abs(v - k) > 1e-3);

  it('matches its definition on random and boundary values', () => {
    const xs = [...boundary, -2.5, 0.3].filter((v) => Math.abs(v) <= maxAbs);
    expectClose(f(tensor(xs, [xs.length], { dtype: 'float64' })).data, xs.map(ref), 1e-12, 'values');
    checkProperty(tensorSpecArb(shapeArb({ maxRank: 3 })), (spec) => {
      const x = makeTensor(spec, { scale: 1.5, requiresGrad: false }).clamp(-maxAbs, maxAbs);
      expectClose(f(x).data, Array.from(x.data, ref), 1e-12, 'values');
    });
  });

  it('first and second derivatives match central differences (random tensors and boundary values)', () => {
    const b = tensor(boundary.filter(awayFromKinks), undefined, { dtype: 'float64', requiresGrad: true });
    expectGradOk(gradcheck(f, [b]));
    expectGradOk(gradgradcheck(f, [b]));
    checkProperty(tensorSpecArb(shapeArb({ maxRank: 3 })), (spec) => {
      const x = makeTensor(spec, { scale: 3 });
      fc.pre(Array.from(x.data).every(awayFromKinks));
      expectGradOk(gradcheck(f, [x]));
      expectGradOk(gradgradcheck(f, [x]));
    }, 20);
  });

  it('keeps the float32 dtype, within float32 precision of the float64 values', () => {
    const xs = boundary.filter((v) => Math.abs(v) < 20);
    const y32 = f(tensor(xs)), y64 = f(tensor(xs, undefined, { dtype: 'float64' }));
    expect(y32.dtype).toBe('float32');
    expectClose(y32.data, y64.data, 3e-7, 'float32 vs float64');
  });
});

describe('PyTorch conventions at the kinks and at extremes', () => {
  const gradAt = (f: (x: Tensor) => Tensor, xs: number[]) => {
    const x = tensor(xs, undefined, { dtype: 'float64', requiresGrad: true });
    f(x).sum().backward();
    return Array.from(x.grad!.data);
  };
  it('elu has gradient α at 0; hardswish −0.5 at −3 and 1.5 at 3, 0 below, 1 above', () => {
    expect(gradAt((x) => elu(x, 0.7), [0])).toEqual([0.7]);
    // x = 0 takes the α·(eˣ − 1) branch, as PyTorch: with α < 0 the result is −0 (elu(0., alpha=-0.5) → -0.)
    expect(Object.is(elu(tensor([0], undefined, { dtype: 'float64' }), -0.5).data[0], -0)).toBe(true);
    expect(gradAt(hardswish, [-3.5, -3, 3, 3.5])).toEqual([0, -0.5, 1.5, 1]);
  });
  it('softplus is linear above the threshold (exactly x, gradient 1) and finite for huge inputs', () => {
    expect(Array.from(softplus(tensor([25, 800, -800], undefined, { dtype: 'float64' })).data)).toEqual([25, 800, 0]);
    expect(gradAt((x) => softplus(x), [25])).toEqual([1]);
    // at βx = threshold exactly, still the log (PyTorch switches above it): log1p(e^20) and log1p(e^10)/2
    expect(softplus(tensor([20], undefined, { dtype: 'float64' })).data[0]).toBe(20 + Math.log1p(Math.exp(-20)));
    expect(softplus(tensor([5], undefined, { dtype: 'float64' }), { beta: 2, threshold: 10 }).data[0]).toBe((10 + Math.log1p(Math.exp(-10))) / 2);
    expect(gradAt((x) => softplus(x), [20])[0]).toBeCloseTo(1 / (1 + Math.exp(-20)), 14);
    const big = softplus(tensor([800], undefined, { dtype: 'float64' }), { threshold: Infinity });
    expect(big.data[0]).toBe(800);
  });
  it('gelu of large negative inputs is a tiny negative number, not NaN; erf saturates at ±1', () => {
    const y = gelu(tensor([-10, -40], undefined, { dtype: 'float64' })).data;
    expect(y[0]).toBeLessThan(0);
    expect(y[0]).toBeGreaterThan(-1e-20);
    expect(y[1]).toBeCloseTo(0, 300);
    expect(Array.from(erf(tensor([-7, 7, 0], undefined, { dtype: 'float64' })).data)).toEqual([-1, 1, 0]);
  });
});

describe('option checks', () => {
  const x = tensor([1, 2]);
  it('refuse unknown keys and bad values, naming the op', () => {
    expect(() => gelu(x, { approximate: 'erf' as never })).toThrow(/^gelu: approximate must be 'none' or 'tanh', got 'erf'/);
    expect(() => gelu(x, { aproximate: 'tanh' } as never)).toThrow(/^gelu: unknown option 'aproximate'/);
    expect(() => softplus(x, { beta: 0 })).toThrow(/^softplus: beta must be a finite non-zero number, got 0/);
    expect(() => softplus(x, { inplace: true } as never)).toThrow(/^softplus: unknown option 'inplace'/);
    expect(() => elu(x, Number.NaN)).toThrow(/^elu: alpha must be a finite number, got NaN/);
    expect(() => silu(null as never)).toThrow(/^silu: input must be a Tensor/);
  });
});
