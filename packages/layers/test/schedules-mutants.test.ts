// Epoch schedules (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, LambdaLR): cases found
// by mutation testing (`MUTATE_GROUP=optim pnpm mutate`). The closed forms (stepTo, PyTorch's step(epoch)),
// a resumed CosineAnnealingLR, boundary settings against PyTorch 1.13.1 (fixtures/schedules-mutants.json),
// exact messages, and state dicts loaded into a schedule built with other settings.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor } from '@convgrad/core';
import { CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR, SGD, StepLR, type LRScheduler, type Optimizer } from '../src/index.ts';
import { expectClose } from './helpers.ts';
import { REF } from './torch-reference.ts';

const TORCH = JSON.parse(readFileSync(new URL('./fixtures/schedules-mutants.json', import.meta.url), 'utf8'));

function twoGroups(): Optimizer {
  const p = () => tensor([0], undefined, { requiresGrad: true });
  return new SGD([{ params: [p()], lr: 0.1 }, { params: [p()], lr: 0.02 }], { lr: 0.1, momentum: 0.9 });
}
const lrs = (o: Optimizer) => o.paramGroups.map((g) => g.lr);
const escape = (s: string) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

describe('closed forms: stepTo(epoch) gives PyTorch 1.13.1\'s step(epoch) (_get_closed_form_lr)', () => {
  const MAKE: Record<string, (o: Optimizer) => LRScheduler> = {
    'StepLR(3, 0.5)': (o) => new StepLR(o, 3, 0.5),
    'MultiStepLR([2, 5, 5, 8], 0.3)': (o) => new MultiStepLR(o, [8, 5, 2, 5], 0.3),
    'ExponentialLR(0.9)': (o) => new ExponentialLR(o, 0.9),
    'CosineAnnealingLR(5, 0.001)': (o) => new CosineAnnealingLR(o, 5, 0.001),
    'LinearLR(0.25, 0.75, 4)': (o) => new LinearLR(o, { startFactor: 0.25, endFactor: 0.75, totalIters: 4 }),
  };
  it.each(Object.keys(MAKE))('%s', (name) => {
    expect(Object.keys(TORCH.closed).sort()).toEqual(Object.keys(MAKE).sort());
    for (const [epoch, ref] of Object.entries(TORCH.closed[name] as Record<string, number[]>)) {
      const o = twoGroups();
      const s = MAKE[name](o);
      s.step();
      s.step(); // the closed form does not depend on the lrs the steps set
      s.stepTo(Number(epoch));
      expectClose(lrs(o), ref, 1e-15, `${name} at epoch ${epoch}`);
      expect(s.lastEpoch).toBe(Number(epoch));
      expect(s.getLastLr()).toEqual(lrs(o));
    }
  });
});

describe('CosineAnnealingLR', () => {
  it('its recursive form is PyTorch\'s to the last bit (not the closed form, which differs in the last bit at epochs 2 to 4)', () => {
    const ref = REF.schedules['CosineAnnealingLR(5, 0.001)'].lrs.slice(0, 7);
    const o = twoGroups();
    const s = new CosineAnnealingLR(o, 5, 0.001);
    const got = [lrs(o)];
    for (let k = 1; k < ref.length; k++) {
      s.step();
      got.push(lrs(o));
    }
    expect(got).toEqual(ref);
    const closed = (e: number) => 0.001 + ((0.1 - 0.001) * (1 + Math.cos((Math.PI * e) / 5))) / 2;
    expect([2, 3, 4].map((e) => closed(e) === ref[e][0])).toEqual([false, false, false]);
  });

  it('resumed at epoch 2 (stepCount 0, as PyTorch\'s last_epoch=2), the next step uses the closed form, then the recursive one', () => {
    const o = twoGroups();
    const s = new CosineAnnealingLR(o, 5, 0.001);
    o.lr = 0.5; // ignored by the closed form
    s.lastEpoch = 2;
    s.stepCount = 0;
    const got = [];
    for (let k = 0; k < 5; k++) {
      s.step();
      got.push(lrs(o));
    }
    expectClose(got.flat(), TORCH.resumedCosine.flat(), 1e-15, 'resumed');
    expect(s.stepCount).toBe(5);
  });

  it('attached after another schedule, it starts from the lr that one set (PyTorch\'s chaining)', () => {
    const o = twoGroups();
    new LinearLR(o, { startFactor: 0.5, totalIters: 4 });
    const s = new CosineAnnealingLR(o, 10);
    expect(lrs(o)).toEqual([0.05, 0.01]);
    expect(s.baseLrs).toEqual([0.1, 0.02]);
  });
});

describe('LinearLR, LambdaLR: the boundary settings PyTorch accepts', () => {
  it('LinearLR with endFactor 0 ramps the lr down to 0', () => {
    const o = twoGroups();
    const s = new LinearLR(o, { startFactor: 1, endFactor: 0, totalIters: 4 });
    const got = [lrs(o)];
    for (let k = 0; k < 6; k++) {
      s.step();
      got.push(lrs(o));
    }
    expect(got).toEqual(TORCH['LinearLR(1, 0, 4)']);
    expect(() => new LinearLR(twoGroups(), { endFactor: -0.5 })).toThrow(/^LinearLR: endFactor must be in \[0, 1\], got -0\.5/);
  });

  it('LambdaLR accepts a factor of 0', () => {
    const o = twoGroups();
    const s = new LambdaLR(o, (e) => (e === 1 ? 0 : 1 / (e + 1)));
    const got = [lrs(o)];
    for (let k = 0; k < 3; k++) {
      s.step();
      got.push(lrs(o));
    }
    expect(got).toEqual(TORCH['LambdaLR factor 0']);
  });

  it.each([
    [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], ['2', '"2"'], [undefined, 'undefined'], [-0.5, '-0.5'],
  ])('LambdaLR refuses a factor of %s, naming the lambda, the epoch and the value', (factor, shown) => {
    const o = twoGroups();
    const s = new LambdaLR(o, [() => 1, (e) => (e === 0 ? 1 : (factor as number))]);
    expect(() => s.step()).toThrow(escape(`LambdaLR: lrLambda 1(1) returned ${shown}; it must return a finite number ≥ 0`));
    expect(lrs(o)).toEqual([0.1, 0.02]);
    expect(s.lastEpoch).toBe(0);
  });

  it('LambdaLR wants one function, or one per param group', () => {
    expect(() => new LambdaLR(twoGroups(), [() => 1])).toThrow(/^LambdaLR: expected 2 lr lambdas \(one per param group\), got 1$/);
    expect(() => new LambdaLR(twoGroups(), [() => 1, 2 as never])).toThrow(/^LambdaLR: lrLambda 1 must be a function of the epoch, got 2$/);
  });
});

describe('MultiStepLR and ExponentialLR checks', () => {
  it('MultiStepLR refuses milestones that are not an array, at construction and in a state dict, and a bad gamma', () => {
    expect(() => new MultiStepLR(twoGroups(), 3 as never)).toThrow(/^MultiStepLR: milestones must be an array of positive integers, got 3$/);
    expect(() => new MultiStepLR(twoGroups(), [2], 0)).toThrow(/^MultiStepLR: gamma must be a finite number > 0, got 0$/);
    const s = new MultiStepLR(twoGroups(), [2, 4]);
    const before = s.stateDict();
    expect(() => s.loadStateDict({ ...before, milestones: 4 })).toThrow(/^MultiStepLR: milestones must be an array of positive integers, got 4$/);
    expect(s.stateDict()).toEqual(before);
    s.milestones = '2' as never;
    expect(() => s.step()).toThrow(/^MultiStepLR: milestones must be an array of positive integers, got "2"$/);
  });

  it('MultiStepLR with a repeated milestone multiplies by γ once per repetition (PyTorch\'s Counter)', () => {
    const o = twoGroups();
    const s = new MultiStepLR(o, [2, 2], 0.5);
    s.step();
    expect(lrs(o)).toEqual([0.1, 0.02]);
    s.step();
    expect(lrs(o)).toEqual([0.025, 0.005]);
  });
});

describe('a state dict holds the settings: loaded into a schedule built with others, it continues as the saved one', () => {
  const CASES: [string, (o: Optimizer) => LRScheduler, (o: Optimizer) => LRScheduler, string[]][] = [
    ['MultiStepLR', (o) => new MultiStepLR(o, [2, 3, 5], 0.5), (o) => new MultiStepLR(o, [9], 0.1), ['milestones', 'gamma']],
    ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, 4, 0.01), (o) => new CosineAnnealingLR(o, 20), ['tMax', 'etaMin']],
    ['LinearLR', (o) => new LinearLR(o, { startFactor: 0.2, endFactor: 0.9, totalIters: 5 }), (o) => new LinearLR(o), ['startFactor', 'endFactor', 'totalIters']],
    ['StepLR', (o) => new StepLR(o, 2, 0.5), (o) => new StepLR(o, 7), ['stepSize', 'gamma']],
    ['ExponentialLR', (o) => new ExponentialLR(o, 0.7), (o) => new ExponentialLR(o, 0.99), ['gamma']],
  ];
  it.each(CASES)('%s', (_name, make, other, keys) => {
    const a = twoGroups(), b = twoGroups();
    const sa = make(a), sb = other(b);
    sa.step();
    const saved = JSON.parse(JSON.stringify(sa.stateDict()));
    expect(Object.keys(saved).sort()).toEqual(['baseLrs', 'lastEpoch', 'lastLr', 'stepCount', ...keys].sort());
    sb.loadStateDict(saved);
    b.paramGroups.forEach((g, i) => (g.lr = a.paramGroups[i].lr));
    for (let k = 0; k < 8; k++) {
      sa.step();
      sb.step();
      expect(lrs(b)).toEqual(lrs(a));
    }
  });
});
