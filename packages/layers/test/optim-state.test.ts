// Optimizer state dicts (resume continues identically; bad dicts refused, nothing changed), parameter
// groups (addParamGroup, defaults, per-group settings), gradient clipping edge cases.
import { describe, expect, it } from 'vitest';
import { Tensor, tensor } from '@convgrad/core';
import { Adam, AdamW, clipGradNorm, clipGradValue, SGD, type Optimizer } from '../src/index.ts';

const f64 = { dtype: 'float64' as const };
const leaf = (v: number[]) => tensor(v, undefined, { ...f64, requiresGrad: true });

/** Sets grad = 2·θ + k (a deterministic gradient that changes with θ and the step). */
function grads(params: Tensor[], k: number): void {
  for (const p of params) p.grad = new Tensor(Float64Array.from(p.data, (v) => 2 * v + k), p.shape);
}

/** A state dict as JSON, tensors as their values (tensors carry unique ids, so compare values). */
const snapshot = (opt: Optimizer) => JSON.stringify(opt.stateDict(), (_k, v) => (v instanceof Tensor ? [v.shape, Array.from(v.data)] : v));

function run(opt: Optimizer, params: Tensor[], from: number, to: number): void {
  for (let k = from; k < to; k++) {
    grads(params, k);
    opt.step();
  }
}

describe('optimizer state dicts', () => {
  const makers: [string, (p: Tensor[]) => Optimizer][] = [
    ['SGD (momentum, Nesterov)', (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true })],
    ['Adam (amsgrad)', (p) => new Adam(p, { lr: 0.05, amsgrad: true, betas: [0.8, 0.5] })],
    ['AdamW (two groups)', (p) => new AdamW([{ params: [p[0]], lr: 0.02 }, { params: [p[1]], weightDecay: 0.3 }], { lr: 0.05 })],
  ];

  it.each(makers)('%s: a fresh optimizer loaded mid-run continues exactly as the original', (_name, make) => {
    const a = [leaf([1, -2, 3]), leaf([0.5, 0.25])];
    const optA = make(a);
    run(optA, a, 0, 3);
    const saved = optA.stateDict();
    const b = a.map((p) => leaf(Array.from(p.data)));
    const optB = make(b);
    optB.loadStateDict(saved);
    // the state dict is a copy: stepping A does not change what B loaded
    run(optA, a, 3, 6);
    run(optB, b, 3, 6);
    b.forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(a[i].data)));
    expect(snapshot(optB)).toBe(snapshot(optA));
  });

  it('uses PyTorch\'s layout: state by parameter index (step and buffers), groups with settings and indices', () => {
    const p = [leaf([1, 2]), leaf([3])];
    const opt = new Adam([{ params: [p[1]] }, { params: [p[0]], lr: 0.5 }], { lr: 0.1 });
    grads([p[1]], 1);
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0']); // p[1] is parameter 0 (group order); p[0] has no state yet
    expect(sd.state[0].step).toBe(1);
    expect(Object.keys(sd.state[0].buffers).sort()).toEqual(['expAvg', 'expAvgSq']);
    expect(sd.paramGroups).toEqual([
      { params: [0], lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
      { params: [1], lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
    ]);
  });

  it('refuses a state dict that does not fit, and changes nothing then', () => {
    const p = [leaf([1, 2]), leaf([3])];
    const opt = new SGD(p, { lr: 0.1, momentum: 0.9 });
    grads(p, 0);
    opt.step();
    const good = opt.stateDict();
    const before = snapshot(opt);
    const bad = (dict: unknown) => () => opt.loadStateDict(dict as never);
    expect(bad({ ...good, paramGroups: [...good.paramGroups, good.paramGroups[0]] })).toThrow(/^SGD\.loadStateDict: the state dict has 2 parameter groups, this optimizer 1/);
    expect(bad({ ...good, state: { 0: { step: 1, buffers: { momentumBuffer: tensor([1, 2, 3], undefined, f64) } } } })).toThrow(/buffer 'momentumBuffer' must be a float64 tensor of 2 elements/);
    expect(bad({ ...good, state: { 0: { step: 1, buffers: { expAvg: tensor([1, 2], undefined, f64) } } } })).toThrow(/unknown buffer 'expAvg' \(SGD keeps momentumBuffer\)/);
    expect(bad({ ...good, state: { 5: { step: 1, buffers: {} } } })).toThrow(/state for parameter index 5, but there are 2 parameters/);
    expect(bad({ ...good, paramGroups: [{ ...good.paramGroups[0], lr: NaN }] })).toThrow(/^SGD\.loadStateDict: parameter group 0 lr must be a finite number ≥ 0, got NaN/);
    expect(bad({ ...good, paramGroups: [{ ...good.paramGroups[0], betas: [0.9, 0.9] }] })).toThrow(/unknown state dict parameter group 0 setting 'betas'/);
    expect(bad(null)).toThrow(/expected \{ state, paramGroups \}, got null/);
    expect(snapshot(opt)).toBe(before);
  });
});

describe('parameter groups', () => {
  it('addParamGroup adds parameters with their own settings; the rest come from the defaults', () => {
    const a = leaf([1]), b = leaf([1]);
    const opt = new SGD([a], { lr: 0.1, momentum: 0.5 });
    opt.addParamGroup({ params: [b], lr: 0.01 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.01, momentum: 0.5, nesterov: false });
    grads([a, b], 0); // g = 2θ = 2
    opt.step();
    expect(a.data[0]).toBeCloseTo(1 - 0.1 * 2, 15);
    expect(b.data[0]).toBeCloseTo(1 - 0.01 * 2, 15);
    expect(opt.params).toEqual([a, b]);
    opt.lr = 0.3; // sets every group
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.3, 0.3]);
  });

  it('refuses a parameter in two groups, an empty group and unknown group settings', () => {
    const a = leaf([1]);
    const opt = new Adam([a]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/^Adam: param group 1 parameter 0 .* is already in another parameter group/);
    expect(() => opt.addParamGroup({ params: [] })).toThrow(/^Adam: param group 1 has an empty parameter list/);
    expect(() => opt.addParamGroup({ params: [leaf([2])], momentum: 0.9 })).toThrow(/^Adam: unknown param group 1 setting 'momentum'/);
    expect(() => new SGD([{ params: [leaf([1])], lr: -1 }], { lr: 0.1 })).toThrow(/^SGD: param group 0 lr must be a finite number ≥ 0, got -1/);
    expect(() => new SGD([{ params: [leaf([1])], nesterov: true, momentum: 0.9, dampening: 0.1 }], { lr: 0.1 })).toThrow(/^SGD: param group 0: Nesterov momentum requires momentum > 0 and dampening = 0, got momentum 0.9 and dampening 0.1/);
  });

  it('a bad setting in the second group is refused at step() before any group moves', () => {
    const a = leaf([1]), b = leaf([1]);
    const opt = new SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    opt.paramGroups[1].momentum = 1;
    grads([a, b], 0);
    expect(() => opt.step()).toThrow(/^SGD: param group 1 momentum must be in \[0, 1\), got 1/);
    expect([a.data[0], b.data[0]]).toEqual([1, 1]);
  });
});

describe('gradients that do not fit', () => {
  it('a gradient of another size or dtype is refused before any parameter moves', () => {
    const a = leaf([1, 2]), b = leaf([3]);
    const opt = new Adam([a, b], { lr: 0.1 });
    a.grad = tensor([1, 1], undefined, f64);
    b.grad = tensor([1, 1], undefined, f64);
    expect(() => opt.step()).toThrow(/^Adam: parameter 1 has a gradient of float64 with 2 elements, the parameter is float64 with 1 elements: they must match in dtype and size/);
    b.grad = tensor([1]); // float32
    expect(() => opt.step()).toThrow(/^Adam: parameter 1/);
    expect([...a.data, ...b.data]).toEqual([1, 2, 3]);
    expect(opt.stepCount).toBe(0);
  });
});

describe('gradient clipping', () => {
  const withGrad = (g: number[]) => {
    const p = leaf(g.map(() => 0));
    p.grad = tensor(g, undefined, f64);
    return p;
  };

  it('clipGradNorm scales by maxNorm/(total + 1e-6) only when the total is larger, and returns the total', () => {
    const p = [withGrad([3, 4]), withGrad([12])];
    expect(clipGradNorm(p, 100)).toBe(13);
    expect(Array.from(p[0].grad!.data)).toEqual([3, 4]);
    expect(clipGradNorm(p, 6.5)).toBe(13);
    const c = 6.5 / (13 + 1e-6);
    expect(Array.from(p[0].grad!.data)).toEqual([3 * c, 4 * c]);
    expect(clipGradNorm(p, 1, Infinity)).toBeCloseTo(12 * c, 12);
    expect(clipGradNorm([leaf([1])], 1)).toBe(0); // no gradients: total 0, nothing to scale
  });

  it('a non-finite total: NaN gradients as PyTorch, or an error with errorIfNonfinite', () => {
    const p = [withGrad([NaN, 1])];
    expect(() => clipGradNorm(p, 1, 2, { errorIfNonfinite: true })).toThrow(/^clipGradNorm: the total norm of order 2 of the gradients is NaN/);
    expect(Array.from(p[0].grad!.data)).toEqual([NaN, 1]);
    expect(clipGradNorm(p, 1)).toBeNaN();
    expect(Array.from(p[0].grad!.data)).toEqual([NaN, NaN]);
    expect(clipGradNorm([withGrad([Infinity, 1])], 1, Infinity)).toBe(Infinity);
    expect(() => clipGradNorm(p, 1, 2, { strict: true } as never)).toThrow(/^clipGradNorm: unknown option 'strict'/);
  });

  it('clipGradValue clamps every element to [−c, c]', () => {
    const p = withGrad([-5, 0.5, 7]);
    clipGradValue([p], 1);
    expect(Array.from(p.grad!.data)).toEqual([-1, 0.5, 1]);
    clipGradValue(p, 0);
    expect(Array.from(p.grad!.data)).toEqual([-0, 0, 0]);
  });
});
