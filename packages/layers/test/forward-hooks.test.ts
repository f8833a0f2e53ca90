// Module forward hooks and pre-hooks (PyTorch's register_forward_hook / register_forward_pre_hook).
import { describe, expect, it } from 'vitest';
import { ConvgradError, grad, tensor, type Tensor } from '@convgrad/core';
import { Linear, Module, ReLU, Sequential } from '../src/index.ts';

const vals = (t: Tensor) => Array.from(t.data);

class Add extends Module<[Tensor, Tensor]> {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.add(b);
  }
}

describe('registerForwardHook', () => {
  it('sees the module, its inputs and its output, on every call, in registration order', () => {
    const relu = new ReLU();
    const net = new Sequential(new Linear(2, 2, { seed: 1 }), relu);
    const calls: Array<[Module, number[], number[]]> = [];
    relu.registerForwardHook((m, [x], y) => { calls.push([m, vals(x), vals(y)]); });
    const out = net.call(tensor([[1, -1]]));
    net.call(tensor([[2, 0]]));
    expect(calls.length).toBe(2);
    expect(calls[0][0]).toBe(relu);
    expect(calls[0][2]).toEqual(vals(out));
    expect(calls[0][1].map((v) => Math.max(v, 0))).toEqual(calls[0][2]);
  });

  it('a returned value replaces the output (later hooks see it), and gradients flow through it', () => {
    const lin = new Linear(2, 1, { seed: 1 });
    const seen: number[] = [];
    lin.registerForwardHook((_m, _in, y) => y.mul(2));
    lin.registerForwardHook((_m, _in, y) => { seen.push(y.item()); });
    const x = tensor([[1, 2]]);
    const plain = x.matmul(lin.weight.transpose(0, 1)).add(lin.bias!).item();
    const y = lin.call(x);
    expect(y.item()).toBeCloseTo(2 * plain, 5);
    expect(seen).toEqual([y.item()]);
    y.backward();
    expect(vals(lin.weight.grad!)).toEqual([2, 4]); // d(2·(w·x + b))/dw = 2x
  });

  it('remove() detaches the hook; other hooks stay', () => {
    const relu = new ReLU();
    let a = 0, b = 0;
    const ha = relu.registerForwardHook(() => { a++; });
    relu.registerForwardHook(() => { b++; });
    relu.call(tensor([1]));
    ha.remove();
    ha.remove();
    relu.call(tensor([1]));
    expect([a, b]).toEqual([1, 2]);
  });

  it('second order: an output replaced by a hook is differentiated twice', () => {
    const m = new Sequential(new ReLU());
    m.registerForwardHook((_m, _in, y) => y.mul(y).mul(y)); // y³
    const x = tensor([2, 3], undefined, { requiresGrad: true });
    const [g] = grad(m.call(x).sum(), [x], { createGraph: true }); // 3x²
    expect(vals(g)).toEqual([12, 27]);
    const [gg] = grad(g.sum(), [x]); // 6x
    expect(vals(gg)).toEqual([12, 18]);
  });

  it('rejects a non-function', () => {
    expect(() => new ReLU().registerForwardHook(1 as never)).toThrow(ConvgradError);
    expect(() => new ReLU().registerForwardPreHook(null as never)).toThrow(/^registerForwardPreHook: the hook must be a function/);
  });
});

describe('registerForwardPreHook', () => {
  it('sees the inputs; a returned array replaces them, a single value becomes the only input', () => {
    const add = new Add();
    const seen: number[][] = [];
    add.registerForwardPreHook((_m, [a, b]) => { seen.push([a.item(), b.item()]); });
    const h = add.registerForwardPreHook((_m, [a, b]) => [a.mul(10), b]);
    expect(add.call(tensor(1), tensor(2)).item()).toBe(12);
    expect(seen).toEqual([[1, 2]]);
    h.remove();
    expect(add.call(tensor(1), tensor(2)).item()).toBe(3);
    const relu = new ReLU();
    relu.registerForwardPreHook((_m, [x]) => x.neg());
    expect(vals(relu.call(tensor([-1, 2])))).toEqual([1, 0]);
  });

  it('forward hooks get the inputs after the pre-hooks changed them', () => {
    const relu = new ReLU();
    relu.registerForwardPreHook(() => [tensor([5])]);
    let input = 0;
    relu.registerForwardHook((_m, [x]) => { input = x.item(); });
    expect(relu.call(tensor([-1])).item()).toBe(5);
    expect(input).toBe(5);
  });
});
