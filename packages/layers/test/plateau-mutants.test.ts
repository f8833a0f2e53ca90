// Cases found by mutation testing (`MUTATE_GROUP=optim pnpm mutate`) of ReduceLROnPlateau: the four
// improvement rules at and around their thresholds, the eps rule, the settings checks and the state dict
// (its checks, ±Infinity as a string, restore on failure). Expected values are PyTorch 1.13.1's
// (torch.optim.lr_scheduler.ReduceLROnPlateau; is_better, best and num_bad_epochs after each step).
import { describe, expect, it } from 'vitest';
import { tensor } from '@convgrad/core';
import { ReduceLROnPlateau, SGD, type Optimizer, type ReduceLROnPlateauOptions, type SchedulerStateDict } from '../src/index.ts';

function groups(...lrs: number[]): Optimizer {
  return new SGD(lrs.map((lr) => ({ params: [tensor([0], undefined, { requiresGrad: true })], lr })), { lr: lrs[0] });
}
const lrsOf = (o: Optimizer) => o.paramGroups.map((g) => g.lr);

describe('is the metric better? (first metric 4, threshold 0.5; torch: best and num_bad_epochs after the second step)', () => {
  // min/rel: better below 4·0.5 = 2; min/abs: below 3.5; max/rel: above 4·1.5 = 6; max/abs: above 4.5
  const table: [ReduceLROnPlateauOptions['mode'], ReduceLROnPlateauOptions['thresholdMode'], number, number, number][] = [
    ['min', 'rel', 2, 4, 1], ['min', 'rel', 1.9, 1.9, 0], ['min', 'rel', 3, 4, 1], ['min', 'rel', 3.4, 4, 1],
    ['min', 'abs', 2, 2, 0], ['min', 'abs', 3, 3, 0], ['min', 'abs', 3.4, 3.4, 0], ['min', 'abs', 3.5, 4, 1], ['min', 'abs', 3.6, 4, 1],
    ['max', 'rel', 6, 4, 1], ['max', 'rel', 6.1, 6.1, 0], ['max', 'rel', 5, 4, 1], ['max', 'rel', 4.6, 4, 1],
    ['max', 'abs', 6, 6, 0], ['max', 'abs', 5, 5, 0], ['max', 'abs', 4.6, 4.6, 0], ['max', 'abs', 4.5, 4, 1], ['max', 'abs', 4.4, 4, 1],
  ];
  it.each(table)('%s/%s: 4 then %s → best %s, %s bad epochs', (mode, thresholdMode, metric, best, bad) => {
    const s = new ReduceLROnPlateau(groups(1), { mode, thresholdMode, threshold: 0.5 });
    s.step(4);
    expect([s.best, s.numBadEpochs]).toEqual([4, 0]);
    s.step(metric);
    expect([s.best, s.numBadEpochs]).toEqual([best, bad]);
  });

  it('best starts at +Infinity (min) or -Infinity (max), and an infinite metric is no improvement on it', () => {
    const min = new ReduceLROnPlateau(groups(1), { thresholdMode: 'abs' });
    const max = new ReduceLROnPlateau(groups(1), { mode: 'max' });
    expect([min.best, max.best]).toEqual([Infinity, -Infinity]);
    min.step(Infinity);
    max.step(-Infinity);
    expect([min.best, min.numBadEpochs, max.best, max.numBadEpochs]).toEqual([Infinity, 1, -Infinity, 1]);
  });
});

describe('eps: a reduction of eps or less is skipped (torch: old_lr - new_lr > eps)', () => {
  it.each([
    // lrs, eps, lrs after the reduction (factor 0.5, patience 0, two equal metrics)
    [[1], 0.5, [1]],
    [[1], 0.4999, [0.5]],
    [[1, 0.25], 0.2, [0.5, 0.25]],
    [[1, 0.25], 0, [0.5, 0.125]],
  ])('lrs %j, eps %s → %j', (lrs, eps, after) => {
    const o = groups(...lrs);
    const s = new ReduceLROnPlateau(o, { factor: 0.5, patience: 0, eps });
    s.step(1);
    expect(lrsOf(o)).toEqual(lrs);
    s.step(1);
    expect(lrsOf(o)).toEqual(after);
    expect(s.getLastLr()).toEqual(after);
    expect(s.stateDict().lastLr).toEqual(after);
  });
});

describe('getLastLr', () => {
  it('is the optimizer’s lrs before the first step', () => {
    expect(new ReduceLROnPlateau(groups(0.1, 0.02)).getLastLr()).toEqual([0.1, 0.02]);
  });
});

describe('settings are refused naming the setting and the value', () => {
  const o = () => groups(0.1, 0.02);
  it.each<[string, () => unknown, string]>([
    ['not an optimizer', () => new ReduceLROnPlateau({ lr: 0.1 } as never), 'ReduceLROnPlateau: optimizer must be an Optimizer (SGD, Adam, …), got an object {"lr":0.1}'],
    ['minLr of the wrong length', () => new ReduceLROnPlateau(o(), { minLr: [0.01] }), 'ReduceLROnPlateau: expected 2 minLr values (one per param group), got 1'],
    ['mode', () => new ReduceLROnPlateau(o(), { mode: 'mean' as never }), 'ReduceLROnPlateau: mode must be \'min\' or \'max\', got "mean"'],
    ['thresholdMode', () => new ReduceLROnPlateau(o(), { thresholdMode: 'relative' as never }), 'ReduceLROnPlateau: thresholdMode must be \'rel\' or \'abs\', got "relative"'],
    ['patience -1', () => new ReduceLROnPlateau(o(), { patience: -1 }), 'ReduceLROnPlateau: patience must be an integer ≥ 0, got -1'],
    ['patience 1.5', () => new ReduceLROnPlateau(o(), { patience: 1.5 }), 'ReduceLROnPlateau: patience must be an integer ≥ 0, got 1.5'],
    ['cooldown -2', () => new ReduceLROnPlateau(o(), { cooldown: -2 }), 'ReduceLROnPlateau: cooldown must be an integer ≥ 0, got -2'],
    ['threshold', () => new ReduceLROnPlateau(o(), { threshold: -0.1 }), 'ReduceLROnPlateau: threshold must be a finite number ≥ 0, got -0.1'],
    ['eps', () => new ReduceLROnPlateau(o(), { eps: -1 }), 'ReduceLROnPlateau: eps must be a finite number ≥ 0, got -1'],
    ['minLr', () => new ReduceLROnPlateau(o(), { minLr: [0, -1] }), 'ReduceLROnPlateau: minLr[1] must be a finite number ≥ 0, got -1'],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(message);
  });

  it('patience 0, cooldown 0, threshold 0, eps 0 and minLr 0 are accepted', () => {
    const s = new ReduceLROnPlateau(o(), { patience: 0, cooldown: 0, threshold: 0, eps: 0, minLr: [0, 0] });
    expect([s.patience, s.cooldown, s.threshold, s.eps, s.minLrs]).toEqual([0, 0, 0, 0, [0, 0]]);
  });
});

describe('loadStateDict', () => {
  /** A schedule part-way: one reduction done, in cooldown, best 0.5. */
  const used = () => {
    const o = groups(0.1, 0.02);
    const s = new ReduceLROnPlateau(o, { patience: 1, cooldown: 2, factor: 0.5 });
    for (const m of [0.5, 0.6, 0.7, 0.8]) s.step(m);
    return { o, s };
  };

  it('round-trips through JSON, ±Infinity included', () => {
    const fresh = new ReduceLROnPlateau(groups(0.1, 0.02), { mode: 'max' });
    const d = JSON.parse(JSON.stringify(fresh.stateDict())) as SchedulerStateDict;
    expect(d.best).toBe('-Infinity');
    const t = new ReduceLROnPlateau(groups(0.1, 0.02), { mode: 'max' });
    t.step(3);
    t.loadStateDict(d);
    expect(t.best).toBe(-Infinity);
    expect(t.stateDict()).toEqual(fresh.stateDict());
    t.step(-1e300);
    expect(t.best).toBe(-1e300);

    const { s } = used();
    const u = new ReduceLROnPlateau(groups(0.1, 0.02));
    u.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
    expect(u.stateDict()).toEqual(s.stateDict());
    expect(u.best).toBe(0.5);
    expect(u.getLastLr()).toEqual([0.05, 0.01]);
  });

  it.each<[string, (d: SchedulerStateDict) => void, string]>([
    ['best null', (d) => (d.best = null), 'best must be a number, got null'],
    ['best true', (d) => (d.best = true), 'best must be a number, got true'],
    ['best a word', (d) => (d.best = 'abc'), 'best must be a number, got "abc"'],
    ['best NaN', (d) => (d.best = NaN), 'best must be a number, got NaN'],
    ['numBadEpochs -1', (d) => (d.numBadEpochs = -1), 'numBadEpochs must be an integer ≥ 0, got -1'],
    ['numBadEpochs 1.5', (d) => (d.numBadEpochs = 1.5), 'numBadEpochs must be an integer ≥ 0, got 1.5'],
    ['cooldownCounter a string', (d) => (d.cooldownCounter = '1'), 'cooldownCounter must be an integer ≥ 0, got "1"'],
    ['lastEpoch -3', (d) => (d.lastEpoch = -3), 'lastEpoch must be an integer ≥ 0, got -3'],
    ['lastLr too short', (d) => (d.lastLr = [0.1]), 'lastLr must hold one number per param group (2), got [0.1]'],
    ['lastLr a string', (d) => (d.lastLr = 'x'), 'lastLr must hold one number per param group (2), got "x"'],
    ['minLrs a number', (d) => (d.minLrs = 0.1), 'minLr must hold one number per param group, got 0.1'],
    ['minLrs too short', (d) => (d.minLrs = [0]), 'minLr must hold one number per param group, got [0]'],
    ['factor 2', (d) => (d.factor = 2), 'factor must be in (0, 1), got 2'],
    ['mode', (d) => (d.mode = 'up'), 'mode must be \'min\' or \'max\', got "up"'],
    ['missing key', (d) => delete d.eps, 'state dict keys do not match: missing eps'],
  ])('%s is refused and changes nothing', (_, spoil, message) => {
    for (const target of [used().s, new ReduceLROnPlateau(groups(0.1, 0.02))]) {
      const before = target.stateDict();
      const best = target.best;
      const d = used().s.stateDict();
      d.numBadEpochs = 1;
      spoil(d);
      // the settings are checked after the fields are set (and then restored): the message names the schedule only
      const op = /^(factor|mode|minLr) /.test(message) ? 'ReduceLROnPlateau' : 'ReduceLROnPlateau.loadStateDict';
      expect(() => target.loadStateDict(d)).toThrow(`${op}: ${message}`);
      expect(target.stateDict()).toEqual(before);
      expect(target.best).toBe(best);
    }
  });

  it('after a refused load the schedule still works as before (best stays a number)', () => {
    const a = new ReduceLROnPlateau(groups(1), { patience: 0, factor: 0.5 });
    const b = new ReduceLROnPlateau(groups(1), { patience: 0, factor: 0.5 });
    const d = a.stateDict();
    d.factor = 1.5;
    expect(() => b.loadStateDict(d)).toThrow('ReduceLROnPlateau: factor must be in (0, 1), got 1.5');
    expect(b.best).toBe(Infinity);
    for (const m of [3, 2, 2]) {
      a.step(m);
      b.step(m);
    }
    expect(b.stateDict()).toEqual(a.stateDict());
    expect(b.getLastLr()).toEqual([0.5]);
  });
});
