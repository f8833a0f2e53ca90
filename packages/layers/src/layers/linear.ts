// Linear layer: y = x·Wᵀ + b with W [out, in], b [out] (PyTorch layout), over any leading dims.
import { ConvgradError, linear, type Tensor } from '@convgrad/core';
import { checkBool, checkInt, checkOptions, checkSize, checkTensor, optionOr } from '../checks.ts';
import { dtypeFrom, INIT_OPTION_KEYS, kaimingUniformBound, rngFrom, uniformParameter, type InitOptions } from '../init.ts';
import { Module } from '../module.ts';

export interface LinearOptions extends InitOptions {
  /** Learnable bias (default true). */
  bias?: boolean;
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options?: LinearOptions) {
    super();
    const o = checkOptions(options, 'Linear', ['bias', ...INIT_OPTION_KEYS]);
    checkInt(inFeatures, 'Linear', 'inFeatures', 1);
    checkInt(outFeatures, 'Linear', 'outFeatures', 1);
    const bias = optionOr(o.bias, true);
    checkBool(bias, 'Linear', 'bias');
    const dtype = dtypeFrom(o, 'Linear');
    const rng = rngFrom(o, 'Linear');
    checkSize([outFeatures, inFeatures], 'Linear', 'weight');
    const bound = kaimingUniformBound(inFeatures);
    this.weight = this.registerParameter('weight', uniformParameter([outFeatures, inFeatures], bound, rng, dtype))!;
    this.bias = this.registerParameter('bias', bias ? uniformParameter([outFeatures], bound, rng, dtype) : null);
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'Linear');
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ConvgradError('Linear', `input must be [..., ${this.inFeatures}], got [${x.shape.join(', ')}] (weight [${this.outFeatures}, ${this.inFeatures}])`);
    }
    return linear(x, this.weight, this.bias); // x·Wᵀ + b, W never transposed in memory
  }

  protected override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}${this.bias ? '' : ', bias=false'}`;
  }
}
