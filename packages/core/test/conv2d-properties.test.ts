// conv2d backward (the chapter's rule from graph ops) against central differences in float64,
// first and second order, over random valid configurations (channels, non-square kernels, strides
// with remainders, padding, dilation, batch, with/without bias).
import { describe, it, expect } from 'vitest';
import { conv2d, mseLoss, type Tensor } from '../src/index.ts';
import { convCaseArb, gradcheck, gradgradcheck, makeTensor } from '../src/testing/index.ts';
import { checkProperty, convOptions, convTensors, expectGradOk } from './helpers.ts';

describe('conv2d gradients', () => {
  it('dX, dW, db match finite differences (first order)', () => {
    checkProperty(convCaseArb(), (c) => {
      const { x, w, b } = convTensors(c);
      const inputs = b ? [x, w, b] : [x, w];
      const out = conv2d(x, w, b, convOptions(c));
      // The output size from the definition: floor((H + 2P − D(K−1) − 1)/S) + 1.
      const oh = Math.floor((c.h + 2 * c.padding[0] - c.dilation[0] * (c.kh - 1) - 1) / c.stride[0]) + 1;
      const ow = Math.floor((c.w + 2 * c.padding[1] - c.dilation[1] * (c.kw - 1) - 1) / c.stride[1]) + 1;
      expect(out.shape).toEqual([c.n, c.cout, oh, ow]);
      expectGradOk(gradcheck((...t: Tensor[]) => conv2d(t[0], t[1], t[2] ?? null, convOptions(c)), inputs));
    });
  });

  it('second derivatives of the bilinear conv2d(x, w) + b (cross terms x–w through the backward graph)', () => {
    checkProperty(convCaseArb({ maxBatch: 2, maxChannels: 2, maxOut: 2 }), (c) => {
      const { x, w, b } = convTensors(c);
      const inputs = b ? [x, w, b] : [x, w];
      expectGradOk(gradgradcheck((...t: Tensor[]) => conv2d(t[0], t[1], t[2] ?? null, convOptions(c)), inputs));
    }, 15);
  });

  it('second derivatives of mseLoss(conv2d(x, w, b), y) (nonzero Hessian in every argument)', () => {
    checkProperty(convCaseArb({ maxBatch: 2, maxChannels: 2, maxOut: 2 }), (c) => {
      const { x, w, b } = convTensors(c);
      const inputs = b ? [x, w, b] : [x, w];
      const shape = conv2d(x.detach(), w.detach(), null, convOptions(c)).shape;
      const y = makeTensor({ shape: [...shape], seed: c.seed + 3 }, { requiresGrad: false });
      const f = (...t: Tensor[]) => mseLoss(conv2d(t[0], t[1], t[2] ?? null, convOptions(c)), y);
      expectGradOk(gradgradcheck(f, inputs));
    }, 15);
  });
});
