// What BatchNorm and InstanceNorm2d share: eps / momentum / affine / trackRunningStats options (checked),
// per-channel γ and β, the running_mean / running_var buffers and their update.
import { add, ConvgradError, full, mul, noGrad, reshape, type DType, type Tensor } from '@convgrad/core';
import { checkBool, checkInt, checkSize } from '../checks.ts';
import { dtypeFrom } from '../init.ts';
import { Module } from '../module.ts';
import { checkLayerOptions } from './check-options.ts';
import { averagingFactor, checkEps, checkMomentum } from './normalize.ts';

export interface ChannelNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Weight of the new statistic in the running average (default 0.1, as PyTorch); null = cumulative average. */
  momentum?: number | null;
  /** Learnable per-channel scale γ (ones) and shift β (zeros). */
  affine?: boolean;
  /** Keep running statistics for eval; without them eval uses the input's statistics. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

export abstract class ChannelNorm extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly trackRunningStats: boolean;

  constructor(readonly numFeatures: number, options: ChannelNormOptions | undefined, defaults: { affine: boolean; trackRunningStats: boolean }) {
    super();
    const name = this.constructor.name;
    checkLayerOptions(options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype'], name);
    options ??= {};
    checkInt(numFeatures, name, 'numFeatures', 1);
    checkSize([numFeatures], name, 'numFeatures');
    this.eps = checkEps(options.eps ?? 1e-5, name);
    this.momentum = checkMomentum(options.momentum === undefined ? 0.1 : options.momentum, name);
    this.trackRunningStats = options.trackRunningStats ?? defaults.trackRunningStats;
    checkBool(this.trackRunningStats, name, 'trackRunningStats');
    const dtype = dtypeFrom(options, name);
    const affine = options.affine ?? defaults.affine;
    checkBool(affine, name, 'affine');
    this.weight = this.registerParameter('weight', affine ? full([numFeatures], 1, { dtype }) : null);
    this.bias = this.registerParameter('bias', affine ? full([numFeatures], 0, { dtype }) : null);
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', full([numFeatures], 0, { dtype }));
      this.registerBuffer('running_var', full([numFeatures], 1, { dtype }));
      // PyTorch's int64 counter, as a float64 scalar holding an integer (its state dicts load as they are)
      this.registerBuffer('num_batches_tracked', full([], 0, { dtype: 'float64' }));
    }
  }

  /** Training batches seen (PyTorch's num_batches_tracked; 0 without trackRunningStats). */
  get numBatchesTracked(): number {
    return this.getBuffer('num_batches_tracked')?.item() ?? 0;
  }

  /** Running mean per channel (undefined without trackRunningStats). */
  get runningMean(): Tensor | undefined {
    return this.getBuffer('running_mean');
  }

  /** Running unbiased variance per channel (undefined without trackRunningStats). */
  get runningVar(): Tensor | undefined {
    return this.getBuffer('running_var');
  }

  /** Counts one more training batch (num_batches_tracked) and returns the new count. */
  protected countBatch(): number {
    const t = this.numBatchesTracked + 1;
    this.registerBuffer('num_batches_tracked', full([], t, { dtype: 'float64' }));
    return t;
  }

  /** running ← (1 − f)·running + f·stat for this batch's per-channel mean and unbiased variance [C]. */
  protected updateRunningStats(meanC: Tensor, unbiasedVarC: Tensor): void {
    const f = averagingFactor(this.momentum, this.countBatch());
    noGrad(() => {
      this.registerBuffer('running_mean', add(mul(this.runningMean!, 1 - f), mul(meanC, f)).detach());
      this.registerBuffer('running_var', add(mul(this.runningVar!, 1 - f), mul(unbiasedVarC, f)).detach());
    });
  }

  /** y·γ + β per channel (dim 1), or y without affine. */
  protected affine(y: Tensor): Tensor {
    if (!this.weight || !this.bias) return y;
    const perChannel = y.shape.map((d, i) => (i === 1 ? d : 1));
    return add(mul(y, reshape(this.weight, perChannel)), reshape(this.bias, perChannel));
  }
}
