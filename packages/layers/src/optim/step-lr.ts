// StepLR: lr = initial lr · γ^⌊epoch / stepSize⌋; call step() once per epoch, as torch.optim.lr_scheduler.StepLR.
import { ConvgradError } from '@convgrad/core';
import type { Optimizer } from './optimizer.ts';

export class StepLR {
  readonly baseLr: number;
  /** Number of step() calls so far. */
  lastEpoch = 0;

  constructor(readonly optimizer: Optimizer, readonly stepSize: number, readonly gamma = 0.1) {
    if (!Number.isInteger(stepSize) || stepSize <= 0) throw new ConvgradError('StepLR', `stepSize must be a positive integer, got ${stepSize}`);
    if (!(Number.isFinite(gamma) && gamma > 0)) throw new ConvgradError('StepLR', `gamma must be a positive number, got ${gamma}`);
    this.baseLr = optimizer.lr;
  }

  step(): void {
    this.lastEpoch++;
    this.optimizer.lr = this.baseLr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize);
  }

  getLastLr(): number {
    return this.optimizer.lr;
  }
}
