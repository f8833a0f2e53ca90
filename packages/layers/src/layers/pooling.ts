// Pooling layers over [N, C, H, W]: stride defaults to the kernel size (non-overlapping windows).
import { avgPool2d, maxPool2d, type Tensor } from '@convgrad/core';
import { Module } from '../module.ts';

export interface PoolLayerOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
}

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: number | [number, number], readonly options: PoolLayerOptions = {}) {
    super();
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }

  protected override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.options.stride ?? this.kernelSize}, padding=${this.options.padding ?? 0}`;
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: number | [number, number], readonly options: PoolLayerOptions = {}) {
    super();
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }

  protected override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.options.stride ?? this.kernelSize}, padding=${this.options.padding ?? 0}`;
  }
}
