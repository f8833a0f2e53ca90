// Cases found by mutation testing of optim/optimizer.ts (the Optimizer base): the exact messages for bad
// options, parameters, groups and state dicts, where a group is named in a message, per-group settings
// checked at step(), and that state dicts copy (never alias) the optimizer's buffers.
import { describe, expect, it } from 'vitest';
import { Tensor, tensor } from '@convgrad/core';
import { Adam, SGD, type OptimizerStateDict } from '../src/index.ts';

const f64 = { dtype: 'float64' as const };
const leaf = (v: number[] = [1]) => tensor(v, undefined, { ...f64, requiresGrad: true });
const SGD_KNOWN = 'lr, momentum, dampening, nesterov, weightDecay, maximize';

/** An SGD with momentum over one parameter of two elements, stepped once (so it has a momentum buffer). */
function stepped(): { opt: SGD; p: Tensor } {
  const p = leaf([1, 2]);
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
  p.grad = tensor([0.5, -1], undefined, f64);
  opt.step();
  return { opt, p };
}

const bufferOf = (sd: OptimizerStateDict, i: number, name: string) => Array.from(sd.state[i].buffers[name].data);

describe('Optimizer constructor: options and parameters refused with the exact message', () => {
  const p = () => leaf();
  it.each<[string, () => unknown, string]>([
    ['options null', () => new SGD([p()], null as never), 'SGD: options must be an object, got null'],
    ['lr missing', () => new SGD([p()], {} as never), 'SGD: lr is required (e.g. new SGD(params, { lr: 0.01 })), got undefined'],
    ['unknown option', () => new SGD([p()], { lr: 1, foo: 1 } as never), `SGD: unknown option 'foo' (known: ${SGD_KNOWN})`],
    ['lr a string', () => new SGD([p()], { lr: '1' } as never), 'SGD: lr must be a finite number ≥ 0, got "1"'],
    ['momentum a string', () => new SGD([p()], { lr: 1, momentum: '0.5' } as never), 'SGD: momentum must be in [0, 1), got "0.5"'],
    ['nesterov not a boolean', () => new SGD([p()], { lr: 1, nesterov: 1 } as never), 'SGD: nesterov must be true or false, got 1'],
    ['betas not a pair', () => new Adam([p()], { betas: 0.9 } as never), 'Adam: betas must be a pair [β₁, β₂] of numbers in [0, 1), got 0.9'],
    ['betas of one', () => new Adam([p()], { betas: [0.9] } as never), 'Adam: betas must be a pair [β₁, β₂] of numbers in [0, 1), got [0.9]'],
    ['params a number', () => new SGD(5 as never, { lr: 1 }), 'SGD: params must be an iterable of tensors or of parameter groups { params, ... }, got 5'],
    ['params null', () => new SGD(null as never, { lr: 1 }), 'SGD: params must be an iterable of tensors or of parameter groups { params, ... }, got null'],
    ['params a string', () => new SGD('ab' as never, { lr: 1 }), 'SGD: params must be an iterable of tensors or of parameter groups { params, ... }, got "ab"'],
    ['params a plain object', () => new SGD({} as never, { lr: 1 }), 'SGD: params must be an iterable of tensors or of parameter groups { params, ... }, got an object {}'],
    ['a number in the list', () => new SGD([5] as never, { lr: 1 }), 'SGD: parameter 0 must be a Tensor, got 5'],
    ['null in the list', () => new SGD([null] as never, { lr: 1 }), 'SGD: parameter 0 must be a Tensor, got null'],
    ['a group after a tensor', () => new SGD([p(), { params: [p()] }] as never, { lr: 1 }), 'SGD: parameter 1 must be a Tensor, got an object'],
    ['a tensor after a group', () => new SGD([{ params: [p()] }, p()] as never, { lr: 1 }), 'SGD: parameter 0 must be a Tensor, got an object'],
    ['an empty list', () => new SGD([], { lr: 1 }), 'SGD: got an empty parameter list'],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('addParamGroup', () => {
  const opt = () => new SGD([leaf()], { lr: 0.1 });
  it.each<[string, unknown, string]>([
    ['null', null, 'SGD: param group 1 must be an object { params, ...settings }, got null'],
    ['a number', 3, 'SGD: param group 1 must be an object { params, ...settings }, got 3'],
    ['no params', { lr: 1 }, 'SGD: param group 1 must be an object { params, ...settings }, got an object {"lr":1}'],
    ['params a number', { params: 5 }, 'SGD: param group 1 params must be an iterable of tensors, got 5'],
    ['an unknown setting', { params: [leaf()], foo: 1 }, `SGD: unknown param group 1 setting 'foo' (known: ${SGD_KNOWN}, initialLr)`],
    ['a negative initialLr', { params: [leaf()], initialLr: -1 }, 'SGD: param group 1 initialLr must be a finite number ≥ 0, got -1'],
  ])('refuses %s', (_, group, message) => {
    const o = opt();
    expect(() => o.addParamGroup(group as never)).toThrow(message);
    expect(o.paramGroups).toHaveLength(1);
  });

  it('keeps a given initialLr (and saves it), and sets none otherwise', () => {
    const o = opt();
    o.addParamGroup({ params: [leaf()], initialLr: 0.3 });
    o.addParamGroup({ params: [leaf()], lr: 0.2 });
    expect(o.paramGroups[1].initialLr).toBe(0.3);
    expect('initialLr' in o.paramGroups[2]).toBe(false);
    expect(o.stateDict().paramGroups[1].initialLr).toBe(0.3);
    expect(o.paramGroups[2].lr).toBe(0.2);
  });
});

describe('step() checks every group first, naming the group only when there are several', () => {
  it('one group: the setting alone', () => {
    const p = leaf();
    const opt = new SGD([p], { lr: 0.1 });
    p.grad = tensor([1], undefined, f64);
    opt.lr = NaN;
    expect(() => opt.step()).toThrow('SGD: lr must be a finite number ≥ 0, got NaN');
    expect(Array.from(p.data)).toEqual([1]);
  });

  it('several groups: "param group i" before the setting', () => {
    const [a, b] = [leaf(), leaf()];
    const opt = new SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    opt.paramGroups[1].lr = -1;
    expect(() => opt.step()).toThrow('SGD: param group 1 lr must be a finite number ≥ 0, got -1');
    opt.paramGroups[1].lr = 0.1;
    opt.paramGroups[1].nesterov = true; // without momentum
    expect(() => opt.step()).toThrow('SGD: param group 1: Nesterov momentum requires momentum > 0 and dampening = 0, got momentum 0 and dampening 0');
  });
});

describe('state dicts copy the buffers both ways', () => {
  it('stateDict() returns copies: changing them changes nothing', () => {
    const { opt } = stepped();
    const sd = opt.stateDict();
    const before = bufferOf(sd, 0, 'momentumBuffer');
    sd.state[0].buffers.momentumBuffer.data[0] = 1e9;
    expect(bufferOf(opt.stateDict(), 0, 'momentumBuffer')).toEqual(before);
  });

  it('loadStateDict() copies: changing the dict afterwards changes nothing', () => {
    const { opt } = stepped();
    const sd = opt.stateDict();
    const before = bufferOf(sd, 0, 'momentumBuffer');
    const { opt: other } = stepped();
    other.loadStateDict(sd);
    sd.state[0].buffers.momentumBuffer.data[0] = 1e9;
    expect(bufferOf(other.stateDict(), 0, 'momentumBuffer')).toEqual(before);
  });

  it('restores a saved initialLr and accepts step 0', () => {
    const { opt } = stepped();
    const sd = opt.stateDict();
    sd.paramGroups[0].initialLr = 0.5;
    sd.state[0].step = 0;
    opt.loadStateDict(sd);
    expect(opt.paramGroups[0].initialLr).toBe(0.5);
    expect(opt.stateDict().state[0].step).toBe(0);
  });
});

describe('loadStateDict refuses a bad dict with the exact message, changing nothing', () => {
  type Edit = (sd: OptimizerStateDict, p: Tensor) => unknown;
  const cases: [string, Edit, string | RegExp][] = [
    ['null', () => null, 'SGD.loadStateDict: expected { state, paramGroups }, got null'],
    ['state a number', (sd) => ({ ...sd, state: 5 }), /^SGD\.loadStateDict: expected \{ state, paramGroups \}, got an object \{"state":5,/],
    ['state null', (sd) => ({ ...sd, state: null }), /^SGD\.loadStateDict: expected \{ state, paramGroups \}, got an object \{"state":null,/],
    ['group params not a list', (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], params: 'x' }] }), 'SGD.loadStateDict: parameter group 0 holds "x" parameters in the state dict, 1 here'],
    ['group params too many', (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], params: [0, 1] }] }), 'SGD.loadStateDict: parameter group 0 holds 2 parameters in the state dict, 1 here'],
    ['group params out of order', (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], params: [3] }] }), 'SGD.loadStateDict: parameter group 0 lists parameter index 3 at position 0, expected 0'],
    ['an unknown group setting', (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], foo: 1 }] }), `SGD: unknown state dict parameter group 0 setting 'foo' (known: ${SGD_KNOWN}, initialLr)`],
    ['initialLr Infinity', (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], initialLr: Infinity }] }), 'SGD.loadStateDict: parameter group 0 initialLr must be a finite number, got Infinity'],
    ['initialLr a string', (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], initialLr: 'x' }] }), 'SGD.loadStateDict: parameter group 0 initialLr must be a finite number, got "x"'],
    ['state index not a number', (sd) => ({ ...sd, state: { x: sd.state[0] } }), 'SGD.loadStateDict: state for parameter index x, but there are 1 parameters'],
    ['state index negative', (sd) => ({ ...sd, state: { '-1': sd.state[0] } }), 'SGD.loadStateDict: state for parameter index -1, but there are 1 parameters'],
    ['state index = the count', (sd) => ({ ...sd, state: { 1: sd.state[0] } }), 'SGD.loadStateDict: state for parameter index 1, but there are 1 parameters'],
    ['state index fractional', (sd) => ({ ...sd, state: { 0.5: sd.state[0] } }), 'SGD.loadStateDict: state for parameter index 0.5, but there are 1 parameters'],
    ['state entry null', (sd) => ({ ...sd, state: { 0: null } }), 'SGD.loadStateDict: state of parameter 0 needs a non-negative integer step, got undefined'],
    ['state entry a number', (sd) => ({ ...sd, state: { 0: 5 } }), 'SGD.loadStateDict: state of parameter 0 needs a non-negative integer step, got undefined'],
    ['step fractional', (sd) => ({ ...sd, state: { 0: { ...sd.state[0], step: 1.5 } } }), 'SGD.loadStateDict: state of parameter 0 needs a non-negative integer step, got 1.5'],
    ['step negative', (sd) => ({ ...sd, state: { 0: { ...sd.state[0], step: -1 } } }), 'SGD.loadStateDict: state of parameter 0 needs a non-negative integer step, got -1'],
    ['a buffer of the wrong size', (sd) => ({ ...sd, state: { 0: { step: 1, buffers: { momentumBuffer: tensor([1], undefined, f64) } } } }),
      /^SGD\.loadStateDict: state of parameter 0 buffer 'momentumBuffer' must be a float64 tensor of 2 elements like the parameter .*, got a tensor/],
    ['a buffer of the wrong dtype', (sd) => ({ ...sd, state: { 0: { step: 1, buffers: { momentumBuffer: tensor([1, 2], undefined, { dtype: 'float32' }) } } } }),
      /^SGD\.loadStateDict: state of parameter 0 buffer 'momentumBuffer' must be a float64 tensor of 2 elements like the parameter .*, got a tensor/],
  ];
  it.each(cases)('%s', (_, edit, message) => {
    const { opt, p } = stepped();
    const sd = opt.stateDict();
    const before = JSON.stringify(opt.stateDict(), (_k, v) => (v instanceof Tensor ? Array.from(v.data) : v));
    expect(() => opt.loadStateDict(edit(sd, p) as never)).toThrow(message);
    expect(JSON.stringify(opt.stateDict(), (_k, v) => (v instanceof Tensor ? Array.from(v.data) : v))).toBe(before);
  });

  it('expects the ids of a later group to continue the count', () => {
    const opt = new SGD([{ params: [leaf()] }, { params: [leaf(), leaf()] }], { lr: 0.1 });
    const sd = opt.stateDict();
    sd.paramGroups[1].params = [1, 5];
    expect(() => opt.loadStateDict(sd)).toThrow('SGD.loadStateDict: parameter group 1 lists parameter index 5 at position 1, expected 2');
  });

  it('names the buffers the optimizer keeps', () => {
    const p = leaf([1, 2]);
    const opt = new Adam([p]);
    const sd: OptimizerStateDict = { state: { 0: { step: 1, buffers: { foo: tensor([0, 0], undefined, f64) } } }, paramGroups: opt.stateDict().paramGroups };
    expect(() => opt.loadStateDict(sd)).toThrow("Adam.loadStateDict: state of parameter 0 has unknown buffer 'foo' (Adam keeps expAvg, expAvgSq, maxExpAvgSq)");
  });
});
