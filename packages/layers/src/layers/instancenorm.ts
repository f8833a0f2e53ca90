// InstanceNorm2d: each (sample, channel) plane of [N, C, H, W] (or unbatched [C, H, W]) normalized by
// its own mean and biased variance, as torch.nn.InstanceNorm2d. PyTorch's defaults: affine false,
// trackRunningStats false. With trackRunningStats, training also updates running statistics (the
// batch average of the per-instance mean and unbiased variance) and eval normalizes with them.
import { add, ConvgradError, div, full, mean, mul, noGrad, reshape, sqrt, sub, type DType, type Tensor } from '@convgrad/core';
import { Module } from '../module.ts';
import { checkLayerOptions } from './check-options.ts';
import { averagingFactor, checkEps, checkMomentum, normalize } from './normalize.ts';

export interface InstanceNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Running-average weight (default 0.1), null = cumulative; used only with trackRunningStats. */
  momentum?: number | null;
  /** Learnable per-channel γ, β (default false). */
  affine?: boolean;
  /** Keep running statistics and use them in eval (default false). */
  trackRunningStats?: boolean;
  dtype?: DType;
}

export class InstanceNorm2d extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly trackRunningStats: boolean;
  /** Training batches seen (PyTorch's num_batches_tracked; not saved in checkpoints). */
  numBatchesTracked = 0;

  constructor(readonly numFeatures: number, options: InstanceNormOptions = {}) {
    super();
    checkLayerOptions(options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype'], 'InstanceNorm2d');
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new ConvgradError('InstanceNorm2d', `numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = checkEps(options.eps ?? 1e-5, 'InstanceNorm2d');
    this.momentum = checkMomentum(options.momentum === undefined ? 0.1 : options.momentum, 'InstanceNorm2d');
    this.trackRunningStats = options.trackRunningStats ?? false;
    const dtype = options.dtype ?? 'float32';
    const affine = options.affine ?? false;
    this.weight = this.registerParameter('weight', affine ? full([numFeatures], 1, { dtype }) : null);
    this.bias = this.registerParameter('bias', affine ? full([numFeatures], 0, { dtype }) : null);
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', full([numFeatures], 0, { dtype }));
      this.registerBuffer('running_var', full([numFeatures], 1, { dtype }));
    }
  }

  get runningMean(): Tensor | undefined {
    return this.getBuffer('running_mean');
  }

  get runningVar(): Tensor | undefined {
    return this.getBuffer('running_var');
  }

  forward(input: Tensor): Tensor {
    const c = this.numFeatures;
    if ((input.rank !== 4 && input.rank !== 3) || input.shape[input.rank - 3] !== c) {
      throw new ConvgradError('InstanceNorm2d', `input must be [N, C, H, W] or [C, H, W] with C = ${c}, got [${input.shape.join(', ')}]`);
    }
    const x = input.rank === 3 ? reshape(input, [1, ...input.shape]) : input;
    const perChannel = [1, c, 1, 1];
    let y: Tensor;
    if (this.training || !this.trackRunningStats) {
      const hw = x.shape[2] * x.shape[3];
      if (this.training && hw <= 1) throw new ConvgradError('InstanceNorm2d', `expected more than 1 spatial element per channel when training, got input [${input.shape.join(', ')}]`);
      const m = normalize(x, [2, 3], this.eps);
      if (this.training && this.trackRunningStats) this.updateRunningStats(m.mu, m.variance, hw);
      y = m.xhat;
    } else {
      y = div(sub(x, reshape(this.runningMean!, perChannel)), sqrt(add(reshape(this.runningVar!, perChannel), this.eps)));
    }
    if (this.weight && this.bias) y = add(mul(y, reshape(this.weight, perChannel)), reshape(this.bias, perChannel));
    return input.rank === 3 ? reshape(y, input.shape) : y;
  }

  /** running ← (1 − f)·running + f·(batch mean of the per-instance statistics). */
  private updateRunningStats(mu: Tensor, variance: Tensor, hw: number): void {
    this.numBatchesTracked++;
    const f = averagingFactor(this.momentum, this.numBatchesTracked), c = this.numFeatures;
    noGrad(() => {
      const muC = reshape(mean(mu, [0]), [c]);
      const varC = reshape(mul(mean(variance, [0]), hw / (hw - 1)), [c]);
      this.registerBuffer('running_mean', add(mul(this.runningMean!, 1 - f), mul(muC, f)).detach());
      this.registerBuffer('running_var', add(mul(this.runningVar!, 1 - f), mul(varC, f)).detach());
    });
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}${this.weight ? ', affine=true' : ''}${this.trackRunningStats ? ', trackRunningStats=true' : ''}`;
  }
}
