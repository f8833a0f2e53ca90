// conv2d backward (the chapter's rule from graph ops) against central differences in float64,
// first and second order, over random valid configurations (channels, non-square kernels, strides
// with remainders, padding, dilation, batch, with/without bias).
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { conv2d, mseLoss, type Tensor } from '../src/index.ts';
import { convCaseArb, gradcheck, gradgradcheck, makeTensor, type ConvCase } from '../src/testing/index.ts';
import { checkProperty, convOptions, convTensors, expectGradOk } from './helpers.ts';

describe('convCaseArb', () => {
  it('covers what the properties claim: channels 1–4, kernels 1–5 non-square, strides 1–3 with remainders, padding 0–2, dilation 1–2, batch 1–3, bias or not', () => {
    const cases = fc.sample(convCaseArb(), { numRuns: 300, seed: 1 });
    const seen = (f: (c: ConvCase) => number | boolean) => new Set(cases.map(f));
    expect(seen((c) => c.cin)).toEqual(new Set([1, 2, 3, 4]));
    expect(seen((c) => c.cout)).toEqual(new Set([1, 2, 3, 4]));
    expect(seen((c) => c.kh)).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(seen((c) => c.stride[1])).toEqual(new Set([1, 2, 3]));
    expect(seen((c) => c.padding[0])).toEqual(new Set([0, 1, 2]));
    expect(seen((c) => c.dilation[1])).toEqual(new Set([1, 2]));
    expect(seen((c) => c.n)).toEqual(new Set([1, 2, 3]));
    expect(seen((c) => c.bias)).toEqual(new Set([true, false]));
    expect(cases.some((c) => c.kh !== c.kw)).toBe(true);
    // (H + 2P − K') not a multiple of S: the last stride leaves rows unread (the chapter's sizes fail there).
    const remainder = (c: ConvCase) => (c.h + 2 * c.padding[0] - (c.dilation[0] * (c.kh - 1) + 1)) % c.stride[0] !== 0;
    expect(cases.filter(remainder).length).toBeGreaterThan(30);
  });
});

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
    }, 100);
  });

  it('second derivatives of the bilinear conv2d(x, w) + b (cross terms x–w through the backward graph)', () => {
    checkProperty(convCaseArb({ maxBatch: 2, maxChannels: 2, maxOut: 2 }), (c) => {
      const { x, w, b } = convTensors(c);
      const inputs = b ? [x, w, b] : [x, w];
      expectGradOk(gradgradcheck((...t: Tensor[]) => conv2d(t[0], t[1], t[2] ?? null, convOptions(c)), inputs));
    }, 25);
  });

  it('second derivatives of mseLoss(conv2d(x, w, b), y) (nonzero Hessian in every argument)', () => {
    checkProperty(convCaseArb({ maxBatch: 2, maxChannels: 2, maxOut: 2 }), (c) => {
      const { x, w, b } = convTensors(c);
      const inputs = b ? [x, w, b] : [x, w];
      const shape = conv2d(x.detach(), w.detach(), null, convOptions(c)).shape;
      const y = makeTensor({ shape: [...shape], seed: c.seed + 3 }, { requiresGrad: false });
      const f = (...t: Tensor[]) => mseLoss(conv2d(t[0], t[1], t[2] ?? null, convOptions(c)), y);
      expectGradOk(gradgradcheck(f, inputs));
    }, 25);
  });
});
