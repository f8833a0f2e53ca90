// Tensor gradient hooks (Tensor.registerHook): PyTorch's semantics, values checked against PyTorch 1.13.
import { describe, expect, it } from 'vitest';
import { ConvgradError, grad, pow, tensor, type Tensor } from '../src/index.ts';

const vals = (t: Tensor | null) => Array.from(t!.data);

describe('Tensor.registerHook', () => {
  it('a leaf hook sees the gradient and its return value is what backward() accumulates', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const seen: number[][] = [];
    x.registerHook((g) => { seen.push(vals(g)); return g.mul(2); });
    pow(x, 3).sum().backward(); // torch: x.grad = 2·3x² = [6, 24]
    expect(seen).toEqual([[3, 12]]);
    expect(vals(x.grad)).toEqual([6, 24]);
  });

  it('a non-leaf hook gets the summed gradient once and replaces what flows to the inputs', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const t = x.mul(x);
    let calls = 0;
    t.registerHook((g) => { calls++; expect(vals(g)).toEqual([2, 2]); return g.mul(3); });
    t.add(t).sum().backward(); // t is used twice: one call with 1 + 1
    expect(calls).toBe(1);
    expect(vals(x.grad)).toEqual([12, 24]); // 3·2·2x
  });

  it('retainGrad keeps the hooked gradient; the root tensor\'s own hook sees the seed', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const t = x.mul(x).retainGrad();
    t.registerHook((g) => g.mul(3));
    const r = t.sum();
    r.registerHook((g) => g.mul(5));
    r.backward();
    expect(vals(t.grad)).toEqual([15, 15]);
    expect(vals(x.grad)).toEqual([30, 60]);
  });

  it('returning nothing leaves the gradient; hooks run in registration order, each on the previous result', () => {
    const x = tensor([1], undefined, { requiresGrad: true });
    const order: string[] = [];
    x.registerHook(() => { order.push('a'); });
    x.registerHook((g) => { order.push('b'); return g.add(1); });
    x.registerHook((g) => { order.push(`c${g.item()}`); return g.mul(10); });
    x.mul(4).sum().backward();
    expect(order).toEqual(['a', 'b', 'c5']);
    expect(x.grad!.item()).toBe(50);
  });

  it('remove() stops the hook (and is idempotent)', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const h = x.registerHook((g) => g.mul(0));
    h.remove();
    h.remove();
    x.sum().backward();
    expect(vals(x.grad)).toEqual([1, 1]);
  });

  it('grad() applies non-leaf hooks on the way but returns inputs\' gradients before their own hooks (as PyTorch)', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const t = x.mul(x);
    t.registerHook((g) => g.mul(3));
    const leafCalls: number[] = [];
    x.registerHook((g) => { leafCalls.push(g.item()); return g.mul(100); });
    const [gx, gt] = grad(t.sum(), [x, t]);
    expect(vals(gt)).toEqual([1, 1]); // torch.autograd.grad(t.sum(), t) = ones even with t's hook
    expect(vals(gx)).toEqual([6, 12]); // t's hook applied on the way to x
    expect(leafCalls).toEqual([]); // x's hook guards .grad only
    expect(x.grad).toBeNull();
  });

  it('createGraph: a hook\'s computation is part of the second-order graph', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const s = tensor(3, undefined, { requiresGrad: true });
    const t = x.mul(x);
    let recorded = false;
    t.registerHook((g) => { const r = g.mul(s); recorded = r.requiresGrad; return r; });
    const [gx] = grad(t.sum(), [x], { createGraph: true }); // gx = s·2x
    expect(recorded).toBe(true);
    expect(vals(gx)).toEqual([6, 12]);
    const [gxx, gs] = grad(gx.sum(), [x, s]);
    expect(vals(gxx)).toEqual([6, 6]); // d(Σ 2·s·x)/dx = 2s
    expect(gs.item()).toBe(6); // d(Σ 2·s·x)/ds = 2·Σx
  });

  it('backward(createGraph) runs leaf hooks in both passes (torch: x.grad = 2·3x², then 2·6x added)', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    x.registerHook((g) => g.mul(2));
    pow(x, 3).sum().backward(undefined, { createGraph: true });
    const g1 = x.grad!;
    expect(vals(g1)).toEqual([6, 24]);
    expect(g1.requiresGrad).toBe(true);
    x.grad = null;
    g1.sum().backward();
    expect(vals(x.grad)).toEqual([24, 48]); // hook doubles d(Σ6x²)/dx = 12x
  });

  it('rejects a tensor without grad, a non-function, and hooks that return the wrong shape, dtype or type', () => {
    expect(() => tensor([1]).registerHook(() => {})).toThrow(/^registerHook: cannot register a hook on Tensor\(shape=\[1\]/);
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    expect(() => x.registerHook(3 as never)).toThrow(ConvgradError);
    const bad = (r: unknown, msg: RegExp) => {
      const y = tensor([1, 2], undefined, { requiresGrad: true });
      y.registerHook(() => r as Tensor);
      expect(() => y.sum().backward()).toThrow(msg);
    };
    bad(tensor([1, 2, 3]), /^registerHook: a gradient hook returned shape \[3\] for a gradient of shape \[2\]/);
    bad(tensor([1, 2], undefined, { dtype: 'float64' }), /returned float64 for a float32 gradient/);
    bad(7, /must return a Tensor or nothing, got number/);
  });
});
