import fc from 'fast-check';
import { expect, it } from 'vitest';
import { allocate, check, ConvgradError, record, sigmoid, Tensor } from '@convgrad/core';
import { gradcheck, gradgradcheck, makeTensor, shapeArb, tensorSpecArb } from '@convgrad/core/testing';
import { Module } from '@convgrad/layers';

/** softplus(x) = log(1 + e^(βx)) / β, as PyTorch's. The forward is a loop over the data; the backward rule uses ops. */
export function softplus(x: Tensor, beta = 1): Tensor {
  // bad input: a ConvgradError whose message starts with the op's name and names the value
  check(Number.isFinite(beta) && beta > 0, 'softplus', () => `beta must be a positive number, got ${beta}`);
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < x.size; i++) {
    const v = beta * x.data[i];
    // max(v, 0) + log1p(e^−|v|) = log(1 + eᵛ), without overflow for large |v|
    out[i] = (Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)))) / beta;
  }
  // d softplus / dx = σ(βx). Built from ops, so it can be differentiated again.
  return record(new Tensor(out, x.shape), 'softplus', [x], (g) => [g.mul(sigmoid(x.mul(beta)))]);
}

/** A layer is a Module whose forward composes ops (parameters: registerParameter or a field). */
export class Softplus extends Module {
  constructor(readonly beta = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return softplus(x, this.beta);
  }
}

it('softplus: first and second derivatives match central differences', () => {
  // a failure shrinks to a readable counterexample: a shape, a seed and a beta
  fc.assert(fc.property(tensorSpecArb(shapeArb({ maxRank: 3 })), fc.double({ min: 0.25, max: 4, noNaN: true }), (spec, beta) => {
    const x = makeTensor(spec, { scale: 3 }); // float64 N(0, 9) values that require grad
    const first = gradcheck((t) => softplus(t, beta), [x]);
    const second = gradgradcheck((t) => new Softplus(beta).call(t), [x]);
    expect(first.ok, first.message).toBe(true);
    expect(second.ok, second.message).toBe(true);
  }));
});

it('softplus refuses a bad beta with an error naming the op and the value', () => {
  const x = new Tensor(new Float64Array([1, 2]), [2]);
  expect(() => softplus(x, 0)).toThrow(ConvgradError);
  expect(() => new Softplus(-1).call(x)).toThrow(/^softplus: beta must be a positive number, got -1$/);
});
