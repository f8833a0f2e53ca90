// sqrt and pow: forward against Math, first and second derivatives against central differences.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pow, sqrt, tensor, Tensor } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb, tensorSpecArb, type TensorSpec } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

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
  it('rejects a non-finite exponent, naming the op', () => {
    expect(() => pow(tensor([1]), Number.NaN)).toThrow(/^pow: exponent must be a finite number/);
  });
});
