// Pooling layers over [N, C, H, W]: stride defaults to the kernel size (non-overlapping windows).
import { avgPool2d, maxPool2d, type Tensor } from '@convgrad/core';
import { checkOptions, checkPair, checkTensor } from '../checks.ts';
import { Module } from '../module.ts';

export interface PoolLayerOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
}

/** Kernel, stride and padding checked when the layer is built (the op checks them against the input). */
function checkPool(op: string, kernelSize: unknown, options: PoolLayerOptions | undefined): PoolLayerOptions {
  const o = checkOptions(options, op, ['stride', 'padding']);
  checkPair(kernelSize, op, 'kernelSize', 1);
  if (o.stride !== undefined) checkPair(o.stride, op, 'stride', 1);
  if (o.padding !== undefined) checkPair(o.padding, op, 'padding', 0);
  return { ...o };
}

export class MaxPool2d extends Module {
  readonly options: PoolLayerOptions;

  constructor(readonly kernelSize: number | [number, number], options?: PoolLayerOptions) {
    super();
    this.options = checkPool('MaxPool2d', kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'MaxPool2d');
    return maxPool2d(x, this.kernelSize, this.options);
  }

  protected override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.options.stride ?? this.kernelSize}, padding=${this.options.padding ?? 0}`;
  }
}

export class AvgPool2d extends Module {
  readonly options: PoolLayerOptions;

  constructor(readonly kernelSize: number | [number, number], options?: PoolLayerOptions) {
    super();
    this.options = checkPool('AvgPool2d', kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'AvgPool2d');
    return avgPool2d(x, this.kernelSize, this.options);
  }

  protected override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.options.stride ?? this.kernelSize}, padding=${this.options.padding ?? 0}`;
  }
}
