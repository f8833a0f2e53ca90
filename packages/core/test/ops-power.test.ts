// sqrt and pow: forward against Math, first and second derivatives against central differences.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pow, sqrt, sum, tensor, Tensor } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeEdgeTensor, makeTensor, shapeArb, tensorSpecArb, type TensorSpec } from '../src/testing/index.ts';
import { awayFromZero, checkProperty, expectClose, expectGradOk } from './helpers.ts';

const specArb = tensorSpecArb(shapeArb({ maxRank: 3, maxDim: 4 }));

/** Float64 leaf in [0.3, ~5]: away from sqrt's singularity at 0 and pow's at 0 for p < 1. */
function positive(spec: TensorSpec): Tensor {
  const t = makeTensor(spec, { requiresGrad: false });
  return new Tensor(t.data.map((v) => 0.3 + v * v), t.shape, true);
}

describe('sqrt', () => {
  it('forward matches Math.sqrt', () => {
    checkProperty(specArb, (s) => {
      const x = positive(s);
      expectClose(sqrt(x).data, Array.from(x.data, Math.sqrt), 0, 'sqrt');
    });
  });
  it('gradient and second derivative match finite differences', () => {
    checkProperty(specArb, (s) => {
      expectGradOk(gradcheck(sqrt, [positive(s)]));
      expectGradOk(gradgradcheck(sqrt, [positive(s)]));
    }, 20);
  });
  it('is NaN below zero, as Math.sqrt', () => {
    expect(Number.isNaN(sqrt(tensor([-1])).data[0])).toBe(true);
  });
});

describe('pow', () => {
  const exponentArb = fc.oneof(fc.constantFrom(-1, 0, 0.5, 1, 2, 3), fc.double({ min: -2, max: 3, noNaN: true }));
  it('forward matches Math.pow', () => {
    checkProperty(fc.tuple(specArb, exponentArb), ([s, p]) => {
      const x = positive(s);
      expectClose(pow(x, p).data, Array.from(x.data, (v) => Math.pow(v, p)), 1e-15, 'pow');
    });
  });
  it('gradient and second derivative match finite differences', () => {
    checkProperty(fc.tuple(specArb, exponentArb), ([s, p]) => {
      const f = (x: Tensor) => pow(x, p);
      expectGradOk(gradcheck(f, [positive(s)]));
      expectGradOk(gradgradcheck(f, [positive(s)]));
    }, 20);
  });

  // Integer exponents are defined on the whole line: zeros (p ≥ 0), negatives, ±0, tiny and large values.
  // (A rule written as p·xᵖ/x is NaN at 0 and fails here.)
  const integerExponent = fc.integer({ min: 0, max: 5 });
  const edges = [0, -0, 1e-9, -1e-9, 0, -1, 2, -3.5, 6, -6]; // large enough to matter, small enough for finite differences
  it('integer p ≥ 0: first and second derivatives at zeros, negatives and ±0', () => {
    checkProperty(fc.tuple(specArb, integerExponent), ([s, p]) => {
      const f = (x: Tensor) => pow(x, p);
      const x = makeEdgeTensor(s, edges);
      expect(Array.from(pow(x, p).data), 'forward').toEqual(Array.from(x.data, (v) => Math.pow(v, p)));
      expectGradOk(gradcheck(f, [x]));
      expectGradOk(gradgradcheck(f, [makeEdgeTensor(s, edges)]));
    }, 30);
  });
  it('negative integer p: negatives of either sign away from the pole at 0', () => {
    checkProperty(fc.tuple(specArb, fc.integer({ min: -3, max: -1 })), ([s, p]) => {
      const f = (x: Tensor) => pow(x, p);
      const x = awayFromZero(s);
      expectGradOk(gradcheck(f, [x], { rtol: 1e-3, atol: 1e-4 }));
      expectGradOk(gradgradcheck(f, [awayFromZero(s)], { rtol: 1e-3, atol: 1e-4 }));
    }, 20);
  });
  it('values and gradients at 0, ±2 follow PyTorch (0^p, the pole, NaN for a negative base with a fractional p)', () => {
    // torch.pow(x, p).sum().backward() on x = [0, -2, 2] (float64), PyTorch 1.13.
    const torch: [number, number[], number[]][] = [
      [0, [1, 1, 1], [0, 0, 0]],
      [1, [0, -2, 2], [1, 1, 1]],
      [2, [0, 4, 4], [0, -4, 4]],
      [3, [0, -8, 8], [0, 12, 12]],
      [0.5, [0, NaN, Math.SQRT2], [Infinity, NaN, 0.35355339059327373]],
      [1.5, [0, NaN, 2.8284271247461903], [0, NaN, 2.121320343559643]],
      [2.5, [0, NaN, 5.656854249492381], [0, NaN, 7.0710678118654755]],
      [-1, [Infinity, -0.5, 0.5], [-Infinity, -0.25, -0.25]],
      [-2, [Infinity, 0.25, 0.25], [-Infinity, 0.25, -0.25]],
    ];
    for (const [p, value, gradient] of torch) {
      const x = tensor([0, -2, 2], undefined, { dtype: 'float64', requiresGrad: true });
      const y = pow(x, p);
      sum(y).backward();
      expectClose(y.data, value, 1e-15, `pow(x, ${p})`);
      expectClose(x.grad!.data, gradient, 1e-15, `d pow(x, ${p})/dx`);
    }
    // Signed zeros of the odd powers and of the poles, as IEEE (and PyTorch) give them.
    const z = tensor([-0], undefined, { dtype: 'float64', requiresGrad: true });
    sum(pow(z, -2)).backward();
    expect(z.grad!.data[0]).toBe(Infinity); // −2·(−0)⁻³ = +∞
    expect(Object.is(pow(z, 3).data[0], -0)).toBe(true);
  });
  it('rejects a non-finite exponent, naming the op', () => {
    expect(() => pow(tensor([1]), Number.NaN)).toThrow(/^pow: exponent must be a finite number/);
  });
});
