// Pooling layers over [N, C, H, W]: stride defaults to the kernel size (non-overlapping windows); the
// adaptive ones take the output size; Upsample resizes. Options are checked when the layer is built.
import {
  adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool2d, interpolate, maxPool2d,
  type AdaptiveSize, type AvgPool2dOptions, type InterpolateOptions, type MaxPool2dOptions, type Tensor,
} from '@convgrad/core';
import { Module } from '../module.ts';
import { checkPair, checkTensor } from '../checks.ts';
import { checkLayerOptions } from './check-options.ts';

/** Options of MaxPool2d and AvgPool2d (each refuses the other's own keys). */
export type PoolLayerOptions = MaxPool2dOptions & AvgPool2dOptions;

const fmt = (v: unknown) => JSON.stringify(v);


/** Stride and padding checked when the layer is built (the op checks them again against the input). */
function checkPoolGeometry(o: PoolLayerOptions, layer: string): void {
  if (o.stride !== undefined) checkPair(o.stride, layer, 'stride', 1);
  if (o.padding !== undefined) checkPair(o.padding, layer, 'padding', 0);
}

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: number | [number, number], readonly options: MaxPool2dOptions = {}) {
    super();
    checkLayerOptions(options, ['stride', 'padding', 'dilation', 'ceilMode'], 'MaxPool2d');
    checkPair(kernelSize, 'MaxPool2d', 'kernelSize', 1);
    checkPoolGeometry(options, 'MaxPool2d');
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'MaxPool2d');
    return maxPool2d(x, this.kernelSize, this.options);
  }

  protected override extraRepr(): string {
    const o = this.options;
    return `kernelSize=${this.kernelSize}, stride=${o.stride ?? this.kernelSize}, padding=${o.padding ?? 0}`
      + `${o.dilation !== undefined ? `, dilation=${fmt(o.dilation)}` : ''}${o.ceilMode ? ', ceilMode=true' : ''}`;
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: number | [number, number], readonly options: AvgPool2dOptions = {}) {
    super();
    checkLayerOptions(options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], 'AvgPool2d');
    checkPair(kernelSize, 'AvgPool2d', 'kernelSize', 1);
    checkPoolGeometry(options, 'AvgPool2d');
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'AvgPool2d');
    return avgPool2d(x, this.kernelSize, this.options);
  }

  protected override extraRepr(): string {
    const o = this.options;
    return `kernelSize=${this.kernelSize}, stride=${o.stride ?? this.kernelSize}, padding=${o.padding ?? 0}${o.ceilMode ? ', ceilMode=true' : ''}`
      + `${o.countIncludePad === false ? ', countIncludePad=false' : ''}${o.divisorOverride !== undefined ? `, divisorOverride=${o.divisorOverride}` : ''}`;
  }
}

/** Adaptive pooling to a fixed output size (`size` a number or [h | null, w | null]). */
abstract class AdaptivePool2d extends Module {
  protected abstract readonly pool: (x: Tensor, size: AdaptiveSize) => Tensor;

  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.pool(x, this.outputSize);
  }

  protected override extraRepr(): string {
    return `outputSize=${fmt(this.outputSize)}`;
  }
}

/** Average over adaptive windows; `new AdaptiveAvgPool2d(1)` is global average pooling. */
export class AdaptiveAvgPool2d extends AdaptivePool2d {
  protected readonly pool = adaptiveAvgPool2d;
}

/** Max over adaptive windows (the gradient goes to the first maximum of each). */
export class AdaptiveMaxPool2d extends AdaptivePool2d {
  protected readonly pool = adaptiveMaxPool2d;
}

/** Global average pooling: [N, C, H, W] → [N, C, 1, 1] (= AdaptiveAvgPool2d(1)). */
export class GlobalAvgPool2d extends AdaptiveAvgPool2d {
  constructor() {
    super(1);
  }
}

/** Resizes [N, C, H, W] with interpolate: `new Upsample({ scaleFactor: 2, mode: 'bilinear' })`. */
export class Upsample extends Module {
  constructor(readonly options: InterpolateOptions) {
    super();
    checkLayerOptions(options, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor'], 'Upsample');
  }

  forward(x: Tensor): Tensor {
    return interpolate(x, this.options);
  }

  protected override extraRepr(): string {
    return Object.entries(this.options).map(([k, v]) => `${k}=${fmt(v)}`).join(', ');
  }
}
