// summary(): call order and depth, own parameters, modes and hooks restored, option and shape checks.
import { describe, expect, it } from 'vitest';
import { ConvgradError, type Tensor } from '@convgrad/core';
import { BatchNorm1d, Conv2d, Flatten, Linear, Module, ReLU, Sequential, summarize, summary } from '../src/index.ts';

class Head extends Module {
  scale = new Linear(6, 6, { seed: 1 });
  fc = new Linear(6, 3, { bias: false, seed: 2 });
  forward(x: Tensor): Tensor {
    return this.fc.call(this.scale.call(x).relu());
  }
}

class Net extends Module {
  features = new Sequential(new Conv2d(2, 3, 3, { stride: 2, padding: 1, seed: 3 }), new ReLU(), new Flatten());
  norm = new BatchNorm1d(48);
  head = new Head();
  squeeze = new Linear(48, 6, { seed: 4 });
  forward(x: Tensor): Tensor {
    return this.head.call(this.squeeze.call(this.norm.call(this.features.call(x))));
  }
}

describe('summary', () => {
  it('rows follow the calls (not the registration order), nested with depths; counts are exact', () => {
    const net = new Net();
    const s = summarize(net, [1, 2, 8, 8]);
    expect(s.rows.map((r) => [r.name, r.depth, r.outputShape, r.params, r.multAdds])).toEqual([
      ['features', 1, [1, 48], 0, 0],
      ['features.0', 2, [1, 3, 4, 4], 3 * 2 * 9 + 3, 3 * 4 * 4 * 2 * 9],
      ['features.1', 2, [1, 3, 4, 4], 0, 0],
      ['features.2', 2, [1, 48], 0, 0],
      ['norm', 1, [1, 48], 96, 0],
      ['squeeze', 1, [1, 6], 48 * 6 + 6, 48 * 6],
      ['head', 1, [1, 3], 0, 0],
      ['head.scale', 2, [1, 6], 42, 36],
      ['head.fc', 2, [1, 3], 18, 18],
    ]);
    expect(s.totalParams).toBe(57 + 96 + 294 + 42 + 18);
    expect(s.totalMultAdds).toBe(864 + 288 + 36 + 18);
    const text = summary(net, [1, 2, 8, 8]);
    expect(text).toMatch(/^ {2}head\.scale \(Linear\) +\[1, 6\] +42 +36$/m);
  });

  it('runs in eval mode without a graph (BatchNorm on a batch of 1), then restores modes and removes its hooks', () => {
    const net = new Net();
    net.head.eval(); // a mixed state must come back as it was
    const before = net.modules().map((m) => m.training);
    const first = summarize(net, [1, 2, 8, 8]);
    expect(net.modules().map((m) => m.training)).toEqual(before);
    expect(summarize(net, [1, 2, 8, 8]).rows.length).toBe(first.rows.length); // no hooks left from the first run
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('counts frozen parameters as non-trainable; logs through a function or not at all', () => {
    const net = new Sequential(new Linear(4, 2, { seed: 1 }), new Linear(2, 1, { seed: 2 }));
    net.at(0).parameters().forEach((p) => p.requiresGrad_(false));
    const logged: string[] = [];
    const text = summary(net, [5, 4], { log: (t) => logged.push(t) });
    expect(logged).toEqual([text]);
    expect(text).toContain('Trainable params: 3');
    expect(text).toContain('Non-trainable params: 10');
    expect(text).toContain('Total mult-adds: 50 (50)'); // 5·2·4 + 5·1·2
  });

  it('rejects bad shapes and unknown options; errors in the pass name the module', () => {
    const net = new Sequential(new Linear(4, 2, { seed: 1 }));
    expect(() => summary(net, [0, 4])).toThrow(/^summary: inputShape must be an array of positive integers/);
    expect(() => summary(net, 'x' as never)).toThrow(ConvgradError);
    expect(() => summary(net, [1, 4], { depth: 2 } as never)).toThrow(/^summary: unknown option 'depth'/);
    expect(() => summary(new Sequential(new ReLU(), net), [1, 3])).toThrow(/^1\.0 \(Linear\): Linear: /);
  });
});
