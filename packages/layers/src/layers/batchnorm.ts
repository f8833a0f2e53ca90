// Batch normalization over the channel dim 1, composed from core ops:
//   train: μ, σ² = mean and biased variance over every dim but 1 (the batch statistics);
//          running ← (1 − momentum)·running + momentum·stat, with the unbiased σ²·n/(n−1) for the variance
//   eval:  μ, σ² = the running statistics
//   y = (x − μ) / √(σ² + ε) · γ + β
import { add, ConvgradError, div, full, mean, mul, noGrad, reshape, sqrt, sub, type DType, type Tensor } from '@convgrad/core';
import { checkBool, checkFinite, checkInt, checkOptions, checkSize, checkTensor, fmtArg, optionOr } from '../checks.ts';
import { dtypeFrom } from '../init.ts';
import { Module } from '../module.ts';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch statistic in the running average (default 0.1, as PyTorch). */
  momentum?: number;
  /** Learnable per-channel scale γ (ones) and shift β (zeros); default true. */
  affine?: boolean;
  /** Keep running statistics for eval (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

abstract class BatchNorm extends Module {
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly trackRunningStats: boolean;

  constructor(readonly numFeatures: number, opts: BatchNormOptions | undefined, private readonly ranks: readonly number[], private readonly layout: string) {
    super();
    const name = this.constructor.name;
    const options = checkOptions(opts, name, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype']);
    checkInt(numFeatures, name, 'numFeatures', 1);
    checkSize([numFeatures], name, 'numFeatures');
    this.eps = optionOr(options.eps, 1e-5);
    this.momentum = optionOr(options.momentum, 0.1);
    checkFinite(this.eps, name, 'eps');
    checkFinite(this.momentum, name, 'momentum');
    if (!(this.eps > 0)) throw new ConvgradError(name, `eps must be positive, got ${fmtArg(this.eps)}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new ConvgradError(name, `momentum must be in [0, 1], got ${fmtArg(this.momentum)}`);
    this.trackRunningStats = optionOr(options.trackRunningStats, true);
    checkBool(this.trackRunningStats, name, 'trackRunningStats');
    const dtype = dtypeFrom(options, name);
    const affine = optionOr(options.affine, true);
    checkBool(affine, name, 'affine');
    this.weight = this.registerParameter('weight', affine ? full([numFeatures], 1, { dtype }) : null);
    this.bias = this.registerParameter('bias', affine ? full([numFeatures], 0, { dtype }) : null);
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', full([numFeatures], 0, { dtype }));
      this.registerBuffer('running_var', full([numFeatures], 1, { dtype }));
    }
  }

  /** Running mean per channel (undefined without trackRunningStats). */
  get runningMean(): Tensor | undefined {
    return this.getBuffer('running_mean');
  }

  /** Running unbiased variance per channel (undefined without trackRunningStats). */
  get runningVar(): Tensor | undefined {
    return this.getBuffer('running_var');
  }

  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    checkTensor(x, name);
    const c = this.numFeatures;
    if (!this.ranks.includes(x.rank) || x.shape[1] !== c) {
      throw new ConvgradError(name, `input must be ${this.layout} with C = ${c}, got [${x.shape.join(', ')}]`);
    }
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const perChannel = x.shape.map((d, i) => (i === 1 ? d : 1)); // [1, C, 1, ...] broadcasts against x
    const useBatch = this.training || !this.trackRunningStats;
    let mu: Tensor, variance: Tensor;
    if (useBatch) {
      const n = x.size / c;
      if (this.training && n <= 1) throw new ConvgradError(name, `expected more than 1 value per channel when training, got input [${x.shape.join(', ')}]`);
      mu = mean(x, axes, true);
      const centered = sub(x, mu);
      variance = mean(mul(centered, centered), axes, true);
      if (this.training && this.trackRunningStats) this.updateRunningStats(mu, variance, n);
      return this.affine(div(centered, sqrt(add(variance, this.eps))), perChannel);
    }
    mu = reshape(this.runningMean!, perChannel);
    variance = reshape(this.runningVar!, perChannel);
    return this.affine(div(sub(x, mu), sqrt(add(variance, this.eps))), perChannel);
  }

  private updateRunningStats(mu: Tensor, variance: Tensor, n: number): void {
    const m = this.momentum, c = this.numFeatures;
    noGrad(() => {
      const unbiased = mul(reshape(variance, [c]), n / (n - 1));
      this.registerBuffer('running_mean', add(mul(this.runningMean!, 1 - m), mul(reshape(mu, [c]), m)).detach());
      this.registerBuffer('running_var', add(mul(this.runningVar!, 1 - m), mul(unbiased, m)).detach());
    });
  }

  private affine(xhat: Tensor, perChannel: number[]): Tensor {
    if (!this.weight || !this.bias) return xhat;
    return add(mul(xhat, reshape(this.weight, perChannel)), reshape(this.bias, perChannel));
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
