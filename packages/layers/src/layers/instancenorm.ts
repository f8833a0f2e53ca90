// InstanceNorm2d: each (sample, channel) plane of [N, C, H, W] (or unbatched [C, H, W]) normalized by
// its own mean and biased variance, as torch.nn.InstanceNorm2d. PyTorch's defaults: affine false,
// trackRunningStats false. With trackRunningStats, training also updates running statistics (the
// batch average of the per-instance mean and unbiased variance) and eval normalizes with them.
import { add, ConvgradError, div, mean, mul, noGrad, reshape, sqrt, sub, type Tensor } from '@convgrad/core';
import { ChannelNorm, type ChannelNormOptions } from './channel-norm.ts';
import { normalize } from './normalize.ts';

/** eps 1e-5, momentum 0.1 (null: cumulative), affine false, trackRunningStats false (PyTorch's defaults). */
export type InstanceNormOptions = ChannelNormOptions;

export class InstanceNorm2d extends ChannelNorm {
  constructor(numFeatures: number, options: InstanceNormOptions = {}) {
    super(numFeatures, options, { affine: false, trackRunningStats: false });
  }

  forward(input: Tensor): Tensor {
    const c = this.numFeatures;
    if ((input.rank !== 4 && input.rank !== 3) || input.shape[input.rank - 3] !== c) {
      throw new ConvgradError('InstanceNorm2d', `input must be [N, C, H, W] or [C, H, W] with C = ${c}, got [${input.shape.join(', ')}]`);
    }
    const x = input.rank === 3 ? reshape(input, [1, ...input.shape]) : input;
    let y: Tensor;
    if (this.training || !this.trackRunningStats) {
      const hw = x.shape[2] * x.shape[3];
      if (this.training && hw <= 1) throw new ConvgradError('InstanceNorm2d', `expected more than 1 spatial element per channel when training, got input [${input.shape.join(', ')}]`);
      const m = normalize(x, [2, 3], this.eps);
      if (this.training && this.trackRunningStats) {
        // the batch average of the per-instance statistics
        noGrad(() => this.updateRunningStats(reshape(mean(m.mu, [0]), [c]), reshape(mul(mean(m.variance, [0]), hw / (hw - 1)), [c])));
      }
      y = m.xhat;
    } else {
      const perChannel = [1, c, 1, 1];
      y = div(sub(x, reshape(this.runningMean!, perChannel)), sqrt(add(reshape(this.runningVar!, perChannel), this.eps)));
    }
    y = this.affine(y);
    return input.rank === 3 ? reshape(y, input.shape) : y;
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}${this.weight ? ', affine=true' : ''}${this.trackRunningStats ? ', trackRunningStats=true' : ''}`;
  }
}
