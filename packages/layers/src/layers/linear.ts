// Linear layer: y = x·Wᵀ + b with W [out, in], b [out] (PyTorch layout), over any leading dims.
import { add, ConvgradError, matmul, transpose, type Tensor } from '@convgrad/core';
import { kaimingUniformBound, rngFrom, uniformParameter, type InitOptions } from '../init.ts';
import { Module } from '../module.ts';
import { checkLayerOptions } from './check-options.ts';

export interface LinearOptions extends InitOptions {
  /** Learnable bias (default true). */
  bias?: boolean;
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    checkLayerOptions(options, ['bias', 'seed', 'rng', 'dtype'], 'Linear');
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ConvgradError('Linear', `${name} must be a positive integer, got ${v}`);
    }
    const rng = rngFrom(options);
    const bound = kaimingUniformBound(inFeatures);
    this.weight = this.registerParameter('weight', uniformParameter([outFeatures, inFeatures], bound, rng, options.dtype))!;
    this.bias = this.registerParameter('bias', options.bias === false ? null : uniformParameter([outFeatures], bound, rng, options.dtype));
  }

  forward(x: Tensor): Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ConvgradError('Linear', `input must be [..., ${this.inFeatures}], got [${x.shape.join(', ')}] (weight [${this.outFeatures}, ${this.inFeatures}])`);
    }
    const y = matmul(x, transpose(this.weight, 0, 1));
    return this.bias ? add(y, this.bias) : y;
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}${this.bias ? '' : ', bias=false'}`;
  }
}
