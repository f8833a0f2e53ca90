// OneCycleLR cases found by mutation testing (`MUTATE_GROUP=optim pnpm mutate`): its checks with their
// exact messages, phase boundaries and edge settings to the last bit against PyTorch 1.13.1
// (fixtures/schedules-mutants.json, fixtures/torch-reference.json), momentum cycling and state dicts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor } from '@convgrad/core';
import { Adam, OneCycleLR, Optimizer, SGD, type OneCycleLROptions, type ParamState, type ParamsInput } from '../src/index.ts';
import { REF } from './torch-reference.ts';

const TORCH = JSON.parse(readFileSync(new URL('./fixtures/schedules-mutants.json', import.meta.url), 'utf8'));

function twoGroups(kind: 'SGD' | 'Adam' = 'SGD'): Optimizer {
  const p = () => tensor([0], undefined, { requiresGrad: true });
  const groups = [{ params: [p()], lr: 0.1 }, { params: [p()], lr: 0.02 }];
  return kind === 'SGD' ? new SGD(groups, { lr: 0.1, momentum: 0.9 }) : new Adam(groups, { lr: 0.1 });
}
const momenta = (o: Optimizer) => o.paramGroups.map((g) => (g.betas ? (g.betas as readonly number[])[0] : (g.momentum as number)));

/** The lrs and momenta after construction and after each of `steps` steps. */
function run(o: Optimizer, s: OneCycleLR, steps: number): { lrs: number[][]; momentum: number[][] } {
  const out = { lrs: [o.paramGroups.map((g) => g.lr)], momentum: [momenta(o)] };
  for (let k = 0; k < steps; k++) {
    s.step();
    out.lrs.push(o.paramGroups.map((g) => g.lr));
    out.momentum.push(momenta(o));
  }
  return out;
}

/** An optimizer with neither momentum nor betas (a user's own, as in the README's extending section). */
class PlainSGD extends Optimizer {
  constructor(params: ParamsInput) {
    super(params, { lr: 0.1 }, 'PlainSGD', { lr: { default: undefined, check: () => {} } });
  }
  protected update(theta: Float64Array, grad: Float64Array, _s: ParamState, group: { lr: number }): void {
    for (let i = 0; i < theta.length; i++) theta[i] -= group.lr * grad[i];
  }
  protected bufferNames(): string[] {
    return [];
  }
}

describe('OneCycleLR matches PyTorch 1.13.1 to the last bit', () => {
  it('at the end of the warm-up phase (step 5 of 20) the lr is maxLr and the momentum baseMomentum, from the first phase', () => {
    const ref = TORCH.oneCycle['warm-up end'];
    const o = twoGroups();
    const got = run(o, new OneCycleLR(o, { maxLr: 0.9, totalSteps: 20, divFactor: 10, finalDivFactor: 1.5, baseMomentum: 0.3, maxMomentum: 0.95 }), 7);
    expect(got).toEqual({ lrs: ref.lrs, momentum: ref.momentum });
    expect(got.lrs[5]).toEqual([0.9, 0.9]);
    expect(got.momentum[5]).toEqual([0.3, 0.3]);
    // the second phase's start gives min + (max − min) ≠ max and 0.95 + (0.3 − 0.95) ≠ 0.3
    expect(0.9 / 10 / 1.5 + (0.9 - 0.9 / 10 / 1.5)).not.toBe(0.9);
    expect(0.95 + (0.3 - 0.95)).not.toBe(0.3);
  });

  it.each([
    ['pctStart 0', { maxLr: 0.3, totalSteps: 6, pctStart: 0 }, 6, 'SGD'],
    ['pctStart 1', { maxLr: 0.3, totalSteps: 6, pctStart: 1 }, 5, 'SGD'],
    ['three-phase cos Adam', { maxLr: 1, totalSteps: 10, pctStart: 0.25, threePhase: true }, 10, 'Adam'],
    ['momenta linear', { maxLr: 0.4, totalSteps: 8, annealStrategy: 'linear', baseMomentum: 0, maxMomentum: [0.5, 0.6] }, 7, 'SGD'],
  ] as const)('%s', (name, options, steps, kind) => {
    const ref = TORCH.oneCycle[name];
    const o = twoGroups(kind);
    const s = new OneCycleLR(o, options as OneCycleLROptions);
    const got = run(o, s, steps);
    expect(got.lrs).toEqual(ref.lrs.slice(0, steps + 1));
    expect(got.momentum).toEqual(ref.momentum.slice(0, steps + 1));
    expect(s.getLastLr()).toEqual(ref.lrs[steps]);
  });

  it('steps up to totalSteps (the step after the cycle, as PyTorch) and refuses the lr PyTorch cannot compute or sets negative', () => {
    const o = twoGroups();
    const s = new OneCycleLR(o, { maxLr: 0.3, totalSteps: 6, pctStart: 1 });
    run(o, s, 5);
    // PyTorch raises ZeroDivisionError here (the second phase has no steps)
    expect(TORCH.oneCycle['pctStart 1'].raises).toBe('ZeroDivisionError');
    expect(() => s.step()).toThrow(/^OneCycleLR: step to epoch 6 would set the lr of param group 0 to NaN/);
    expect(s.lastEpoch).toBe(5);
    const lin = twoGroups();
    const l = new OneCycleLR(lin, { maxLr: 0.4, totalSteps: 8, annealStrategy: 'linear', baseMomentum: 0, maxMomentum: [0.5, 0.6] });
    run(lin, l, 7);
    expect(TORCH.oneCycle['momenta linear'].lrs[8][0]).toBeLessThan(0);
    expect(() => l.step()).toThrow(/^OneCycleLR: step to epoch 8 would set the lr of param group 0 to -0\.0714/);
    expect(momenta(lin)).toEqual(TORCH.oneCycle['momenta linear'].momentum[7]);
  });

  it('sets each group\'s initialLr to maxLr/divFactor whatever the optimizer\'s lr was (PyTorch\'s initial_lr)', () => {
    const o = twoGroups();
    new OneCycleLR(o, { maxLr: [0.5, 0.25], totalSteps: 10, divFactor: 5 });
    expect(o.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
    expect(o.stateDict().paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
  });

  it('cycles SGD\'s momentum or Adam\'s β₁ (keeping β₂), and leaves them alone with cycleMomentum false', () => {
    const sgd = twoGroups();
    new OneCycleLR(sgd, { maxLr: 0.5, totalSteps: 10, maxMomentum: 0.9 });
    expect(momenta(sgd)).toEqual([0.9, 0.9]);
    const adam = twoGroups('Adam');
    new OneCycleLR(adam, { maxLr: 0.5, totalSteps: 10, maxMomentum: 0.8 });
    expect(adam.paramGroups.map((g) => g.betas)).toEqual([[0.8, 0.999], [0.8, 0.999]]);
    const off = twoGroups();
    const s = new OneCycleLR(off, { maxLr: 0.5, totalSteps: 10, cycleMomentum: false });
    s.step();
    expect(momenta(off)).toEqual([0.9, 0.9]);
    const plain = new PlainSGD([tensor([0], undefined, { requiresGrad: true })]);
    expect(() => new OneCycleLR(plain, { maxLr: 0.5, totalSteps: 10 })).toThrow(/^OneCycleLR: PlainSGD has no momentum or betas to cycle; pass cycleMomentum: false$/);
    const p = new OneCycleLR(plain, { maxLr: 0.5, totalSteps: 10, cycleMomentum: false });
    p.step();
    expect(plain.lr).toBe(p.getLastLr()[0]);
  });
});

describe('OneCycleLR checks its settings, naming the setting and the value', () => {
  const base = { maxLr: 0.5, totalSteps: 10 };
  it.each([
    [{ maxLr: 1, epochs: 2 }, 'give totalSteps, or epochs and stepsPerEpoch (got totalSteps undefined, epochs 2, stepsPerEpoch undefined)'],
    [{ maxLr: 1, stepsPerEpoch: 2 }, 'give totalSteps, or epochs and stepsPerEpoch (got totalSteps undefined, epochs undefined, stepsPerEpoch 2)'],
    [{ maxLr: 1, epochs: 0, stepsPerEpoch: 2 }, 'epochs must be a positive integer, got 0'],
    [{ maxLr: 1, epochs: 2, stepsPerEpoch: 2.5 }, 'stepsPerEpoch must be a positive integer, got 2.5'],
    [{ ...base, totalSteps: -3 }, 'totalSteps must be a positive integer, got -3'],
    [{ ...base, maxMomentum: [0.9] }, 'expected 2 values for maxMomentum (one per param group), got 1'],
    [{ ...base, baseMomentum: [0.8, 0.8, 0.8] }, 'expected 2 values for baseMomentum (one per param group), got 3'],
    [{ ...base, maxLr: '0.5' }, 'maxLr must be a number or one number per param group, got "0.5"'],
    [{ totalSteps: 10 }, 'maxLr must be a number or one number per param group, got undefined'],
    [{ ...base, pctStart: -0.1 }, 'pctStart must be in [0, 1], got -0.1'],
    [{ ...base, pctStart: 1.5 }, 'pctStart must be in [0, 1], got 1.5'],
    [{ ...base, annealStrategy: 'exp' }, 'annealStrategy must be \'cos\' or \'linear\', got "exp"'],
    [{ ...base, cycleMomentum: 1 }, 'cycleMomentum must be true or false, got 1'],
    [{ ...base, threePhase: 'yes' }, 'threePhase must be true or false, got "yes"'],
    [{ ...base, divFactor: 0 }, 'divFactor must be a finite number > 0, got 0'],
    [{ ...base, finalDivFactor: Infinity }, 'finalDivFactor must be a finite number > 0, got Infinity'],
    [{ ...base, maxLr: [0.5, -1] }, 'maxLrs[1] must be a finite number > 0, got -1'],
    [{ ...base, maxMomentum: [0.9, 1] }, 'maxMomentums[1] must be in [0, 1), got 1'],
    [{ ...base, baseMomentum: -0.1 }, 'baseMomentums[0] must be in [0, 1), got -0.1'],
    [{ ...base, warmup: 3 }, 'unknown option \'warmup\''],
  ])('%j', (options, message) => {
    expect(() => new OneCycleLR(twoGroups(), options as never)).toThrow(`OneCycleLR: ${message}`);
    expect(() => new OneCycleLR(twoGroups(), options as never)).toThrow(new RegExp(`^OneCycleLR: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('accepts the boundary values: baseMomentum 0, pctStart 0 and 1, and the options given per group', () => {
    const o = twoGroups();
    const s = new OneCycleLR(o, { maxLr: [0.5, 0.2], totalSteps: 10, baseMomentum: [0, 0.5], maxMomentum: [0.9, 0.95], pctStart: 0.5 });
    expect(s.baseMomentums).toEqual([0, 0.5]);
    expect(s.maxMomentums).toEqual([0.9, 0.95]);
    expect(s.maxLrs).toEqual([0.5, 0.2]);
  });

  it('refuses a state dict whose per-group lists or momenta are wrong, leaving the schedule unchanged', () => {
    const s = new OneCycleLR(twoGroups(), { maxLr: 0.5, totalSteps: 10 });
    s.step();
    const before = s.stateDict();
    for (const [change, message] of [
      [{ maxLrs: [0.5] }, 'maxLrs must hold one number per param group (2), got [0.5]'],
      [{ initialLrs: 0.02 }, 'initialLrs must hold one number per param group (2), got 0.02'],
      [{ minLrs: [1, 2, 3] }, 'minLrs must hold one number per param group (2), got [1, 2, 3]'],
      [{ minLrs: [1, 0] }, 'minLrs[1] must be a finite number > 0, got 0'],
      [{ maxMomentums: [0.9] }, 'maxMomentums must hold one number per param group (2), got [0.9]'],
      [{ baseMomentums: 0.85 }, 'baseMomentums must hold one number per param group (2), got 0.85'],
      [{ baseMomentums: [0.85, 1.2] }, 'baseMomentums[1] must be in [0, 1), got 1.2'],
      [{ totalSteps: 0 }, 'totalSteps must be a positive integer, got 0'],
    ] as const) {
      expect(() => s.loadStateDict({ ...before, ...change })).toThrow(new RegExp(`^OneCycleLR: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      expect(s.stateDict()).toEqual(before);
    }
  });

  it('a state dict holds every setting: loaded into a schedule built otherwise, it continues as the saved one', () => {
    const a = twoGroups('Adam');
    const sa = new OneCycleLR(a, { maxLr: [1, 0.1], totalSteps: 12, pctStart: 0.4, annealStrategy: 'linear', threePhase: true, divFactor: 10, finalDivFactor: 100, baseMomentum: 0.8, maxMomentum: 0.9 });
    for (let k = 0; k < 3; k++) sa.step();
    const saved = JSON.parse(JSON.stringify(sa.stateDict()));
    expect(Object.keys(saved).sort()).toEqual(['annealStrategy', 'baseLrs', 'baseMomentums', 'cycleMomentum', 'divFactor', 'finalDivFactor', 'initialLrs', 'lastEpoch', 'lastLr', 'maxLrs', 'maxMomentums', 'minLrs', 'pctStart', 'stepCount', 'threePhase', 'totalSteps', 'useBeta1']);
    const b = twoGroups('Adam');
    const sb = new OneCycleLR(b, { maxLr: 0.3, totalSteps: 40 });
    sb.loadStateDict(saved);
    expect(sb.stateDict()).toEqual(saved);
    for (let k = 3; k < 11; k++) {
      sa.step();
      sb.step();
      expect(b.paramGroups.map((g) => [g.lr, g.betas])).toEqual(a.paramGroups.map((g) => [g.lr, g.betas]));
    }
  });
});
