// Cases found by mutation testing (`MUTATE_GROUP=optim pnpm mutate`) of the schedule base class
// (optim/lr-scheduler.ts): the step counter, the closed-form path (PyTorch's step(epoch)), the check of
// the lr a step would set, state-dict checks and the setting checks every schedule shares. Values are
// PyTorch 1.13.1's (torch.optim.lr_scheduler, two SGD groups with lr 0.1 and 0.02).
import { describe, expect, it } from 'vitest';
import { tensor } from '@convgrad/core';
import {
  ExponentialLR, LambdaLR, LinearLR, LRScheduler, OneCycleLR, ReduceLROnPlateau, SequentialLR, SGD, StepLR, type Optimizer, type SchedulerStateDict,
} from '../src/index.ts';
import { expectClose } from './helpers.ts';

function groups(...lrs: number[]): Optimizer {
  return new SGD(lrs.map((lr) => ({ params: [tensor([0], undefined, { requiresGrad: true })], lr })), { lr: lrs[0], momentum: 0.9 });
}

/** ExponentialLR(γ = 0.5) over two groups (lr 0.1, 0.02), stepped once: lr 0.05, 0.01. */
function halvingAfterOneStep(): { o: Optimizer; s: ExponentialLR } {
  const o = groups(0.1, 0.02);
  const s = new ExponentialLR(o, 0.5);
  s.step();
  return { o, s };
}
const lrsOf = (o: Optimizer) => o.paramGroups.map((g) => g.lr);

/** A schedule that sets whatever lrs `next` holds (to reach the base class's checks directly). */
class FixedLR extends LRScheduler {
  constructor(optimizer: Optimizer, public next: number[]) {
    super(optimizer, 'FixedLR');
    this.initialStep();
  }
  protected computeLr(): number[] {
    return this.next;
  }
  protected checkSettings(): void {}
  protected stateKeys(): string[] {
    return [];
  }
}

describe('step counter and closed form (PyTorch _step_count, step(epoch))', () => {
  it('counts steps from 1 after construction, as PyTorch', () => {
    const s = new ExponentialLR(groups(0.1, 0.02), 0.5);
    expect([s.stepCount, s.lastEpoch]).toEqual([1, 0]);
    s.step();
    expect([s.stepCount, s.lastEpoch]).toEqual([2, 1]);
    expect(s.stateDict()).toMatchObject({ stepCount: 2, lastEpoch: 1 });
  });

  it('stepTo(5) jumps with the closed form (torch: step(5) → [0.003125, 0.000625], _step_count 3)', () => {
    const { o, s } = halvingAfterOneStep();
    s.stepTo(5);
    expectClose(lrsOf(o), [0.003125, 0.000625], 1e-15);
    expect([s.stepCount, s.lastEpoch]).toEqual([3, 5]);
  });

  it.each([[-1, '-1'], [1.5, '1.5'], [NaN, 'NaN'], [Infinity, 'Infinity'], ['2', '"2"']])('stepTo(%s) is refused and changes nothing', (epoch, shown) => {
    const { o, s } = halvingAfterOneStep();
    const before = s.stateDict();
    expect(() => s.stepTo(epoch as number)).toThrow(`ExponentialLR: epoch must be an integer ≥ 0, got ${shown}`);
    expect(s.stateDict()).toEqual(before);
    expectClose(lrsOf(o), [0.05, 0.01], 1e-15);
  });

  it('stepTo(0) is accepted (SequentialLR restarts the next schedule there)', () => {
    const { o, s } = halvingAfterOneStep();
    s.stepTo(0);
    expectClose(lrsOf(o), [0.1, 0.02], 1e-15);
  });

  it('a schedule without a closed form jumps with its own rule: LambdaLR after a SequentialLR milestone (torch values)', () => {
    const o = groups(0.1, 0.02);
    const seq = new SequentialLR(o, [new ExponentialLR(o, 0.5), new LambdaLR(o, (e) => 1 / (e + 1))], [2]);
    const seen = [lrsOf(o)];
    for (let i = 0; i < 5; i++) {
      seq.step();
      seen.push(lrsOf(o));
    }
    const want = [[0.1, 0.02], [0.05, 0.01], [0.1, 0.02], [0.05, 0.01], [0.1 / 3, 0.02 / 3], [0.025, 0.005]];
    seen.forEach((lrs, i) => expectClose(lrs, want[i], 1e-15, `epoch ${i}`));
  });

  it('LambdaLR.stepTo(3) is base_lr · λ(3)', () => {
    const o = groups(0.1, 0.02);
    new LambdaLR(o, (e) => 1 / (e + 1)).stepTo(3);
    expectClose(lrsOf(o), [0.025, 0.005], 1e-15);
  });
});

describe('a step that would set a bad lr is refused, naming the group only when there are several', () => {
  it('one group: overflow to Infinity', () => {
    const o = groups(1e10);
    const s = new ExponentialLR(o, 1e300);
    expect(() => s.step()).toThrow("ExponentialLR: step to epoch 1 would set the lr to Infinity; an lr must be a finite number ≥ 0 (check the schedule's settings)");
    expect([s.stepCount, s.lastEpoch, o.paramGroups[0].lr]).toEqual([1, 0, 1e10]);
  });

  it('two groups: the group is named', () => {
    const o = groups(1, 1e10);
    const s = new ExponentialLR(o, 1e300);
    expect(() => s.step()).toThrow('ExponentialLR: step to epoch 1 would set the lr of param group 1 to Infinity;');
    expect(lrsOf(o)).toEqual([1, 1e10]);
  });

  it.each([[-0.5, '-0.5'], [NaN, 'NaN'], [-Infinity, '-Infinity'], ['0.1', '"0.1"']])('an lr of %s is refused', (bad, shown) => {
    const o = groups(0.1);
    const s = new FixedLR(o, [0.05]);
    s.next = [bad as number];
    expect(() => s.step()).toThrow(`FixedLR: step to epoch 1 would set the lr to ${shown};`);
    expect(s.getLastLr()).toEqual([0.05]);
    expect([s.stepCount, s.lastEpoch]).toEqual([1, 0]);
  });

  it('an lr of 0 (and -0) is accepted', () => {
    const o = groups(0.1, 0.2);
    const s = new FixedLR(o, [0, -0]);
    expect(s.getLastLr()).toEqual([0, -0]);
  });
});

describe('loadStateDict checks the common fields first and then changes nothing on failure', () => {
  const fresh = () => {
    const s = new StepLR(groups(0.1, 0.02), 3, 0.5);
    s.step();
    return s;
  };
  const good = () => fresh().stateDict();
  it.each<[string, (d: SchedulerStateDict) => void, string]>([
    ['baseLrs a number', (d) => (d.baseLrs = 0.1), 'baseLrs must hold one number per param group (2), got 0.1'],
    ['baseLrs too short', (d) => (d.baseLrs = [0.1]), 'baseLrs must hold one number per param group (2), got [0.1]'],
    ['baseLrs with a string', (d) => (d.baseLrs = [0.1, 'x']), 'baseLrs must hold one number per param group (2), got [0.1, "x"]'],
    ['baseLrs all strings', (d) => (d.baseLrs = ['a', 'b']), 'baseLrs must hold one number per param group (2), got ["a", "b"]'],
    ['lastLr too long', (d) => (d.lastLr = [0.1, 0.02, 0.3]), 'lastLr must hold one number per param group (2), got [0.1, 0.02, 0.3]'],
    ['lastLr with a string', (d) => (d.lastLr = ['0.1', 0.02]), 'lastLr must hold one number per param group (2), got ["0.1", 0.02]'],
    ['lastEpoch 1.5', (d) => (d.lastEpoch = 1.5), 'lastEpoch must be an integer, got 1.5'],
    ['stepCount a string', (d) => (d.stepCount = '2'), 'stepCount must be an integer, got "2"'],
    ['stepCount NaN', (d) => (d.stepCount = NaN), 'stepCount must be an integer, got NaN'],
  ])('%s', (_, spoil, message) => {
    const s = fresh();
    const before = s.stateDict();
    const d = good();
    d.lastEpoch = 7;
    spoil(d);
    expect(() => s.loadStateDict(d)).toThrow(`StepLR.loadStateDict: ${message}`);
    expect(s.stateDict()).toEqual(before);
  });

  it.each([[null, 'null'], [[], '[]'], [5, '5'], ['x', '"x"'], [undefined, 'undefined']])('a state dict %s is refused', (bad, shown) => {
    expect(() => fresh().loadStateDict(bad as never)).toThrow(`StepLR.loadStateDict: expected a state dict object, got ${shown}`);
  });

  it.each<[string, (d: SchedulerStateDict) => void, string]>([
    ['two missing', (d) => { delete d.stepSize; delete d.gamma; }, 'state dict keys do not match: missing stepSize, gamma'],
    ['two unexpected', (d) => { d.foo = 1; d.bar = 2; }, 'state dict keys do not match; unexpected foo, bar'],
    ['both', (d) => { delete d.gamma; d.foo = 1; }, 'state dict keys do not match: missing gamma; unexpected foo'],
  ])('keys: %s', (_, spoil, message) => {
    const d = good();
    spoil(d);
    expect(() => fresh().loadStateDict(d)).toThrow(new RegExp(`^StepLR\\.loadStateDict: ${message}$`));
  });

  it('a good state dict is taken whole', () => {
    const d = good();
    d.lastEpoch = 4;
    d.stepCount = 9;
    const s = new StepLR(groups(0.1, 0.02), 3, 0.5);
    s.loadStateDict(d);
    expect(s.stateDict()).toEqual(d);
  });
});

describe('the setting checks the schedules share name the schedule, the setting and the value', () => {
  const o = () => groups(0.1, 0.02);
  it.each<[string, () => unknown, string]>([
    ['positive int: 0', () => new StepLR(o(), 0), 'StepLR: stepSize must be a positive integer, got 0'],
    ['positive int: 2.5', () => new StepLR(o(), 2.5), 'StepLR: stepSize must be a positive integer, got 2.5'],
    ['positive int: a string', () => new StepLR(o(), '2' as never), 'StepLR: stepSize must be a positive integer, got "2"'],
    ['positive int: 2^53', () => new StepLR(o(), 2 ** 53), 'StepLR: stepSize must be a positive integer, got 9007199254740992'],
    ['finite > 0: 0', () => new ExponentialLR(o(), 0), 'ExponentialLR: gamma must be a finite number > 0, got 0'],
    ['finite > 0: a string', () => new ExponentialLR(o(), '0.5' as never), 'ExponentialLR: gamma must be a finite number > 0, got "0.5"'],
    ['finite > 0: Infinity', () => new ExponentialLR(o(), Infinity), 'ExponentialLR: gamma must be a finite number > 0, got Infinity'],
    ['finite ≥ 0: -1', () => new ReduceLROnPlateau(o(), { threshold: -1 }), 'ReduceLROnPlateau: threshold must be a finite number ≥ 0, got -1'],
    ['finite ≥ 0: a string', () => new ReduceLROnPlateau(o(), { threshold: '0' as never }), 'ReduceLROnPlateau: threshold must be a finite number ≥ 0, got "0"'],
    ['finite ≥ 0: NaN', () => new ReduceLROnPlateau(o(), { eps: NaN }), 'ReduceLROnPlateau: eps must be a finite number ≥ 0, got NaN'],
    ['(0, 1]: 0', () => new LinearLR(o(), { startFactor: 0 }), 'LinearLR: startFactor must be in (0, 1], got 0'],
    ['(0, 1]: 1.5', () => new LinearLR(o(), { startFactor: 1.5 }), 'LinearLR: startFactor must be in (0, 1], got 1.5'],
    ['[0, 1]: -0.5', () => new LinearLR(o(), { endFactor: -0.5 }), 'LinearLR: endFactor must be in [0, 1], got -0.5'],
    ['[0, 1]: a string', () => new LinearLR(o(), { endFactor: '0.5' as never }), 'LinearLR: endFactor must be in [0, 1], got "0.5"'],
    ['[0, 1]: NaN', () => new LinearLR(o(), { endFactor: NaN }), 'LinearLR: endFactor must be in [0, 1], got NaN'],
    ['(0, 1): 1', () => new ReduceLROnPlateau(o(), { factor: 1 }), 'ReduceLROnPlateau: factor must be in (0, 1), got 1'],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(message);
  });

  it('closed ends are inside the range: LinearLR endFactor 0 anneals to lr 0 (torch: 0.1 → 0.05 → 0)', () => {
    const opt = groups(0.1);
    const s = new LinearLR(opt, { startFactor: 1, endFactor: 0, totalIters: 2 });
    s.step();
    expectClose(lrsOf(opt), [0.05], 1e-15);
    s.step();
    expect(lrsOf(opt)).toEqual([0]);
    expect(new LinearLR(groups(0.1), { startFactor: 1 }).startFactor).toBe(1);
  });
});

describe('options objects', () => {
  const o = () => groups(0.1, 0.02);
  it('options left out reach the schedule’s own check (OneCycleLR needs totalSteps)', () => {
    expect(() => new OneCycleLR(o(), undefined as never)).toThrow(/^OneCycleLR: give totalSteps, or epochs and stepsPerEpoch \(got totalSteps undefined/);
  });

  it.each([[null, 'null'], [[], '[]'], [5, '5'], ['min', '"min"']])('options %s are refused', (bad, shown) => {
    expect(() => new ReduceLROnPlateau(o(), bad as never)).toThrow(`ReduceLROnPlateau: options must be an object, got ${shown}`);
    expect(() => new LinearLR(o(), bad as never)).toThrow(`LinearLR: options must be an object, got ${shown}`);
  });

  it('an unknown option is refused, listing the known ones', () => {
    expect(() => new ReduceLROnPlateau(o(), { patient: 3 } as never)).toThrow(
      "ReduceLROnPlateau: unknown option 'patient' (known: mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps)",
    );
    expect(() => new LinearLR(o(), { steps: 3 } as never)).toThrow("LinearLR: unknown option 'steps' (known: startFactor, endFactor, totalIters)");
  });
});
