// An optimizer step changes parameters in place: a graph recorded before it must refuse to back-propagate
// (core's version counters), and loading a state dict counts as a change too.
import { describe, expect, it } from 'vitest';
import { mul, sum, tensor } from '@convgrad/core';
import { Adam, Linear, SGD } from '../src/index.ts';

describe('in-place parameter updates bump versions', () => {
  it.each([
    ['SGD', (p: ReturnType<typeof tensor>) => new SGD([p], { lr: 1 })],
    ['Adam', (p: ReturnType<typeof tensor>) => new Adam([p], { lr: 0.1 })],
  ] as const)("%s: w = [1, 2]; l = sum(w·w); step(); l.backward() throws (the issue's example)", (_name, make) => {
    const w = tensor([1, 2], undefined, { dtype: 'float64', requiresGrad: true });
    const opt = make(w);
    sum(mul(w, w)).backward(); // grad [2, 4]
    const l = sum(mul(w, w));
    opt.step();
    expect(w.version).toBe(1);
    expect(() => l.backward()).toThrow(/^backward: input 0 of mul .* was modified in place after mul used it \(version 1, saved at version 0\)/);
  });

  it('loadStateDict bumps the version of every tensor it overwrites', () => {
    const a = new Linear(2, 1, { seed: 1 }), b = new Linear(2, 1, { seed: 2 });
    const before = a.weight.version;
    a.loadStateDict(b.stateDict());
    expect(a.weight.version).toBe(before + 1);
  });
});
