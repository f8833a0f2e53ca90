// Batch normalization over the channel dim 1, core's fused batchNorm op (F.batch_norm):
//   train: μ, σ² = mean and biased variance over every dim but 1 (the batch statistics);
//          running ← (1 − f)·running + f·stat, with the unbiased σ²·n/(n−1) for the variance;
//          f = momentum, or 1/t at the t-th training batch when momentum is null (a cumulative average)
//   eval:  μ, σ² = the running statistics
//   y = (x − μ) / √(σ² + ε) · γ + β
// As in PyTorch, `num_batches_tracked` counts the training batches (a float64 scalar buffer holding an
// integer, so PyTorch's state dicts, where it is int64, load as they are; see channel-norm.ts).
import { batchNorm, ConvgradError, type Tensor } from '@convgrad/core';
import { checkTensor } from '../checks.ts';
import { ChannelNorm, type ChannelNormOptions } from './channel-norm.ts';

/** eps 1e-5, momentum 0.1 (null: cumulative), affine true, trackRunningStats true (PyTorch's defaults). */
export type BatchNormOptions = ChannelNormOptions;

abstract class BatchNorm extends ChannelNorm {
  constructor(numFeatures: number, options: BatchNormOptions | undefined, private readonly ranks: readonly number[], private readonly layout: string) {
    super(numFeatures, options, { affine: true, trackRunningStats: true });
  }

  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    checkTensor(x, name);
    const c = this.numFeatures;
    if (!this.ranks.includes(x.rank) || x.shape[1] !== c) {
      throw new ConvgradError(name, `input must be ${this.layout} with C = ${c}, got [${x.shape.join(', ')}]`);
    }
    const common = { weight: this.weight, bias: this.bias, eps: this.eps };
    if (this.training && x.size / c <= 1) throw new ConvgradError(name, `expected more than 1 value per channel when training, got input [${x.shape.join(', ')}]`);
    // without running statistics eval uses the batch's own, as PyTorch
    if (!this.trackRunningStats) return batchNorm(x, null, null, { ...common, training: true });
    if (!this.training) return batchNorm(x, this.runningMean!, this.runningVar!, { ...common, training: false });
    // PyTorch counts the batch first, so momentum null weighs this batch 1/t
    const t = this.countBatch();
    return batchNorm(x, this.runningMean!, this.runningVar!, {
      ...common, training: true, momentum: this.momentum, ...(this.momentum === null ? { numBatchesTracked: t } : {}),
    });
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}${this.weight ? '' : ', affine=false'}`;
  }
}

/** BatchNorm over [N, C] or [N, C, L] (statistics per channel C). */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options?: BatchNormOptions) {
    super(numFeatures, options, [2, 3], '[N, C] or [N, C, L]');
  }
}

/** BatchNorm over [N, C, H, W] (statistics per channel C). */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options?: BatchNormOptions) {
    super(numFeatures, options, [4], '[N, C, H, W]');
  }
}
