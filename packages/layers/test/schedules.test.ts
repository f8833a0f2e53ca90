// The nine schedules against PyTorch 1.13.1 (fixtures/torch-reference.json: the lr of each of two param
// groups, lr 0.1 and 0.02, after construction and after every step), their state dicts, and their checks.
import { describe, expect, it } from 'vitest';
import { tensor } from '@convgrad/core';
import {
  Adam, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR, OneCycleLR, ReduceLROnPlateau, SequentialLR, SGD, StepLR,
  type Optimizer, type Scheduler,
} from '../src/index.ts';
import { expectClose } from './helpers.ts';
import { REF } from './torch-reference.ts';

/** Two groups (lr 0.1 and 0.02), as the reference script: SGD with momentum 0.9, or Adam. */
function twoGroups(kind: 'SGD' | 'Adam' = 'SGD'): Optimizer {
  const p = () => tensor([0], undefined, { requiresGrad: true });
  const groups = [{ params: [p()], lr: 0.1 }, { params: [p()], lr: 0.02 }];
  return kind === 'SGD' ? new SGD(groups, { lr: 0.1, momentum: 0.9 }) : new Adam(groups, { lr: 0.1 });
}

type Case = { make: (o: Optimizer) => Scheduler; kind?: 'SGD' | 'Adam'; momentum?: (o: Optimizer, i: number) => number };
const momentum = (o: Optimizer, i: number) => o.paramGroups[i].momentum as number;
const beta1 = (o: Optimizer, i: number) => (o.paramGroups[i].betas as readonly number[])[0];

const CASES: Record<string, Case> = {
  'StepLR(3, 0.5)': { make: (o) => new StepLR(o, 3, 0.5) },
  'StepLR(2)': { make: (o) => new StepLR(o, 2) },
  'MultiStepLR([2, 5, 5, 8], 0.3)': { make: (o) => new MultiStepLR(o, [2, 5, 5, 8], 0.3) },
  'ExponentialLR(0.9)': { make: (o) => new ExponentialLR(o, 0.9) },
  'ExponentialLR(1.05)': { make: (o) => new ExponentialLR(o, 1.05) },
  'CosineAnnealingLR(5, 0.001)': { make: (o) => new CosineAnnealingLR(o, 5, 0.001) },
  'CosineAnnealingLR(10)': { make: (o) => new CosineAnnealingLR(o, 10) },
  'LinearLR(0.25, 1, 4)': { make: (o) => new LinearLR(o, { startFactor: 0.25, endFactor: 1, totalIters: 4 }) },
  'LinearLR()': { make: (o) => new LinearLR(o) },
  'LinearLR(1, 0.1, 6)': { make: (o) => new LinearLR(o, { startFactor: 1, endFactor: 0.1, totalIters: 6 }) },
  'LambdaLR(0.95^e)': { make: (o) => new LambdaLR(o, (e) => 0.95 ** e) },
  'LambdaLR per group': { make: (o) => new LambdaLR(o, [(e) => 1 / (e + 1), (e) => (e % 3) + 0.5]) },
  'OneCycleLR(0.5, 20) SGD': { make: (o) => new OneCycleLR(o, { maxLr: 0.5, totalSteps: 20 }), momentum },
  'OneCycleLR three-phase linear Adam': {
    make: (o) => new OneCycleLR(o, { maxLr: [1, 0.1], epochs: 3, stepsPerEpoch: 5, pctStart: 0.4, annealStrategy: 'linear', threePhase: true }),
    kind: 'Adam', momentum: beta1,
  },
  'OneCycleLR no momentum': { make: (o) => new OneCycleLR(o, { maxLr: 0.2, totalSteps: 10, cycleMomentum: false, divFactor: 10, finalDivFactor: 100, pctStart: 0.25 }), momentum },
  'ReduceLROnPlateau(min, rel)': { make: (o) => new ReduceLROnPlateau(o, { patience: 2, cooldown: 1, threshold: 0.1 }) },
  'ReduceLROnPlateau(max, abs)': { make: (o) => new ReduceLROnPlateau(o, { mode: 'max', factor: 0.5, patience: 1, threshold: 0.05, thresholdMode: 'abs', minLr: [0.02, 0.01] }) },
  'SequentialLR(LinearLR, ExponentialLR)': { make: (o) => new SequentialLR(o, [new LinearLR(o, { startFactor: 0.1, totalIters: 3 }), new ExponentialLR(o, 0.9)], [3]) },
  'SequentialLR(StepLR, Cosine, Exponential)': { make: (o) => new SequentialLR(o, [new StepLR(o, 2, 0.5), new CosineAnnealingLR(o, 4, 0.01), new ExponentialLR(o, 0.8)], [4, 8]) },
};

function stepOnce(s: Scheduler, k: number): void {
  if (s instanceof ReduceLROnPlateau) s.step(REF.plateauMetrics[k]);
  else (s as unknown as { step(): void }).step();
}

describe('schedules give PyTorch 1.13.1 values', () => {
  it('covers every reference case', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(REF.schedules).sort());
  });

  it.each(Object.keys(CASES))('%s', (name) => {
    const c = CASES[name], ref = REF.schedules[name];
    const opt = twoGroups(c.kind);
    const s = c.make(opt);
    const lrs = [opt.paramGroups.map((g) => g.lr)];
    const moms = [[0, 1].map((i) => c.momentum?.(opt, i) ?? 0)];
    // PyTorch's last step of this cycle sets a negative lr (the linear anneal overshoots); convgrad refuses it
    const negative = ref.lrs.findIndex((l: number[]) => l.some((v) => v < 0));
    const steps = negative === -1 ? ref.lrs.length - 1 : negative - 1;
    for (let k = 0; k < steps; k++) {
      stepOnce(s, k);
      lrs.push(opt.paramGroups.map((g) => g.lr));
      moms.push([0, 1].map((i) => c.momentum?.(opt, i) ?? 0));
      expect(s.getLastLr()).toEqual(lrs.at(-1));
    }
    // the recursive forms are PyTorch's own arithmetic: equal to within one rounding
    expectClose(lrs.flat(), ref.lrs.slice(0, steps + 1).flat(), 1e-15, `${name} lr`);
    if (ref.momentum) expectClose(moms.flat(), ref.momentum.slice(0, steps + 1).flat(), 1e-15, `${name} momentum`);
    if (negative !== -1) {
      expect(() => stepOnce(s, steps)).toThrow(new RegExp(`^OneCycleLR: step to epoch ${negative} would set the lr of param group 0 to -0\\.0099`));
      expect(opt.paramGroups.map((g) => g.lr)).toEqual(lrs.at(-1));
    }
  });

  it('the one reference run that goes negative is the three-phase linear cycle at its last step', () => {
    const negatives = Object.entries(REF.schedules).filter(([, r]: [string, any]) => r.lrs.flat().some((v: number) => v < 0)).map(([n]) => n);
    expect(negatives).toEqual(['OneCycleLR three-phase linear Adam']);
  });

  it('the closed forms hold: StepLR is base·γ^⌊e/s⌋, CosineAnnealingLR η_min + (base − η_min)(1 + cos(πe/T))/2', () => {
    const ref = REF.schedules['StepLR(3, 0.5)'].lrs.map((l: number[]) => l[0]);
    expectClose(ref, ref.map((_: number, e: number) => 0.1 * 0.5 ** Math.floor(e / 3)), 1e-15, 'StepLR');
    const cos = REF.schedules['CosineAnnealingLR(5, 0.001)'].lrs.map((l: number[]) => l[1]);
    expectClose(cos, cos.map((_: number, e: number) => 0.001 + ((0.02 - 0.001) * (1 + Math.cos((Math.PI * e) / 5))) / 2), 1e-12, 'cosine');
  });
});

describe('state dicts', () => {
  it.each(Object.keys(CASES).filter((n) => !n.includes('three-phase')))('%s: a fresh schedule loaded mid-run continues identically', (name) => {
    const c = CASES[name];
    const ref = REF.schedules[name].lrs;
    const half = Math.floor((ref.length - 1) / 2);
    const a = twoGroups(c.kind);
    const sa = c.make(a);
    for (let k = 0; k < half; k++) stepOnce(sa, k);
    const saved = JSON.parse(JSON.stringify({ opt: a.stateDict().paramGroups, sched: sa.stateDict() })); // survives JSON
    const b = twoGroups(c.kind);
    const sb = c.make(b);
    b.paramGroups.forEach((g, i) => Object.assign(g, { ...saved.opt[i], params: g.params }));
    sb.loadStateDict(saved.sched);
    for (let k = half; k < ref.length - 1; k++) {
      stepOnce(sa, k);
      stepOnce(sb, k);
      expect(b.paramGroups.map((g) => g.lr)).toEqual(a.paramGroups.map((g) => g.lr));
    }
    expectClose(b.paramGroups.map((g) => g.lr), ref.at(-1), 1e-15, 'last lr'); // Math.cos and libm may differ in the last bit
  });

  it('refuses a state dict of another kind of schedule and leaves the schedule unchanged', () => {
    const o = twoGroups();
    const s = new StepLR(o, 3, 0.5);
    const before = s.stateDict();
    expect(() => s.loadStateDict(new ExponentialLR(twoGroups(), 0.9).stateDict())).toThrow(/^StepLR\.loadStateDict: state dict keys do not match: missing stepSize$/);
    expect(() => s.loadStateDict({ ...before, gamma: Infinity })).toThrow(/^StepLR: gamma must be a finite number > 0, got Infinity/);
    expect(s.stateDict()).toEqual(before);
  });
});

describe('schedule checks', () => {
  it('StepLR(opt, 1, 1e300) throws at the step that would make the lr Infinity, leaving the lr as it was', () => {
    const o = twoGroups();
    const s = new StepLR(o, 1, 1e300);
    s.step(); // 0.1·1e300 = 1e299
    expect(o.lr).toBe(1e299);
    expect(() => s.step()).toThrow(/^StepLR: step to epoch 2 would set the lr of param group 0 to Infinity/);
    expect(o.lr).toBe(1e299);
    expect(s.lastEpoch).toBe(1);
  });

  it('a setting changed after construction is checked at the next step', () => {
    const o = twoGroups();
    const s = new ExponentialLR(o, 0.5);
    s.gamma = NaN;
    expect(() => s.step()).toThrow(/^ExponentialLR: gamma must be a finite number > 0, got NaN/);
    const l = new LambdaLR(twoGroups(), (e) => (e > 1 ? -1 : 1));
    l.step();
    expect(() => l.step()).toThrow(/^LambdaLR: lrLambda 0\(2\) returned -1/);
  });

  it('refuses unknown options and bad settings, naming the schedule and the value', () => {
    const o = twoGroups();
    expect(() => new LinearLR(o, { startFactor: 0.5, warmup: 3 } as never)).toThrow(/^LinearLR: unknown option 'warmup'/);
    expect(() => new LinearLR(o, { startFactor: 0 })).toThrow(/^LinearLR: startFactor must be in \(0, 1\], got 0/);
    expect(() => new OneCycleLR(o, { maxLr: 1 } as never)).toThrow(/^OneCycleLR: give totalSteps, or epochs and stepsPerEpoch/);
    expect(() => new OneCycleLR(o, { maxLr: [1], totalSteps: 5 })).toThrow(/^OneCycleLR: expected 2 values for maxLr/);
    expect(() => new ReduceLROnPlateau(o, { factor: 1 })).toThrow(/^ReduceLROnPlateau: factor must be in \(0, 1\), got 1/);
    expect(() => new ReduceLROnPlateau(o).step(NaN)).toThrow(/^ReduceLROnPlateau: metric must be a number \(not NaN\), got NaN/);
    expect(() => new CosineAnnealingLR(o, 2.5)).toThrow(/^CosineAnnealingLR: tMax must be a positive integer, got 2.5/);
    expect(() => new MultiStepLR(o, [3, -1])).toThrow(/^MultiStepLR: milestones\[0\] must be a positive integer, got -1/);
    expect(() => new SequentialLR(o, [new StepLR(o, 2)], [3])).toThrow(/^SequentialLR: expected 0 milestones/);
    expect(() => new SequentialLR(o, [new StepLR(twoGroups(), 2)], [])).toThrow(/^SequentialLR: schedulers\[0\] belongs to another optimizer/);
    expect(() => new StepLR({} as Optimizer, 2)).toThrow(/^StepLR: optimizer must be an Optimizer/);
  });

  it('OneCycleLR refuses to step past totalSteps', () => {
    const s = new OneCycleLR(twoGroups(), { maxLr: 0.5, totalSteps: 3 });
    for (let k = 0; k < 3; k++) s.step();
    expect(() => s.step()).toThrow(/^OneCycleLR: tried to step 5 times; the cycle has totalSteps 3/);
  });
});
