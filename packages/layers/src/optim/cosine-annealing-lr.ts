// CosineAnnealingLR: lr = η_min + (base_lr − η_min)·(1 + cos(π·epoch/T_max))/2, computed with PyTorch's
// (1.13) recursive form so the values match it exactly (and past T_max the lr climbs back, as PyTorch's).
import { checkFiniteNonNegative, checkPositiveInt, LRScheduler } from './lr-scheduler.ts';
import type { Optimizer } from './optimizer.ts';

export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: Optimizer, public tMax: number, public etaMin = 0) {
    super(optimizer, 'CosineAnnealingLR');
    this.checkSettings();
    this.initialStep();
  }

  protected checkSettings(): void {
    checkPositiveInt(this.name, 'tMax', this.tMax);
    checkFiniteNonNegative(this.name, 'etaMin', this.etaMin);
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    // the first step after resuming at an epoch > 0 (PyTorch's last_epoch argument) uses the closed form
    if (e > 0 && this.stepCount === 1) return this.closedFormLr();
    if (e === 0) return groups.map((g) => g.lr);
    if ((e - (T + 1)) % (2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }

  protected stateKeys(): string[] {
    return ['tMax', 'etaMin'];
  }
}
