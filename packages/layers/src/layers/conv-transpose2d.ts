// ConvTranspose2d layer: weight [Cin, Cout/groups, KH, KW] (PyTorch's layout), bias [Cout], applied with
// core convTranspose2d (whose forward is the conv2d backward's dX rule).
import { convTranspose2d, ConvgradError, type Tensor } from '@convgrad/core';
import { kaimingUniformBound, rngFrom, uniformParameter, type InitOptions } from '../init.ts';
import { Module } from '../module.ts';
import { checkLayerOptions } from './check-options.ts';
import { channelGroups, pair, positiveInt } from './conv2d.ts';

export interface ConvTranspose2dLayerOptions extends InitOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  /** Extra rows/cols at the bottom/right of the output; each < stride or < dilation. */
  outputPadding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
  /** Learnable bias (default true). */
  bias?: boolean;
  /** Only 'zeros', as in PyTorch. */
  paddingMode?: 'zeros';
}

const OPTIONS = ['stride', 'padding', 'outputPadding', 'dilation', 'groups', 'bias', 'paddingMode', 'seed', 'rng', 'dtype'];

export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: number | [number, number];
  readonly padding: number | [number, number];
  readonly outputPadding: number | [number, number];
  readonly dilation: number | [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number], options: ConvTranspose2dLayerOptions = {}) {
    super();
    const L = 'ConvTranspose2d';
    checkLayerOptions(options, OPTIONS, L);
    positiveInt(inChannels, 'inChannels', L);
    positiveInt(outChannels, 'outChannels', L);
    this.kernelSize = pair(kernelSize, 'kernelSize', L);
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.outputPadding = options.outputPadding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.groups = channelGroups(options.groups, inChannels, outChannels, L);
    if ((options.paddingMode ?? 'zeros') !== 'zeros') throw new ConvgradError(L, `only paddingMode 'zeros' is supported (as in PyTorch), got ${JSON.stringify(options.paddingMode)}`);
    const [kh, kw] = this.kernelSize;
    const rng = rngFrom(options);
    // PyTorch's fan_in is weight dim 1 × kernel: Cout/groups · KH · KW for this layout.
    const bound = kaimingUniformBound((outChannels / this.groups) * kh * kw);
    this.weight = this.registerParameter('weight', uniformParameter([inChannels, outChannels / this.groups, kh, kw], bound, rng, options.dtype))!;
    this.bias = this.registerParameter('bias', options.bias === false ? null : uniformParameter([outChannels], bound, rng, options.dtype));
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups,
    });
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize.join('x')}, stride=${this.stride}, padding=${this.padding}`
      + `${this.outputPadding !== 0 ? `, outputPadding=${this.outputPadding}` : ''}${this.dilation !== 1 ? `, dilation=${this.dilation}` : ''}`
      + `${this.groups !== 1 ? `, groups=${this.groups}` : ''}${this.bias ? '' : ', bias=false'}`;
  }
}
