// SequentialLR: runs schedules one after another, switching at the milestones (epochs); at a switch the
// next schedule restarts from epoch 0 in its closed form, as torch.optim.lr_scheduler.SequentialLR (1.13).
import { ConvgradError } from '@convgrad/core';
import { checkPerGroupNumbers, checkPositiveInt, checkStateKeys, LRScheduler, type Scheduler, type SchedulerStateDict } from './lr-scheduler.ts';
import { type Optimizer } from './optimizer.ts';
import { describeValue } from '../describe-value.ts';

export class SequentialLR implements Scheduler {
  readonly name = 'SequentialLR';
  readonly schedulers: LRScheduler[];
  milestones: number[];
  lastEpoch: number;
  private lastLr: number[];

  /** The schedules must already be attached to `optimizer` (constructed in order, as in PyTorch). */
  constructor(readonly optimizer: Optimizer, schedulers: readonly LRScheduler[], milestones: readonly number[]) {
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new ConvgradError(this.name, `schedulers must be a non-empty array of schedules, got ${describeValue(schedulers)}`);
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new ConvgradError(this.name, `schedulers[${i}] must be an epoch schedule (StepLR, LinearLR, …), got ${describeValue(s)}`);
      if (s.optimizer !== optimizer) throw new ConvgradError(this.name, `schedulers[${i}] belongs to another optimizer than the one given`);
    });
    this.schedulers = [...schedulers];
    this.milestones = copyIfArray(milestones); // checked below
    this.checkSettings();
    this.lastEpoch = 0;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1; // undo the step each schedule made when it was built
    this.schedulers[0].stepCount = 0;
    this.schedulers[0].step();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  private checkSettings(): void {
    const n = this.schedulers.length - 1;
    if (!Array.isArray(this.milestones) || this.milestones.length !== n) {
      throw new ConvgradError(this.name, `expected ${n} milestones (one fewer than the ${n + 1} schedules), got ${describeValue(this.milestones)}`);
    }
    this.milestones.forEach((m, i) => checkPositiveInt(this.name, `milestones[${i}]`, m));
    if (this.milestones.slice(1).some((m, i) => m <= this.milestones[i])) throw new ConvgradError(this.name, `milestones must increase, got ${describeValue(this.milestones)}`);
  }

  step(): void {
    this.checkSettings();
    const epoch = this.lastEpoch + 1;
    const idx = this.milestones.filter((m) => m <= epoch).length; // bisect_right
    const s = this.schedulers[idx];
    if (this.milestones.includes(epoch)) s.stepTo(0); // the switch to schedule idx
    else s.step();
    this.lastEpoch = epoch;
    this.lastLr = s.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, milestones: [...this.milestones], lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(dict: SchedulerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    checkStateKeys(op, dict, ['lastEpoch', 'milestones', 'lastLr', 'schedulers']);
    const subs = dict.schedulers;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length) throw new ConvgradError(op, `expected ${this.schedulers.length} schedule state dicts, got ${describeValue(subs)}`);
    if (!Number.isInteger(dict.lastEpoch)) throw new ConvgradError(op, `lastEpoch must be an integer, got ${describeValue(dict.lastEpoch)}`);
    const lr = dict.lastLr;
    checkPerGroupNumbers(op, 'lastLr', lr, this.optimizer.paramGroups.length);
    const before = this.schedulers.map((s) => s.stateDict());
    const mine = { lastEpoch: this.lastEpoch, milestones: this.milestones, lastLr: this.lastLr };
    try {
      subs.forEach((d, i) => this.schedulers[i].loadStateDict(d as SchedulerStateDict));
      this.lastEpoch = dict.lastEpoch as number;
      this.milestones = copyIfArray(dict.milestones);
      this.lastLr = [...lr];
      this.checkSettings();
    } catch (err) {
      before.forEach((d, i) => this.schedulers[i].loadStateDict(d));
      Object.assign(this, mine);
      throw err;
    }
  }
}

/** A copy of an array; anything else as it is, for checkSettings to refuse. */
function copyIfArray(v: unknown): number[] {
  return Array.isArray(v) ? [...v] : (v as number[]);
}
