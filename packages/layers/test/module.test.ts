// Module: registration (explicit and automatic), dotted names, train/eval, zeroGrad, state dicts.
import { describe, expect, it } from 'vitest';
import { randn, Tensor, tensor, zeros } from '@convgrad/core';
import { BatchNorm1d, Conv2d, Linear, Module, ReLU, Sequential } from '../src/index.ts';

class Block extends Module {
  fc = new Linear(3, 2, { seed: 1 });
  scale = randn([2], { seed: 2, requiresGrad: true });
  notAParam = zeros([2]); // a tensor that does not require grad is not picked up
  constructor() {
    super();
    this.registerBuffer('count', zeros([1]));
  }
  forward(x: Tensor): Tensor {
    return this.fc.call(x).mul(this.scale);
  }
}

class Net extends Module {
  features = new Sequential(new Linear(3, 3, { seed: 3 }), new ReLU(), new BatchNorm1d(3));
  head = new Block();
  forward(x: Tensor): Tensor {
    return this.head.call(this.features.call(x));
  }
}

describe('Module registration', () => {
  it('names parameters with dotted paths, each module\'s own before its children\'s (as PyTorch)', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'features.0.weight', 'features.0.bias', 'features.2.weight', 'features.2.bias',
      'head.scale', 'head.fc.weight', 'head.fc.bias',
    ]);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['features.2.running_mean', 'features.2.running_var', 'features.2.num_batches_tracked', 'head.count']);
    expect(net.numParameters()).toBe(3 * 3 + 3 + 3 + 3 + 3 * 2 + 2 + 2);
  });

  it('lists a parameter shared by two modules once', () => {
    const a = new Linear(2, 2, { seed: 1 });
    const net = new Sequential(a, a);
    expect(net.parameters()).toHaveLength(2);
    expect(net.parameters()[0]).toBe(a.weight);
  });

  it('replaces an entry when a registered field is reassigned', () => {
    const b = new Block();
    const replacement = new Linear(3, 2, { seed: 9 });
    b.fc = replacement;
    expect(b.namedParameters().find(([n]) => n === 'fc.weight')![1]).toBe(replacement.weight);
  });

  it('rejects names with dots and kind clashes', () => {
    const b = new Block();
    expect(() => b.registerParameter('a.b', zeros([1]))).toThrow(/registerParameter: invalid name 'a.b'/);
    expect(() => b.registerParameter('count', zeros([1]))).toThrow(/already registered as a buffer/);
  });

  it('train() and eval() reach every descendant', () => {
    const net = new Net();
    net.eval();
    expect(net.modules().map((m) => m.training)).toEqual(net.modules().map(() => false));
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
  });

  it('zeroGrad clears every gradient', () => {
    const net = new Net();
    net.call(randn([4, 3], { seed: 4 })).sum().backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });
});

describe('stateDict / loadStateDict', () => {
  it('round-trips parameters and buffers into a fresh module', () => {
    const a = new Net(), b = new Net();
    a.train().call(randn([5, 3], { seed: 5 })); // moves BatchNorm's running stats away from 0/1
    b.head.fc.weight.data.fill(0);
    const report = b.loadStateDict(a.stateDict());
    expect(report).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [k, v] of a.stateDict()) expect(Array.from(b.stateDict().get(k)!.data), k).toEqual(Array.from(v.data));
    const x = randn([2, 3], { seed: 6 });
    a.eval(); b.eval();
    expect(Array.from(b.call(x).data)).toEqual(Array.from(a.call(x).data));
  });

  it('copies in place, so references held by optimizers stay valid', () => {
    const a = new Linear(2, 2, { seed: 1 }), b = new Linear(2, 2, { seed: 2 });
    const w = b.weight;
    b.loadStateDict(a.stateDict());
    expect(b.weight).toBe(w);
    expect(Array.from(w.data)).toEqual(Array.from(a.weight.data));
  });

  it('rejects missing, unexpected, wrong-shape and wrong-dtype entries and leaves the module unchanged', () => {
    const m = new Conv2d(2, 3, 3, { seed: 1 });
    const before = [...m.stateDict()].map(([k, v]) => [k, Array.from(v.data)]);
    const good = new Conv2d(2, 3, 3, { seed: 2 }).stateDict();
    const cases: [Map<string, Tensor>, RegExp][] = [
      [new Map([['weight', good.get('weight')!]]), /missing keys: bias/],
      [new Map([...good, ['extra', zeros([1])]]), /unexpected keys: extra/],
      [new Map([...good, ['weight', zeros([3, 2, 3, 2])]]), /'weight' has shape \[3, 2, 3, 2\] but the module expects \[3, 2, 3, 3\]/],
      [new Map([...good, ['bias', zeros([3], { dtype: 'float64' })]]), /'bias' is float64 but the module's tensor is float32/],
    ];
    for (const [dict, message] of cases) {
      expect(() => m.loadStateDict(dict)).toThrow(message);
      expect([...m.stateDict()].map(([k, v]) => [k, Array.from(v.data)])).toEqual(before);
    }
  });

  it('non-strict loading reports missing and unexpected keys and loads the rest', () => {
    const m = new Linear(2, 1, { seed: 1 });
    const report = m.loadStateDict({ weight: tensor([[5, 6]]), other: zeros([1]) }, { strict: false });
    expect(report).toEqual({ missingKeys: ['bias'], unexpectedKeys: ['other'] });
    expect(Array.from(m.weight.data)).toEqual([5, 6]);
  });
});
