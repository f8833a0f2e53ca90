// SequentialLR cases found by mutation testing (`MUTATE_GROUP=optim pnpm mutate`): its checks with their
// exact messages, the milestones, and state dicts (checked, and restored whole when a load fails).
import { describe, expect, it } from 'vitest';
import { tensor } from '@convgrad/core';
import { ExponentialLR, LinearLR, ReduceLROnPlateau, SequentialLR, SGD, StepLR, type Optimizer } from '../src/index.ts';

function twoGroups(): Optimizer {
  const p = () => tensor([0], undefined, { requiresGrad: true });
  return new SGD([{ params: [p()], lr: 0.1 }, { params: [p()], lr: 0.02 }], { lr: 0.1, momentum: 0.9 });
}
const lrs = (o: Optimizer) => o.paramGroups.map((g) => g.lr);
const escape = (s: string) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** Warm-up for 3 epochs, then ×0.9 per epoch, then ×0.5 every 2 epochs from epoch 6. */
function threeStage(o: Optimizer): SequentialLR {
  return new SequentialLR(o, [new LinearLR(o, { startFactor: 0.5, totalIters: 3 }), new ExponentialLR(o, 0.9), new StepLR(o, 2, 0.5)], [3, 6]);
}

describe('SequentialLR checks its schedules and milestones, naming the value', () => {
  it.each([
    ['no schedules', (o: Optimizer) => new SequentialLR(o, [], []), 'schedulers must be a non-empty array of schedules, got []'],
    ['not an array', (o: Optimizer) => new SequentialLR(o, 'StepLR' as never, []), 'schedulers must be a non-empty array of schedules, got "StepLR"'],
    ['not a schedule', (o: Optimizer) => new SequentialLR(o, [new StepLR(o, 2), {} as never], [2]), 'schedulers[1] must be an epoch schedule (StepLR, LinearLR, …), got an object {}'],
    ['ReduceLROnPlateau', (o: Optimizer) => new SequentialLR(o, [new ReduceLROnPlateau(o) as never], []), 'schedulers[0] must be an epoch schedule (StepLR, LinearLR, …), got an object'],
    ['milestones not an array', (o: Optimizer) => new SequentialLR(o, [new StepLR(o, 2), new StepLR(o, 3)], 3 as never), 'expected 1 milestones (one fewer than the 2 schedules), got 3'],
    ['too many milestones', (o: Optimizer) => new SequentialLR(o, [new StepLR(o, 2), new StepLR(o, 3)], [2, 4]), 'expected 1 milestones (one fewer than the 2 schedules), got [2, 4]'],
    ['milestone 0', (o: Optimizer) => new SequentialLR(o, [new StepLR(o, 2), new StepLR(o, 3)], [0]), 'milestones[0] must be a positive integer, got 0'],
    ['milestone 2.5', (o: Optimizer) => new SequentialLR(o, [new StepLR(o, 2), new StepLR(o, 3), new StepLR(o, 4)], [2, 2.5]), 'milestones[1] must be a positive integer, got 2.5'],
    ['decreasing', (o: Optimizer) => new SequentialLR(o, [new StepLR(o, 2), new StepLR(o, 3), new StepLR(o, 4)], [5, 3]), 'milestones must increase, got [5, 3]'],
    ['repeated', (o: Optimizer) => new SequentialLR(o, [new StepLR(o, 2), new StepLR(o, 3), new StepLR(o, 4)], [3, 3]), 'milestones must increase, got [3, 3]'],
    ['decreasing later', (o: Optimizer) => new SequentialLR(o, [new StepLR(o, 2), new StepLR(o, 3), new StepLR(o, 4), new StepLR(o, 5)], [2, 6, 4]), 'milestones must increase, got [2, 6, 4]'],
  ])('%s', (_name, make, message) => {
    const o = twoGroups();
    expect(() => make(o)).toThrow(message.endsWith('an object') ? new RegExp(`^SequentialLR: ${message.replace(/[()[\]]/g, '\\$&')}`) : escape(`SequentialLR: ${message}`));
  });

  it('accepts increasing milestones, and keeps its own copy of them', () => {
    const o = twoGroups();
    const milestones = [3, 6];
    const s = new SequentialLR(o, [new LinearLR(o, { startFactor: 0.5, totalIters: 3 }), new ExponentialLR(o, 0.9), new StepLR(o, 2, 0.5)], milestones);
    milestones[0] = 100;
    expect(s.milestones).toEqual([3, 6]);
    expect(s.stateDict().milestones).toEqual([3, 6]);
  });

  it('a milestone changed to a bad value after construction is refused at the next step', () => {
    const s = threeStage(twoGroups());
    s.milestones[1] = 2;
    expect(() => s.step()).toThrow(/^SequentialLR: milestones must increase, got \[3, 2\]$/);
  });
});

describe('SequentialLR state dicts', () => {
  function saved(steps: number) {
    const o = twoGroups();
    const s = threeStage(o);
    for (let k = 0; k < steps; k++) s.step();
    return { o, s, dict: JSON.parse(JSON.stringify(s.stateDict())) };
  }

  it('hold the last lrs, the milestones and each schedule\'s state; a fresh schedule loaded from one continues identically', () => {
    const a = saved(4);
    expect(a.dict.lastLr).toEqual(lrs(a.o));
    expect(a.dict.lastEpoch).toBe(4);
    expect(a.dict.milestones).toEqual([3, 6]);
    expect(a.dict.schedulers).toEqual(a.s.schedulers.map((x) => JSON.parse(JSON.stringify(x.stateDict()))));
    const b = twoGroups();
    const sb = threeStage(b);
    sb.loadStateDict(a.dict);
    expect(sb.getLastLr()).toEqual(a.dict.lastLr);
    expect(sb.stateDict()).toEqual(a.dict);
    b.paramGroups.forEach((g, i) => (g.lr = a.o.paramGroups[i].lr));
    for (let k = 0; k < 6; k++) {
      a.s.step();
      sb.step();
      expect(lrs(b)).toEqual(lrs(a.o));
    }
  });

  it.each([
    ['schedulers not an array', { schedulers: 3 }, 'SequentialLR.loadStateDict: expected 3 schedule state dicts, got 3'],
    ['too few schedulers', { schedulers: [] }, 'SequentialLR.loadStateDict: expected 3 schedule state dicts, got []'],
    ['lastEpoch', { lastEpoch: 1.5 }, 'SequentialLR.loadStateDict: lastEpoch must be an integer, got 1.5'],
    ['lastLr too short', { lastLr: [0.1] }, 'SequentialLR.loadStateDict: lastLr must hold one number per param group (2), got [0.1]'],
    ['lastLr not numbers', { lastLr: [0.1, '0.02'] }, 'SequentialLR.loadStateDict: lastLr must hold one number per param group (2), got [0.1, "0.02"]'],
    ['lastLr not an array', { lastLr: 0.1 }, 'SequentialLR.loadStateDict: lastLr must hold one number per param group (2), got 0.1'],
    ['extra key', { extra: 1 }, 'SequentialLR.loadStateDict: state dict keys do not match; unexpected extra'],
    ['milestones too many', { milestones: [3, 6, 9] }, 'SequentialLR: expected 2 milestones (one fewer than the 3 schedules), got [3, 6, 9]'],
    ['milestones not an array', { milestones: 3 }, 'SequentialLR: expected 2 milestones (one fewer than the 3 schedules), got 3'],
    ['milestones decreasing', { milestones: [6, 3] }, 'SequentialLR: milestones must increase, got [6, 3]'],
  ])('a bad state dict (%s) is refused and leaves every schedule as it was', (_name, change, message) => {
    const { s } = saved(4);
    const other = saved(7).dict; // loading it would change every schedule
    const before = JSON.parse(JSON.stringify(s.stateDict()));
    expect(() => s.loadStateDict({ ...other, ...change })).toThrow(escape(message));
    expect(s.stateDict()).toEqual(before);
    expect(s.getLastLr()).toEqual(before.lastLr);
  });

  it('a bad state dict of a later schedule is refused after the earlier ones loaded: they are restored', () => {
    const { s } = saved(4);
    const other = saved(7).dict;
    const before = JSON.parse(JSON.stringify(s.stateDict()));
    other.schedulers[2].gamma = -1;
    expect(() => s.loadStateDict(other)).toThrow(/^StepLR: gamma must be a finite number > 0, got -1$/);
    expect(s.stateDict()).toEqual(before);
    other.schedulers[2] = { nonsense: true };
    expect(() => s.loadStateDict(other)).toThrow(/^StepLR\.loadStateDict: state dict keys do not match: missing lastEpoch/);
    expect(s.stateDict()).toEqual(before);
  });
});
