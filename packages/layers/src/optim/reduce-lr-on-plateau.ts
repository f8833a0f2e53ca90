// ReduceLROnPlateau: multiplies the lr by `factor` (never below minLr) when the monitored metric has not
// improved for more than `patience` steps, then waits `cooldown` steps; as torch.optim.lr_scheduler (1.13).
import { ConvgradError } from '@convgrad/core';
import { checkFiniteNonNegative, checkInRange, checkOptions, checkPerGroupNumbers, checkStateKeys, type Scheduler, type SchedulerStateDict } from './lr-scheduler.ts';
import { Optimizer } from './optimizer.ts';
import { describeValue } from '../describe-value.ts';

export interface ReduceLROnPlateauOptions {
  /** 'min': lower is better (a loss); 'max': higher is better (an accuracy). */
  mode?: 'min' | 'max';
  /** lr ← lr·factor, in (0, 1) (default 0.1). */
  factor?: number;
  /** Steps without improvement tolerated (default 10). */
  patience?: number;
  /** Smallest change counted as an improvement (default 1e-4). */
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction (default 0). */
  cooldown?: number;
  /** Lower bound: one number, or one per param group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

const KNOWN = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'];

export class ReduceLROnPlateau implements Scheduler {
  readonly name = 'ReduceLROnPlateau';
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  /** Best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(readonly optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    if (!(optimizer instanceof Optimizer)) throw new ConvgradError(this.name, `optimizer must be an Optimizer (SGD, Adam, …), got ${describeValue(optimizer)}`);
    const o = checkOptions(this.name, options, KNOWN) as ReduceLROnPlateauOptions;
    const n = optimizer.paramGroups.length;
    this.mode = o.mode ?? 'min';
    this.factor = o.factor ?? 0.1;
    this.patience = o.patience ?? 10;
    this.threshold = o.threshold ?? 1e-4;
    this.thresholdMode = o.thresholdMode ?? 'rel';
    this.cooldown = o.cooldown ?? 0;
    const minLr = o.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== n) throw new ConvgradError(this.name, `expected ${n} minLr values (one per param group), got ${minLr.length}`);
    this.minLrs = Array.isArray(minLr) ? [...minLr] : new Array(n).fill(minLr);
    this.eps = o.eps ?? 1e-8;
    this.checkSettings();
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private checkSettings(): void {
    if (this.mode !== 'min' && this.mode !== 'max') throw new ConvgradError(this.name, `mode must be 'min' or 'max', got ${describeValue(this.mode)}`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new ConvgradError(this.name, `thresholdMode must be 'rel' or 'abs', got ${describeValue(this.thresholdMode)}`);
    checkInRange(this.name, 'factor', this.factor, 0, 1, true, true);
    for (const k of ['patience', 'cooldown'] as const) {
      if (!(Number.isSafeInteger(this[k]) && this[k] >= 0)) throw new ConvgradError(this.name, `${k} must be an integer ≥ 0, got ${describeValue(this[k])}`);
    }
    checkFiniteNonNegative(this.name, 'threshold', this.threshold);
    checkFiniteNonNegative(this.name, 'eps', this.eps);
    if (!Array.isArray(this.minLrs) || this.minLrs.length !== this.optimizer.paramGroups.length) throw new ConvgradError(this.name, `minLr must hold one number per param group, got ${describeValue(this.minLrs)}`);
    this.minLrs.forEach((m, i) => checkFiniteNonNegative(this.name, `minLr[${i}]`, m));
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** One epoch's metric (e.g. the validation loss). A NaN metric is an error (training has diverged). */
  step(metric: number): void {
    this.checkSettings();
    if (typeof metric !== 'number' || Number.isNaN(metric)) throw new ConvgradError(this.name, `metric must be a number (not NaN), got ${describeValue(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    const { mode, factor, patience, threshold, thresholdMode, cooldown, eps, best, numBadEpochs, cooldownCounter, lastEpoch } = this;
    // ±Infinity is not JSON: `best` is stored as a string then
    return { mode, factor, patience, threshold, thresholdMode, cooldown, minLrs: [...this.minLrs], eps, best: Number.isFinite(best) ? best : String(best), numBadEpochs, cooldownCounter, lastEpoch, lastLr: [...this.lastLr] };
  }

  loadStateDict(dict: SchedulerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    const keys = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLrs', 'eps', 'best', 'numBadEpochs', 'cooldownCounter', 'lastEpoch', 'lastLr'];
    checkStateKeys(op, dict, keys);
    const best = bestFromState(dict.best);
    if (typeof best !== 'number' || Number.isNaN(best)) throw new ConvgradError(op, `best must be a number, got ${describeValue(dict.best)}`);
    for (const k of ['numBadEpochs', 'cooldownCounter', 'lastEpoch']) {
      if (!(Number.isSafeInteger(dict[k]) && (dict[k] as number) >= 0)) throw new ConvgradError(op, `${k} must be an integer ≥ 0, got ${describeValue(dict[k])}`);
    }
    checkPerGroupNumbers(op, 'lastLr', dict.lastLr, this.optimizer.paramGroups.length);
    const before = this.stateDict();
    Object.assign(this, structuredClone(dict), { best });
    try {
      this.checkSettings();
    } catch (err) {
      Object.assign(this, before, { best: bestFromState(before.best) });
      throw err;
    }
  }
}

/** A state dict's `best`: a number, or ±Infinity stored as a string (JSON has no Infinity). */
function bestFromState(v: unknown): unknown {
  return typeof v === 'string' ? Number(v) : v;
}
