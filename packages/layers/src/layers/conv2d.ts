// Conv2d layer: weight [Cout, Cin, KH, KW], bias [Cout], applied with core conv2d.
import { conv2d, type Tensor } from '@convgrad/core';
import { checkBool, checkInt, checkOptions, checkPair, checkSize, checkTensor, optionOr } from '../checks.ts';
import { dtypeFrom, INIT_OPTION_KEYS, kaimingUniformBound, rngFrom, uniformParameter, type InitOptions } from '../init.ts';
import { Module } from '../module.ts';

export interface Conv2dLayerOptions extends InitOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  /** Learnable bias (default true). */
  bias?: boolean;
}

const OPTION_KEYS = ['stride', 'padding', 'dilation', 'bias', ...INIT_OPTION_KEYS];

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: number | [number, number];
  readonly padding: number | [number, number];
  readonly dilation: number | [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number], options?: Conv2dLayerOptions) {
    super();
    const o = checkOptions(options, 'Conv2d', OPTION_KEYS);
    checkInt(inChannels, 'Conv2d', 'inChannels', 1);
    checkInt(outChannels, 'Conv2d', 'outChannels', 1);
    checkPair(kernelSize, 'Conv2d', 'kernelSize', 1);
    this.kernelSize = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : [kernelSize[0], kernelSize[1]];
    this.stride = optionOr(o.stride, 1);
    this.padding = optionOr(o.padding, 0);
    this.dilation = optionOr(o.dilation, 1);
    checkPair(this.stride, 'Conv2d', 'stride', 1);
    checkPair(this.padding, 'Conv2d', 'padding', 0);
    checkPair(this.dilation, 'Conv2d', 'dilation', 1);
    const bias = optionOr(o.bias, true);
    checkBool(bias, 'Conv2d', 'bias');
    const dtype = dtypeFrom(o, 'Conv2d');
    const rng = rngFrom(o, 'Conv2d');
    const [kh, kw] = this.kernelSize;
    checkSize([outChannels, inChannels, kh, kw], 'Conv2d', 'weight');
    const bound = kaimingUniformBound(inChannels * kh * kw);
    this.weight = this.registerParameter('weight', uniformParameter([outChannels, inChannels, kh, kw], bound, rng, dtype))!;
    this.bias = this.registerParameter('bias', bias ? uniformParameter([outChannels], bound, rng, dtype) : null);
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'Conv2d');
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize.join('x')}, stride=${this.stride}, padding=${this.padding}${this.dilation !== 1 ? `, dilation=${this.dilation}` : ''}${this.bias ? '' : ', bias=false'}`;
  }
}
