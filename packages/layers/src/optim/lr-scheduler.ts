// Learning-rate schedules, as torch.optim.lr_scheduler (1.13): a schedule owns an optimizer and sets
// each parameter group's lr at every step(). Most use PyTorch's chainable (recursive) forms, so their
// values match PyTorch's to the last bit and compose with changes made from outside. Every step checks
// the schedule's settings and refuses to set a non-finite or negative lr (the optimizer is left as it was).
import { ConvgradError } from '@convgrad/core';
import { Optimizer } from './optimizer.ts';
import { describeValue } from '../describe-value.ts';

/** A schedule's state: JSON values (numbers, strings, booleans, arrays, nested state dicts). */
export type SchedulerStateDict = Record<string, unknown>;

/** What every schedule offers (ReduceLROnPlateau's step takes the monitored metric). */
export interface Scheduler {
  readonly name: string;
  readonly optimizer: Optimizer;
  getLastLr(): number[];
  stateDict(): SchedulerStateDict;
  loadStateDict(dict: SchedulerStateDict): void;
}

export abstract class LRScheduler implements Scheduler {
  /** Each group's lr when the first schedule was attached (PyTorch's `initial_lr`). */
  baseLrs: number[];
  /** Index of the current epoch (or batch): 0 after construction, +1 per step(). */
  lastEpoch = -1;
  /** step() calls since construction (1 after construction), as PyTorch's `_step_count`. */
  stepCount = 0;
  /** Set by every successful step (the constructor's initial step included). */
  private lastLr!: number[];

  protected constructor(readonly optimizer: Optimizer, readonly name: string) {
    if (!(optimizer instanceof Optimizer)) throw new ConvgradError(name, `optimizer must be an Optimizer (SGD, Adam, …), got ${describeValue(optimizer)}`);
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** Called at the end of each subclass constructor: the first step, to epoch 0. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch (or batch) and sets every group's lr. */
  step(): void {
    this.advance(this.lastEpoch + 1, () => this.computeLr());
  }

  /** Jumps to `epoch` with the closed form (what SequentialLR does at a milestone, as PyTorch's step(epoch)). */
  stepTo(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0) throw new ConvgradError(this.name, `epoch must be an integer ≥ 0, got ${describeValue(epoch)}`);
    this.advance(epoch, () => this.closedFormLr());
  }

  private advance(epoch: number, compute: () => number[]): void {
    this.checkSettings();
    const before = { lastEpoch: this.lastEpoch, stepCount: this.stepCount };
    this.stepCount++;
    this.lastEpoch = epoch;
    let values: number[];
    try {
      values = compute();
      values.forEach((lr, i) => {
        if (!(Number.isFinite(lr) && lr >= 0)) {
          const group = values.length > 1 ? ` of param group ${i}` : '';
          throw new ConvgradError(this.name, `step to epoch ${epoch} would set the lr${group} to ${describeValue(lr)}; an lr must be a finite number ≥ 0 (check the schedule's settings)`);
        }
      });
    } catch (err) {
      Object.assign(this, before); // the schedule and the optimizer stay as they were
      throw err;
    }
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
    this.afterStep();
  }

  /** Runs after a successful step (OneCycleLR sets the momentum here). */
  protected afterStep(): void {}

  /** The lr of each group set by the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Each group's lr at `this.lastEpoch`, from the current lrs (PyTorch's get_lr). */
  protected abstract computeLr(): number[];

  /** Each group's lr at `this.lastEpoch` from the base lrs alone (PyTorch's _get_closed_form_lr). */
  protected closedFormLr(): number[] {
    return this.computeLr();
  }

  /** Throws a ConvgradError naming the schedule and the setting when a setting is out of range. */
  protected abstract checkSettings(): void;

  /** The names of the fields (settings and progress) a state dict holds beyond the common ones. */
  protected abstract stateKeys(): string[];

  /** The schedule's state: settings and progress (PyTorch's state_dict: every field but the optimizer). */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = { lastEpoch: this.lastEpoch, stepCount: this.stepCount, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
    for (const k of this.stateKeys()) out[k] = structuredClone((this as unknown as Record<string, unknown>)[k]);
    return out;
  }

  /** Restores a state dict of the same kind of schedule; the keys and the settings are checked first. */
  loadStateDict(dict: SchedulerStateDict): void {
    const keys = ['lastEpoch', 'stepCount', 'baseLrs', 'lastLr', ...this.stateKeys()];
    const groups = this.optimizer.paramGroups.length;
    checkStateKeys(`${this.name}.loadStateDict`, dict, keys);
    for (const k of ['baseLrs', 'lastLr']) checkPerGroupNumbers(`${this.name}.loadStateDict`, k, dict[k], groups);
    for (const k of ['lastEpoch', 'stepCount']) {
      if (!Number.isInteger(dict[k])) throw new ConvgradError(`${this.name}.loadStateDict`, `${k} must be an integer, got ${describeValue(dict[k])}`);
    }
    const before = this.stateDict();
    for (const k of keys) (this as unknown as Record<string, unknown>)[k] = structuredClone(dict[k]);
    try {
      this.checkSettings();
    } catch (err) {
      for (const k of keys) (this as unknown as Record<string, unknown>)[k] = before[k];
      throw err;
    }
  }
}

/** Throws unless `dict` is an object with exactly `keys`. */
export function checkStateKeys(op: string, dict: unknown, keys: string[]): void {
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) throw new ConvgradError(op, `expected a state dict object, got ${describeValue(dict)}`);
  const have = Object.keys(dict);
  const missing = keys.filter((k) => !have.includes(k)), unknown = have.filter((k) => !keys.includes(k));
  if (missing.length || unknown.length) {
    throw new ConvgradError(op, `state dict keys do not match${missing.length ? `: missing ${missing.join(', ')}` : ''}${unknown.length ? `; unexpected ${unknown.join(', ')}` : ''}`);
  }
}

/** Throws unless `v` is an array of `groups` numbers (a state dict's per-group list). */
export function checkPerGroupNumbers(op: string, what: string, v: unknown, groups: number): asserts v is number[] {
  if (!(Array.isArray(v) && v.length === groups && v.every((x) => typeof x === 'number'))) {
    throw new ConvgradError(op, `${what} must hold one number per param group (${groups}), got ${describeValue(v)}`);
  }
}

// Setting checks for schedules: each names the schedule, the setting and the value.
// (Number.isSafeInteger and Number.isFinite are false for every non-number: no typeof check is needed.)
export function checkPositiveInt(op: string, what: string, v: unknown): void {
  if (!(Number.isSafeInteger(v) && (v as number) > 0)) throw new ConvgradError(op, `${what} must be a positive integer, got ${describeValue(v)}`);
}

export function checkFinitePositive(op: string, what: string, v: unknown): void {
  if (!(Number.isFinite(v) && (v as number) > 0)) throw new ConvgradError(op, `${what} must be a finite number > 0, got ${describeValue(v)}`);
}

export function checkFiniteNonNegative(op: string, what: string, v: unknown): void {
  if (!(Number.isFinite(v) && (v as number) >= 0)) throw new ConvgradError(op, `${what} must be a finite number ≥ 0, got ${describeValue(v)}`);
}

export function checkInRange(op: string, what: string, v: unknown, lo: number, hi: number, loOpen: boolean, hiOpen: boolean): void {
  const x = v as number;
  const ok = Number.isFinite(x) && (loOpen ? x > lo : x >= lo) && (hiOpen ? x < hi : x <= hi);
  if (!ok) throw new ConvgradError(op, `${what} must be in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${describeValue(v)}`);
}

/** Throws unless `options` is undefined or an object whose keys are all in `known`. */
export function checkOptions(op: string, options: unknown, known: string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ConvgradError(op, `options must be an object, got ${describeValue(options)}`);
  for (const [k, v] of Object.entries(options)) {
    if (!known.includes(k)) throw new ConvgradError(op, `unknown option '${k}' (known: ${known.join(', ')})`);
    // null would otherwise slip through `??` to the default
    if (v === null) throw new ConvgradError(op, `${k} must be a value or left out, got null`);
  }
  return options as Record<string, unknown>;
}
