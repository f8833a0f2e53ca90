// LambdaLR: lr = base_lr · λ(epoch), one function for all groups or one per group (torch.optim.lr_scheduler.LambdaLR).
import { ConvgradError } from '@convgrad/core';
import { LRScheduler } from './lr-scheduler.ts';
import { type Optimizer } from './optimizer.ts';
import { describeValue } from '../describe-value.ts';

export type LrLambda = (epoch: number) => number;

export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[]) {
    super(optimizer, 'LambdaLR');
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new ConvgradError(this.name, `expected ${n} lr lambdas (one per param group), got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    } else {
      this.lrLambdas = new Array(n).fill(lrLambda);
    }
    this.checkSettings();
    this.initialStep();
  }

  protected checkSettings(): void {
    this.lrLambdas.forEach((f, i) => {
      if (typeof f !== 'function') throw new ConvgradError(this.name, `lrLambda ${i} must be a function of the epoch, got ${describeValue(f)}`);
    });
  }

  /** The factors come from the functions, which a state dict cannot hold (as PyTorch's, for plain functions). */
  protected computeLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const factor = this.lrLambdas[i](this.lastEpoch);
      if (!(Number.isFinite(factor) && factor >= 0)) { // Number.isFinite is false for a non-number
        throw new ConvgradError(this.name, `lrLambda ${i}(${this.lastEpoch}) returned ${describeValue(factor)}; it must return a finite number ≥ 0`);
      }
      return b * factor;
    });
  }

  protected stateKeys(): string[] {
    return [];
  }
}
