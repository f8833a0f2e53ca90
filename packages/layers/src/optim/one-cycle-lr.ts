// OneCycleLR (Smith & Topin, "Super-Convergence"), as torch.optim.lr_scheduler.OneCycleLR (1.13): the lr
// rises from maxLr/divFactor to maxLr over the first pctStart of totalSteps, then falls to
// maxLr/(divFactor·finalDivFactor) (threePhase: back to the start, then down); the momentum (SGD's
// momentum or Adam's β₁) moves the opposite way between maxMomentum and baseMomentum. Call step()
// after every batch; stepping past totalSteps throws.
import { ConvgradError } from '@convgrad/core';
import { checkFinitePositive, checkInRange, checkOptions, checkPositiveInt, LRScheduler } from './lr-scheduler.ts';
import { type Optimizer } from './optimizer.ts';
import { describeValue } from '../describe-value.ts';

export interface OneCycleLROptions {
  /** Peak lr: one number, or one per param group. Required. */
  maxLr: number | number[];
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr (default 0.3). */
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum inversely to the lr (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** min lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  threePhase?: boolean;
}

const KNOWN = ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase'];

interface Phase { endStep: number; startLr: number[]; endLr: number[]; startMomentum: number[]; endMomentum: number[] }

export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  pctStart: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  threePhase: boolean;
  divFactor: number;
  finalDivFactor: number;
  maxLrs: number[];
  initialLrs: number[];
  minLrs: number[];
  maxMomentums: number[];
  baseMomentums: number[];
  /** Cycle Adam's β₁ (true) or SGD's momentum. */
  useBeta1: boolean;

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    super(optimizer, 'OneCycleLR');
    const o = checkOptions(this.name, options, KNOWN) as Partial<OneCycleLROptions>;
    const n = optimizer.paramGroups.length;
    if (o.totalSteps !== undefined) {
      checkPositiveInt(this.name, 'totalSteps', o.totalSteps);
      this.totalSteps = o.totalSteps;
    } else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      checkPositiveInt(this.name, 'epochs', o.epochs);
      checkPositiveInt(this.name, 'stepsPerEpoch', o.stepsPerEpoch);
      this.totalSteps = o.epochs * o.stepsPerEpoch;
    } else {
      throw new ConvgradError(this.name, `give totalSteps, or epochs and stepsPerEpoch (got totalSteps ${describeValue(o.totalSteps)}, epochs ${describeValue(o.epochs)}, stepsPerEpoch ${describeValue(o.stepsPerEpoch)})`);
    }
    this.pctStart = o.pctStart ?? 0.3;
    this.annealStrategy = o.annealStrategy ?? 'cos';
    this.cycleMomentum = o.cycleMomentum ?? true;
    this.threePhase = o.threePhase ?? false;
    this.divFactor = o.divFactor ?? 25;
    this.finalDivFactor = o.finalDivFactor ?? 1e4;
    this.maxLrs = perGroup(this.name, 'maxLr', o.maxLr, n);
    this.maxMomentums = perGroup(this.name, 'maxMomentum', o.maxMomentum ?? 0.95, n);
    this.baseMomentums = perGroup(this.name, 'baseMomentum', o.baseMomentum ?? 0.85, n);
    this.initialLrs = this.maxLrs.map((m) => m / this.divFactor);
    this.minLrs = this.initialLrs.map((l) => l / this.finalDivFactor);
    this.useBeta1 = 'betas' in optimizer.defaults;
    if (this.cycleMomentum && !this.useBeta1 && !('momentum' in optimizer.defaults)) {
      throw new ConvgradError(this.name, `${optimizer.name} has no momentum or betas to cycle; pass cycleMomentum: false`);
    }
    this.checkSettings();
    // the cycle starts at maxLr/divFactor whatever the optimizer's lr was (PyTorch overwrites initial_lr)
    optimizer.paramGroups.forEach((g, i) => (g.initialLr = this.initialLrs[i]));
    this.baseLrs = [...this.initialLrs];
    this.initialStep(); // sets the momentum too: maxMomentum at step 0 (afterStep)
  }

  protected checkSettings(): void {
    const n = this.optimizer.paramGroups.length;
    checkPositiveInt(this.name, 'totalSteps', this.totalSteps);
    checkInRange(this.name, 'pctStart', this.pctStart, 0, 1, false, false);
    if (this.annealStrategy !== 'cos' && this.annealStrategy !== 'linear') throw new ConvgradError(this.name, `annealStrategy must be 'cos' or 'linear', got ${describeValue(this.annealStrategy)}`);
    for (const k of ['cycleMomentum', 'threePhase'] as const) {
      if (typeof this[k] !== 'boolean') throw new ConvgradError(this.name, `${k} must be true or false, got ${describeValue(this[k])}`);
    }
    checkFinitePositive(this.name, 'divFactor', this.divFactor);
    checkFinitePositive(this.name, 'finalDivFactor', this.finalDivFactor);
    for (const k of ['maxLrs', 'initialLrs', 'minLrs'] as const) {
      if (!Array.isArray(this[k]) || this[k].length !== n) throw new ConvgradError(this.name, `${k} must hold one number per param group (${n}), got ${describeValue(this[k])}`);
      this[k].forEach((v, i) => checkFinitePositive(this.name, `${k}[${i}]`, v));
    }
    for (const k of ['maxMomentums', 'baseMomentums'] as const) {
      if (!Array.isArray(this[k]) || this[k].length !== n) throw new ConvgradError(this.name, `${k} must hold one number per param group (${n}), got ${describeValue(this[k])}`);
      this[k].forEach((v, i) => checkInRange(this.name, `${k}[${i}]`, v, 0, 1, false, true));
    }
  }

  private phases(): Phase[] {
    const T = this.totalSteps, p = this.pctStart;
    const { initialLrs: init, maxLrs: max, minLrs: min, maxMomentums: mMax, baseMomentums: mBase } = this;
    if (this.threePhase) {
      return [
        { endStep: p * T - 1, startLr: init, endLr: max, startMomentum: mMax, endMomentum: mBase },
        { endStep: 2 * p * T - 2, startLr: max, endLr: init, startMomentum: mBase, endMomentum: mMax },
        { endStep: T - 1, startLr: init, endLr: min, startMomentum: mMax, endMomentum: mMax },
      ];
    }
    return [
      { endStep: p * T - 1, startLr: init, endLr: max, startMomentum: mMax, endMomentum: mBase },
      { endStep: T - 1, startLr: max, endLr: min, startMomentum: mBase, endMomentum: mMax },
    ];
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  /** The phase holding `step` and how far into it the step is (past the last phase's end: beyond 1, as PyTorch). */
  private locate(step: number): { phase: Phase; pct: number } {
    const phases = this.phases();
    const found = phases.findIndex((ph) => step <= ph.endStep);
    const k = found === -1 ? phases.length - 1 : found;
    const start = k === 0 ? 0 : phases[k - 1].endStep;
    return { phase: phases[k], pct: (step - start) / (phases[k].endStep - start) };
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) throw new ConvgradError(this.name, `tried to step ${step + 1} times; the cycle has totalSteps ${this.totalSteps}`);
    const { phase, pct } = this.locate(step);
    return this.maxLrs.map((_, i) => this.anneal(phase.startLr[i], phase.endLr[i], pct));
  }

  /** Sets each group's momentum (or Adam's β₁) for the step just made. */
  protected override afterStep(): void {
    if (!this.cycleMomentum) return;
    const { phase, pct } = this.locate(this.lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => {
      const m = this.anneal(phase.startMomentum[i], phase.endMomentum[i], pct);
      if (this.useBeta1) g.betas = [m, (g.betas as [number, number])[1]];
      else g.momentum = m;
    });
  }

  protected stateKeys(): string[] {
    return ['totalSteps', 'pctStart', 'annealStrategy', 'cycleMomentum', 'threePhase', 'divFactor', 'finalDivFactor', 'maxLrs', 'initialLrs', 'minLrs', 'maxMomentums', 'baseMomentums', 'useBeta1'];
  }
}

function perGroup(op: string, what: string, v: unknown, n: number): number[] {
  if (Array.isArray(v)) {
    if (v.length !== n) throw new ConvgradError(op, `expected ${n} values for ${what} (one per param group), got ${v.length}`);
    return [...v];
  }
  if (typeof v !== 'number') throw new ConvgradError(op, `${what} must be a number or one number per param group, got ${describeValue(v)}`);
  return new Array(n).fill(v);
}
