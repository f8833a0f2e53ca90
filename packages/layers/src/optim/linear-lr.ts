// LinearLR (warm-up): the lr factor goes linearly from startFactor to endFactor over totalIters steps,
// then stays; PyTorch's (1.13) recursive form, closed form base_lr·(s + (e − s)·min(T, epoch)/T).
import { checkOptions, checkInRange, checkPositiveInt, LRScheduler } from './lr-scheduler.ts';
import type { Optimizer } from './optimizer.ts';

export interface LinearLROptions {
  /** Factor at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor from epoch totalIters on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Steps of the ramp (default 5). */
  totalIters?: number;
}

export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    super(optimizer, 'LinearLR');
    const o = checkOptions(this.name, options, ['startFactor', 'endFactor', 'totalIters']) as LinearLROptions;
    this.startFactor = o.startFactor ?? 1 / 3;
    this.endFactor = o.endFactor ?? 1;
    this.totalIters = o.totalIters ?? 5;
    this.checkSettings();
    this.initialStep();
  }

  protected checkSettings(): void {
    // PyTorch accepts startFactor 0 and then divides by zero at the next step
    checkInRange(this.name, 'startFactor', this.startFactor, 0, 1, true, false);
    checkInRange(this.name, 'endFactor', this.endFactor, 0, 1, false, false);
    checkPositiveInt(this.name, 'totalIters', this.totalIters);
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: T } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr * s);
    if (e > T) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (f - s) / (T * s + (e - 1) * (f - s))));
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: T } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(T, e)) / T));
  }

  protected stateKeys(): string[] {
    return ['startFactor', 'endFactor', 'totalIters'];
  }
}
