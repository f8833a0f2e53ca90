// ONNX BatchNormalization as a convgrad layer: layers' BatchNorm1d (so training mode uses batch statistics
// and updates the running ones, as in PyTorch), applied to any [N, C, ...] input by viewing it as [N, C, L].
import { ConvgradError, reshape, type DType, type Tensor } from '@convgrad/core';
import { BatchNorm1d } from '@convgrad/layers';

export class OnnxBatchNorm extends BatchNorm1d {
  constructor(numFeatures: number, options: { eps: number; momentum: number; dtype: DType }) {
    super(numFeatures, options);
  }

  override forward(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[1] !== this.numFeatures) {
      throw new ConvgradError('BatchNormalization', `input must be [N, ${this.numFeatures}, ...], got [${x.shape.join(', ')}]`);
    }
    if (x.rank <= 3) return super.forward(x);
    // Statistics over N and every spatial position: the same as over N and L of [N, C, L].
    return reshape(super.forward(reshape(x, [x.shape[0], x.shape[1], -1])), [...x.shape]);
  }
}
