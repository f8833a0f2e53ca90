// Schedules that multiply the lr by γ: StepLR (every stepSize epochs), MultiStepLR (at each milestone)
// and ExponentialLR (every epoch). Chainable forms as torch.optim.lr_scheduler (1.13); the closed forms
// are base_lr·γ^⌊epoch/stepSize⌋, base_lr·γ^(milestones passed) and base_lr·γ^epoch.
import { ConvgradError } from '@convgrad/core';
import { checkFinitePositive, checkPositiveInt, LRScheduler } from './lr-scheduler.ts';
import { type Optimizer } from './optimizer.ts';
import { describeValue } from '../describe-value.ts';

export class StepLR extends LRScheduler {
  constructor(optimizer: Optimizer, public stepSize: number, public gamma = 0.1) {
    super(optimizer, 'StepLR');
    this.checkSettings();
    this.initialStep();
  }

  protected checkSettings(): void {
    checkPositiveInt(this.name, 'stepSize', this.stepSize);
    checkFinitePositive(this.name, 'gamma', this.gamma);
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected stateKeys(): string[] {
    return ['stepSize', 'gamma'];
  }
}

export class MultiStepLR extends LRScheduler {
  /** Milestones in increasing order (a repeated milestone multiplies by γ once per repetition, as PyTorch's Counter). */
  milestones: number[];

  constructor(optimizer: Optimizer, milestones: readonly number[], public gamma = 0.1) {
    super(optimizer, 'MultiStepLR');
    if (!Array.isArray(milestones)) throw new ConvgradError(this.name, `milestones must be an array of positive integers, got ${describeValue(milestones)}`);
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.checkSettings();
    this.initialStep();
  }

  protected checkSettings(): void {
    if (!Array.isArray(this.milestones)) throw new ConvgradError(this.name, `milestones must be an array of positive integers, got ${describeValue(this.milestones)}`);
    this.milestones.forEach((m, i) => checkPositiveInt(this.name, `milestones[${i}]`, m));
    checkFinitePositive(this.name, 'gamma', this.gamma);
  }

  protected computeLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.optimizer.paramGroups.map((g) => g.lr * this.gamma ** hits); // γ⁰ = 1: unchanged
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length; // bisect_right
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }

  protected stateKeys(): string[] {
    return ['milestones', 'gamma'];
  }
}

export class ExponentialLR extends LRScheduler {
  constructor(optimizer: Optimizer, public gamma: number) {
    super(optimizer, 'ExponentialLR');
    this.checkSettings();
    this.initialStep();
  }

  protected checkSettings(): void {
    checkFinitePositive(this.name, 'gamma', this.gamma);
  }

  protected computeLr(): number[] {
    return this.optimizer.paramGroups.map((g) => (this.lastEpoch === 0 ? g.lr : g.lr * this.gamma));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }

  protected stateKeys(): string[] {
    return ['gamma'];
  }
}
