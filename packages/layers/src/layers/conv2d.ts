// Conv2d layer: weight [Cout, Cin/groups, KH, KW], bias [Cout], applied with core conv2d; non-zero
// padding modes pad with pad2d first and convolve unpadded, as PyTorch does.
import { conv2d, type Conv2dOptions, ConvgradError, pad2d, type PaddingMode, type Tensor } from '@convgrad/core';
import { dtypeFrom, kaimingUniformBound, rngFrom, uniformParameter, type InitOptions } from '../init.ts';
import { checkSize, checkTensor, fmtArg } from '../checks.ts';
import { Module } from '../module.ts';
import { checkLayerOptions } from './check-options.ts';

export interface Conv2dLayerOptions extends InitOptions {
  stride?: number | [number, number];
  /** A number, [h, w], 'valid' (= 0) or 'same' (stride 1 only; odd total padding goes bottom/right). */
  padding?: number | [number, number] | 'same' | 'valid';
  dilation?: number | [number, number];
  /** Channel groups (Cin and Cout divisible by it); groups = Cin is a depthwise conv. Default 1. */
  groups?: number;
  /** Learnable bias (default true). */
  bias?: boolean;
  /** What the padding holds: 'zeros' (default), 'reflect', 'replicate' or 'circular'. */
  paddingMode?: PaddingMode;
}

const OPTIONS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'seed', 'rng', 'dtype'];
const MODES: readonly string[] = ['zeros', 'reflect', 'replicate', 'circular'];

export function pair(v: number | readonly number[], what: string, layer: string, min = 1): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) ? [...v] : [];
  if (p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min)) {
    throw new ConvgradError(layer, `${what} must be a ${min === 0 ? 'non-negative' : 'positive'} integer or a pair of them, got ${fmtArg(v)}`);
  }
  return p as [number, number];
}

export function positiveInt(v: unknown, what: string, layer: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ConvgradError(layer, `${what} must be a positive integer, got ${fmtArg(v)}`);
  return v;
}

/** `groups` (default 1): a positive integer dividing both channel counts (PyTorch's check). */
export function channelGroups(v: unknown, inChannels: number, outChannels: number, layer: string): number {
  const groups = positiveInt(v ?? 1, 'groups', layer);
  if (inChannels % groups !== 0) throw new ConvgradError(layer, `inChannels ${inChannels} must be divisible by groups ${groups}`);
  if (outChannels % groups !== 0) throw new ConvgradError(layer, `outChannels ${outChannels} must be divisible by groups ${groups}`);
  return groups;
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: number | [number, number];
  readonly padding: number | [number, number] | 'same' | 'valid';
  readonly dilation: number | [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number], options: Conv2dLayerOptions = {}) {
    super();
    checkLayerOptions(options, OPTIONS, 'Conv2d');
    positiveInt(inChannels, 'inChannels', 'Conv2d');
    positiveInt(outChannels, 'outChannels', 'Conv2d');
    this.kernelSize = pair(kernelSize, 'kernelSize', 'Conv2d');
    // null is a value (refused below), only undefined means the default
    this.stride = options.stride === undefined ? 1 : options.stride;
    this.padding = options.padding === undefined ? 0 : options.padding;
    this.dilation = options.dilation === undefined ? 1 : options.dilation;
    this.groups = channelGroups(options.groups, inChannels, outChannels, 'Conv2d');
    // geometry checked now, not at the first forward (the op checks it again against the input)
    pair(this.stride, 'stride', 'Conv2d');
    pair(this.dilation, 'dilation', 'Conv2d');
    if (this.padding !== 'same' && this.padding !== 'valid') pair(this.padding, 'padding', 'Conv2d', 0);
    if (this.padding === 'same' && pair(this.stride, 'stride', 'Conv2d').some((v) => v !== 1)) {
      throw new ConvgradError('Conv2d', `padding 'same' is not supported for strided convolutions (stride ${JSON.stringify(this.stride)}), as in PyTorch`);
    }
    const mode = options.paddingMode ?? 'zeros';
    if (!MODES.includes(mode)) throw new ConvgradError('Conv2d', `paddingMode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}`);
    this.paddingMode = mode;
    const [kh, kw] = this.kernelSize;
    const rng = rngFrom(options, 'Conv2d');
    const dtype = dtypeFrom(options, 'Conv2d');
    checkSize([outChannels, inChannels / this.groups, kh, kw], 'Conv2d', 'weight');
    const bound = kaimingUniformBound((inChannels / this.groups) * kh * kw);
    this.weight = this.registerParameter('weight', uniformParameter([outChannels, inChannels / this.groups, kh, kw], bound, rng, dtype))!;
    this.bias = this.registerParameter('bias', options.bias === false ? null : uniformParameter([outChannels], bound, rng, dtype));
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'Conv2d');
    const opts = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return conv2d(x, this.weight, this.bias, this.convOptions());
    // PyTorch: F.pad(x, mode) then an unpadded conv ('same': the odd extra at the bottom/right).
    const [ph, pw] = this.modePadding();
    return conv2d(pad2d(x, [...ph, ...pw], this.paddingMode), this.weight, this.bias, opts);
  }

  /** The core conv2d options of a zero-padded conv (Sequential's fused Conv2d → MaxPool2d passes them on). */
  convOptions(): Conv2dOptions {
    return { stride: this.stride, dilation: this.dilation, groups: this.groups, padding: this.padding };
  }

  /** [before, after] per axis for a non-zero padding mode. */
  private modePadding(): [[number, number], [number, number]] {
    if (this.padding === 'same') {
      const [dh, dw] = pair(this.dilation, 'dilation', 'Conv2d');
      return [[dh, this.kernelSize[0]], [dw, this.kernelSize[1]]].map(([d, k]) => {
        const total = d * (k - 1);
        return [total >> 1, total - (total >> 1)];
      }) as [[number, number], [number, number]];
    }
    const [ph, pw] = this.padding === 'valid' ? [0, 0] : pair(this.padding, 'padding', 'Conv2d', 0);
    return [[ph, ph], [pw, pw]];
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize.join('x')}, stride=${this.stride}, padding=${this.padding}`
      + `${this.dilation !== 1 ? `, dilation=${this.dilation}` : ''}${this.groups !== 1 ? `, groups=${this.groups}` : ''}`
      + `${this.bias ? '' : ', bias=false'}${this.paddingMode !== 'zeros' ? `, paddingMode=${this.paddingMode}` : ''}`;
  }
}
