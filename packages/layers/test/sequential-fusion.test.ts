// Sequential runs Conv2d → MaxPool2d [→ ReLU] as one fused op (core conv2dMaxPool2d) in training mode:
// the same outputs and parameter gradients as the layers one by one, and the layers one by one wherever
// the fusion would hide something (eval mode, hooks, other padding modes, subclasses, a bad input's message).
import { afterEach, describe, expect, it } from 'vitest';
import { mul, randn, sum, type Tensor } from '@convgrad/core';
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../src/index.ts';

afterEach(() => { Sequential.fuseConvPool = true; });

const net = (convOptions = {}) => new Sequential(
  new Conv2d(2, 4, 3, { seed: 1, padding: 1, ...convOptions }), new MaxPool2d(2), new ReLU(),
  new Conv2d(4, 3, 3, { seed: 2, padding: 1 }), new MaxPool2d(2, { stride: 1 }), new BatchNorm2d(3),
  new Flatten(), new Linear(3 * 4 * 4, 2, { seed: 3 }), // 10 → 10 → 5 → 5 → 4
);

/** The output and the parameter gradients of Σ y·r, fused or not. */
function train(model: Sequential, fuse: boolean, x: Tensor): { y: number[]; grads: number[][]; ops: string[] } {
  Sequential.fuseConvPool = fuse;
  model.zeroGrad();
  const y = model.call(x);
  const ops: string[] = [];
  for (let t: Tensor | undefined = y; t?.gradFn; t = t.gradFn.inputs.find((u) => u.gradFn)) ops.push(t.gradFn.op);
  sum(mul(y, randn([...y.shape], { seed: 9 }))).backward();
  return { y: Array.from(y.data), grads: model.parameters().map((p) => Array.from(p.grad!.data)), ops };
}

const x = () => randn([3, 2, 10, 10], { seed: 4 });

describe('Sequential: Conv2d → MaxPool2d [→ ReLU] fused in training', () => {
  it('gives the layers\' outputs and gradients, with the fused node in the graph', () => {
    const model = net();
    const one = train(model, false, x()), fused = train(model, true, x());
    expect(fused.y).toEqual(one.y);
    fused.grads.forEach((g, i) => {
      g.forEach((v, j) => expect(Math.abs(v - one.grads[i][j]), `parameter ${i}[${j}]`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v))));
    });
    expect(one.ops).not.toContain('conv2dMaxPool2d');
    // conv 1, pool, ReLU: one node; conv 2 and its stride-1 pool: another (BatchNorm follows it, not a ReLU)
    expect(fused.ops.filter((op) => op === 'conv2dMaxPool2d')).toHaveLength(2);
    expect(fused.ops).not.toContain('relu');
  });

  /** [case, change, first conv's options, fused nodes left] */
  const unfused: [string, (m: Sequential) => void, Record<string, unknown>, number][] = [
    ['in eval mode', (m) => { m.eval(); }, {}, 0],
    ['with a forward hook on the conv', (m) => { m.at(0).registerForwardHook(() => undefined); }, {}, 1],
    ['with a forward pre-hook on the pool', (m) => { m.at(4).registerForwardPreHook(() => undefined); }, {}, 1],
    ['with a reflect-padded conv', () => undefined, { paddingMode: 'reflect' }, 1],
  ];
  it.each(unfused)('runs the layers one by one %s', (_, change, options, left) => {
    const model = net(options);
    change(model);
    const y = model.call(x());
    const ops: string[] = [];
    for (let t: Tensor | undefined = y; t?.gradFn; t = t.gradFn.inputs.find((u) => u.gradFn)) ops.push(t.gradFn.op);
    expect(ops.filter((op) => op === 'conv2dMaxPool2d')).toHaveLength(left);
    expect(ops.filter((op) => op === 'conv2d')).toHaveLength(2 - left);
    expect(y.requiresGrad).toBe(true); // eval mode still records the graph
  });

  it('leaves a subclass of Conv2d to its own forward', () => {
    class Doubled extends Conv2d {
      override forward(t: Tensor): Tensor {
        return mul(super.forward(t), 2);
      }
    }
    const plain = new Sequential(new Conv2d(2, 4, 3, { seed: 1 }), new MaxPool2d(2));
    const doubled = new Sequential(new Doubled(2, 4, 3, { seed: 1 }), new MaxPool2d(2));
    const a = plain.call(x()), b = doubled.call(x());
    expect(Array.from(b.data)).toEqual(Array.from(a.data, (v) => 2 * v));
  });

  it('a bad input is reported as by the layers one by one, naming the conv', () => {
    const model = net();
    const message = (fuse: boolean) => {
      Sequential.fuseConvPool = fuse;
      try {
        model.call(randn([1, 3, 10, 10]));
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(message(true)).toBe(message(false));
    expect(message(true)).toMatch(/^0 \(Conv2d\): conv2d: channel mismatch/);
  });
});
