// GroupNorm: the C channels split into G groups; each sample's group (C/G channels × spatial) is
// normalized by its own mean and biased variance, then a per-channel γ, β, as torch.nn.GroupNorm.
import { add, ConvgradError, full, mul, reshape, type DType, type Tensor } from '@convgrad/core';
import { Module } from '../module.ts';
import { checkLayerOptions } from './check-options.ts';
import { checkEps, normalize } from './normalize.ts';

export interface GroupNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learnable per-channel γ (ones) and β (zeros); default true. */
  affine?: boolean;
  dtype?: DType;
}

export class GroupNorm extends Module {
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(readonly numGroups: number, readonly numChannels: number, options: GroupNormOptions = {}) {
    super();
    checkLayerOptions(options, ['eps', 'affine', 'dtype'], 'GroupNorm');
    for (const [name, v] of [['numGroups', numGroups], ['numChannels', numChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ConvgradError('GroupNorm', `${name} must be a positive integer, got ${v}`);
    }
    if (numChannels % numGroups !== 0) throw new ConvgradError('GroupNorm', `numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    this.eps = checkEps(options.eps ?? 1e-5, 'GroupNorm');
    const affine = options.affine ?? true;
    const dtype = options.dtype ?? 'float32';
    this.weight = this.registerParameter('weight', affine ? full([numChannels], 1, { dtype }) : null);
    this.bias = this.registerParameter('bias', affine ? full([numChannels], 0, { dtype }) : null);
  }

  forward(x: Tensor): Tensor {
    const c = this.numChannels, g = this.numGroups;
    if (x.rank < 2 || x.shape[1] !== c) throw new ConvgradError('GroupNorm', `input must be [N, C, …] with C = ${c}, got [${x.shape.join(', ')}]`);
    const n = x.shape[0];
    const grouped = reshape(x, [n, g, x.size / (n * g)]);
    const y = reshape(normalize(grouped, [2], this.eps).xhat, x.shape);
    if (!this.weight || !this.bias) return y;
    const perChannel = x.shape.map((d, i) => (i === 1 ? d : 1));
    return add(mul(y, reshape(this.weight, perChannel)), reshape(this.bias, perChannel));
  }

  protected override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}${this.weight ? '' : ', affine=false'}`;
  }
}
