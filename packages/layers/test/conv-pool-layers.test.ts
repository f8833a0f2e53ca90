// Issue-11 conv and pooling layers: Conv2d groups / 'same' / paddingMode, ConvTranspose2d, the pooling
// layers' new options, AdaptiveAvgPool2d / AdaptiveMaxPool2d / GlobalAvgPool2d and Upsample: shapes,
// PyTorch's init bounds, values against the core ops, gradients through the layers, option checks.
import { describe, expect, it } from 'vitest';
import {
  adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool2d, conv2d, convTranspose2d, interpolate, maxPool2d, pad2d, randn, sum, type Tensor,
} from '@convgrad/core';
import { gradcheck } from '@convgrad/core/testing';
import {
  AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, Conv2d, ConvTranspose2d, Flatten, GlobalAvgPool2d, Linear, MaxPool2d, ReLU, Sequential, Upsample,
} from '../src/index.ts';
import { expectClose, expectGradOk } from './helpers.ts';

const f64 = (shape: number[], seed: number) => randn(shape, { dtype: 'float64', seed, requiresGrad: true });

describe('Conv2d groups, padding and paddingMode', () => {
  it('depthwise: weight [Cout, Cin/groups, KH, KW], bound 1/√(Cin/groups·KH·KW), output = conv2d with groups', () => {
    const layer = new Conv2d(4, 8, 3, { groups: 4, padding: 1, seed: 1, dtype: 'float64' });
    expect(layer.weight.shape).toEqual([8, 1, 3, 3]);
    const bound = 1 / Math.sqrt(9);
    expect(Math.max(...layer.weight.data.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...layer.weight.data.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    const x = f64([2, 4, 5, 5], 2);
    expectClose(layer.call(x).data, conv2d(x, layer.weight, layer.bias, { padding: 1, groups: 4 }).data, 0, 'depthwise');
    expect(String(layer)).toContain('groups=4');
  });

  it.each(['reflect', 'replicate', 'circular'] as const)("paddingMode '%s' = conv2d(pad2d(x, mode)) unpadded, also with 'same'; FD through the layer", (mode) => {
    const layer = new Conv2d(2, 3, [3, 2], { padding: [1, 2], paddingMode: mode, seed: 3, dtype: 'float64' });
    const x = f64([1, 2, 4, 5], 4);
    const y = layer.call(x);
    expectClose(y.data, conv2d(pad2d(x, [1, 1, 2, 2], mode), layer.weight, layer.bias).data, 0, mode);
    expect(y.shape).toEqual([1, 3, 4, 8]);
    const same = new Conv2d(2, 2, [2, 3], { padding: 'same', paddingMode: mode, seed: 5, dtype: 'float64' });
    const ys = same.call(x);
    expect(ys.shape).toEqual([1, 2, 4, 5]);
    expectClose(ys.data, conv2d(pad2d(x, [0, 1, 1, 1], mode), same.weight, same.bias).data, 0, `${mode} same`);
    expectGradOk(gradcheck((a) => layer.call(a), [x]));
    expectGradOk(gradcheck((a) => same.call(a), [x]));
  });

  it("padding 'same' and 'valid' with zeros", () => {
    const x = f64([1, 1, 5, 6], 6);
    expect(new Conv2d(1, 2, 4, { padding: 'same', dilation: 2, dtype: 'float64' }).call(x).shape).toEqual([1, 2, 5, 6]);
    expect(new Conv2d(1, 2, 3, { padding: 'valid', dtype: 'float64' }).call(x).shape).toEqual([1, 2, 3, 4]);
  });

  it('refuses bad groups, modes and unknown options at construction, naming them', () => {
    expect(() => new Conv2d(4, 6, 3, { groups: 4 })).toThrow(/^Conv2d: outChannels 6 must be divisible by groups 4/);
    expect(() => new Conv2d(3, 6, 3, { groups: 2 })).toThrow(/^Conv2d: inChannels 3 must be divisible by groups 2/);
    expect(() => new Conv2d(3, 6, 3, { groups: 0 })).toThrow(/^Conv2d: groups must be a positive integer, got 0/);
    expect(() => new Conv2d(3, 6, 3, { paddingMode: 'mirror' as 'reflect' })).toThrow(/^Conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got "mirror"/);
    expect(() => new Conv2d(3, 6, 3, { padding: 'same', stride: 2 })).toThrow(/^Conv2d: padding 'same' is not supported for strided convolutions/);
    expect(() => new Conv2d(3, 6, 3, { padding_mode: 'reflect' } as object)).toThrow(/^Conv2d: unknown option 'padding_mode'/);
    expect(() => new Conv2d(3, 6, 3, { device: 'cuda' } as object)).toThrow(/^Conv2d: unknown option 'device'/);
  });
});

describe('ConvTranspose2d', () => {
  it('weight [Cin, Cout/groups, KH, KW], bound 1/√(Cout/groups·KH·KW), output = convTranspose2d; FD through the layer', () => {
    const layer = new ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2, seed: 7, dtype: 'float64' });
    expect(layer.weight.shape).toEqual([4, 3, 3, 3]);
    expect(layer.bias!.shape).toEqual([6]);
    expect(Math.max(...layer.weight.data.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(27));
    const x = f64([2, 4, 3, 3], 8);
    const y = layer.call(x);
    expect(y.shape).toEqual([2, 6, 6, 6]); // (3−1)·2 − 2 + 3 + 1
    expectClose(y.data, convTranspose2d(x, layer.weight, layer.bias, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }).data, 0, 'layer');
    expectGradOk(gradcheck((a, w) => convTranspose2d(a, w, layer.bias, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), [x, layer.weight]));
    expect([...layer.stateDict().keys()]).toEqual(['weight', 'bias']);
  });

  it('refuses paddingMode other than zeros (as PyTorch), bad groups and unknown options', () => {
    expect(() => new ConvTranspose2d(2, 2, 3, { paddingMode: 'reflect' as 'zeros' })).toThrow(/^ConvTranspose2d: only paddingMode 'zeros' is supported/);
    expect(() => new ConvTranspose2d(2, 3, 3, { groups: 2 })).toThrow(/^ConvTranspose2d: outChannels 3 must be divisible by groups 2/);
    expect(() => new ConvTranspose2d(2, 2, 3, { outputSize: 4 } as object)).toThrow(/^ConvTranspose2d: unknown option 'outputSize'/);
  });
});

describe('pooling layers', () => {
  const x = f64([2, 3, 7, 6], 9);
  it('MaxPool2d / AvgPool2d pass the new options to the ops', () => {
    const mo = { stride: 2, padding: 1, dilation: 2, ceilMode: true };
    expectClose(new MaxPool2d(3, mo).call(x).data, maxPool2d(x, 3, mo).data, 0, 'max');
    const ao = { stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 4 };
    expectClose(new AvgPool2d(3, ao).call(x).data, avgPool2d(x, 3, ao).data, 0, 'avg');
    expect(String(new MaxPool2d(3, mo))).toContain('ceilMode=true');
  });

  it('refuse unknown or the other pool\'s options at construction', () => {
    expect(() => new MaxPool2d(2, { countIncludePad: false } as object)).toThrow(/^MaxPool2d: unknown option 'countIncludePad'/);
    expect(() => new AvgPool2d(2, { dilation: 2 } as object)).toThrow(/^AvgPool2d: unknown option 'dilation'/);
    expect(() => new AvgPool2d(2, { ceil_mode: true } as object)).toThrow(/^AvgPool2d: unknown option 'ceil_mode'/);
    expect(() => new Upsample({ scaleFactor: 2, antialias: true })).toThrow(/^Upsample: unknown option 'antialias'/);
  });

  it('AdaptiveAvgPool2d, AdaptiveMaxPool2d, GlobalAvgPool2d and Upsample = their ops', () => {
    expectClose(new AdaptiveAvgPool2d([3, null]).call(x).data, adaptiveAvgPool2d(x, [3, null]).data, 0, 'adaptive avg');
    expectClose(new AdaptiveMaxPool2d(2).call(x).data, adaptiveMaxPool2d(x, 2).data, 0, 'adaptive max');
    const g = new GlobalAvgPool2d().call(x);
    expect(g.shape).toEqual([2, 3, 1, 1]);
    expectClose(g.data, sum(x, [2, 3]).data.map((v) => v / 42), 1e-14, 'global');
    const up = new Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: false });
    expectClose(up.call(x).data, interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: false }).data, 0, 'upsample');
  });

  it('a small depthwise-separable net with global average pooling trains end to end (gradients reach every parameter)', () => {
    const net = new Sequential(
      new Conv2d(1, 4, 3, { padding: 'same', seed: 1 }), new ReLU(),
      new Conv2d(4, 4, 3, { padding: 1, groups: 4, paddingMode: 'reflect', seed: 2 }), new Conv2d(4, 8, 1, { seed: 3 }), new ReLU(),
      new MaxPool2d(2, { ceilMode: true }), new ConvTranspose2d(8, 4, 2, { stride: 2, seed: 4 }), new Upsample({ size: [9, 9] }),
      new GlobalAvgPool2d(), new Flatten(), new Linear(4, 3, { seed: 5 }),
    );
    const out = net.call(randn([2, 1, 9, 9], { seed: 6 }));
    expect(out.shape).toEqual([2, 3]);
    sum(out.mul(out)).backward();
    for (const [name, p] of net.namedParameters()) expect(p.grad, name).not.toBeNull();
  });
});

export type { Tensor };
