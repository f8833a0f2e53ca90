import fc from 'fast-check';
import { expect, it } from 'vitest';
import { allocate, record, sigmoid, Tensor } from '@convgrad/core';
import { gradcheck, gradgradcheck, makeTensor, shapeArb, tensorSpecArb } from '@convgrad/core/testing';
import { Module } from '@convgrad/layers';

/** softplus(x) = log(1 + eˣ). The forward is a loop over the data; the backward rule uses ops. */
export function softplus(x: Tensor): Tensor {
  const out = allocate(x.dtype, x.size);
  // max(v, 0) + log1p(e^−|v|): the same value, without overflow for large |v|
  for (let i = 0; i < x.size; i++) out[i] = Math.max(x.data[i], 0) + Math.log1p(Math.exp(-Math.abs(x.data[i])));
  // d softplus / dx = σ(x). Built from ops, so it can be differentiated again.
  return record(new Tensor(out, x.shape), 'softplus', [x], (g) => [g.mul(sigmoid(x))]);
}

/** A layer is a Module whose forward composes ops (parameters: registerParameter or a field). */
export class Softplus extends Module {
  forward(x: Tensor): Tensor {
    return softplus(x);
  }
}

it('softplus: first and second derivatives match central differences', () => {
  // a failure shrinks to a readable counterexample: a shape and a seed
  fc.assert(fc.property(tensorSpecArb(shapeArb({ maxRank: 3 })), (spec) => {
    const x = makeTensor(spec, { scale: 3 }); // float64 N(0, 9) values that require grad
    const first = gradcheck(softplus, [x]);
    const second = gradgradcheck((t) => new Softplus().call(t), [x]);
    expect(first.ok, first.message).toBe(true);
    expect(second.ok, second.message).toBe(true);
  }));
});
