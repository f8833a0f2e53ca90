// LayerNorm over the last dims `normalizedShape`: y = (x − μ)/√(σ² + ε)·γ + β, with μ, σ² (biased)
// per sample over those dims, as torch.nn.LayerNorm (γ ones, β zeros of shape normalizedShape).
import { add, ConvgradError, full, mul, type DType, type Tensor } from '@convgrad/core';
import { Module } from '../module.ts';
import { checkLayerOptions } from './check-options.ts';
import { checkEps, normalize } from './normalize.ts';

export interface LayerNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learnable γ and β (default true). */
  elementwiseAffine?: boolean;
  dtype?: DType;
}

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkLayerOptions(options, ['eps', 'elementwiseAffine', 'dtype'], 'LayerNorm');
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ConvgradError('LayerNorm', `normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
    }
    this.normalizedShape = shape;
    this.eps = checkEps(options.eps ?? 1e-5, 'LayerNorm');
    const affine = options.elementwiseAffine ?? true;
    const dtype = options.dtype ?? 'float32';
    this.weight = this.registerParameter('weight', affine ? full(shape, 1, { dtype }) : null);
    this.bias = this.registerParameter('bias', affine ? full(shape, 0, { dtype }) : null);
  }

  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.rank - k);
    if (x.rank < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ConvgradError('LayerNorm', `input [${x.shape.join(', ')}] must end in normalizedShape [${this.normalizedShape.join(', ')}]`);
    }
    const axes = tail.map((_, i) => x.rank - k + i);
    const { xhat } = normalize(x, axes, this.eps);
    return this.weight && this.bias ? add(mul(xhat, this.weight), this.bias) : xhat;
  }

  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}${this.weight ? '' : ', elementwiseAffine=false'}`;
  }
}
