// Conv2d layer: weight [Cout, Cin, KH, KW], bias [Cout], applied with core conv2d.
import { conv2d, ConvgradError, type Tensor } from '@convgrad/core';
import { kaimingUniformBound, rngFrom, uniformParameter, type InitOptions } from '../init.ts';
import { Module } from '../module.ts';

export interface Conv2dLayerOptions extends InitOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  /** Learnable bias (default true). */
  bias?: boolean;
}

function pair(v: number | readonly number[], what: string): [number, number] {
  const p = typeof v === 'number' ? [v, v] : [...v];
  if (p.length !== 2 || !p.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ConvgradError('Conv2d', `${what} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p as [number, number];
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: number | [number, number];
  readonly padding: number | [number, number];
  readonly dilation: number | [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number], options: Conv2dLayerOptions = {}) {
    super();
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ConvgradError('Conv2d', `${name} must be a positive integer, got ${v}`);
    }
    this.kernelSize = pair(kernelSize, 'kernelSize');
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    const [kh, kw] = this.kernelSize;
    const rng = rngFrom(options);
    const bound = kaimingUniformBound(inChannels * kh * kw);
    this.weight = this.registerParameter('weight', uniformParameter([outChannels, inChannels, kh, kw], bound, rng, options.dtype))!;
    this.bias = this.registerParameter('bias', options.bias === false ? null : uniformParameter([outChannels], bound, rng, options.dtype));
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize.join('x')}, stride=${this.stride}, padding=${this.padding}${this.dilation !== 1 ? `, dilation=${this.dilation}` : ''}${this.bias ? '' : ', bias=false'}`;
  }
}
