// ModuleList and Sequential: children by position, iteration, at(), append(), state-dict keys.
import { describe, expect, it } from 'vitest';
import { ConvgradError, tensor } from '@convgrad/core';
import { Linear, ModuleList, ReLU, Sequential } from '../src/index.ts';

describe('ModuleList', () => {
  it('registers children 0, 1, … (parameters and state dict included), iterates, indexes and appends', () => {
    const a = new Linear(2, 2, { seed: 1 }), b = new Linear(2, 1, { seed: 2 });
    const list = new ModuleList([a]).append(b);
    expect(list.length).toBe(2);
    expect([...list]).toEqual([a, b]);
    expect(list.at(-1)).toBe(b);
    expect(() => list.at(2)).toThrow(/^ModuleList\.at: index 2 out of range for 2 modules/);
    expect([...list.stateDict().keys()]).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect(list.numParameters()).toBe(6 + 3);
  });

  it('has no forward of its own', () => {
    expect(() => (new ModuleList() as unknown as { call(): unknown }).call()).toThrow(ConvgradError);
  });
});

describe('Sequential', () => {
  it('applies its layers in order and iterates them', () => {
    const s = new Sequential(new ReLU()).append(new Linear(2, 1, { seed: 3 }));
    expect([...s].map((m) => m.constructor.name)).toEqual(['ReLU', 'Linear']);
    const x = tensor([[-1, 2]]);
    expect(s.call(x).item()).toBeCloseTo(s.at(1).call(x.relu()).item(), 6);
    expect(() => s.at(-3)).toThrow(/^Sequential\.at: index -3 out of range for 2 modules/);
  });
});
