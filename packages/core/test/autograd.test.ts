// The graph engine: accumulation over several paths, noGrad/enableGrad, grad() with gradOutputs,
// createGraph (Hessian-vector products) and allowUnused, retainGrad, .grad accumulation, deep graphs, toDot.
import { describe, it, expect } from 'vitest';
import { add, conv2d, enableGrad, grad, isGradEnabled, mul, noGrad, record, sum, tensor, toDot, topologicalOrder, type Tensor } from '../src/index.ts';

const f64 = (v: number[], requiresGrad = true) => tensor(v, undefined, { dtype: 'float64', requiresGrad });
const values = (t: Tensor | null) => Array.from(t!.data);

describe('backward', () => {
  it('a tensor used by several outputs gets every contribution', () => {
    // L = Σ 3x + Σ x² + Σ x·y → ∂L/∂x = 3 + 2x + y, ∂L/∂y = x
    const x = f64([1, -2, 0.5]), y = f64([4, 5, 6]);
    const L = add(add(sum(mul(x, 3)), sum(mul(x, x))), sum(mul(x, y)));
    L.backward();
    expect(values(x.grad)).toEqual([3 + 2 + 4, 3 - 4 + 5, 3 + 1 + 6]);
    expect(values(y.grad)).toEqual([1, -2, 0.5]);
  });

  it('a shared intermediate is differentiated once with the summed gradient (diamond graph)', () => {
    // h = 2x; L = Σ h·h + Σ h → ∂L/∂x = 2(2h + 1)
    const x = f64([1, 2]);
    const h = mul(x, 2);
    add(sum(mul(h, h)), sum(h)).backward();
    expect(values(x.grad)).toEqual([2 * (2 * 2 + 1), 2 * (2 * 4 + 1)]);
  });

  it('.grad accumulates over two backward calls', () => {
    const x = f64([1, 2, 3]);
    sum(mul(x, x)).backward();
    sum(mul(x, x)).backward();
    expect(values(x.grad)).toEqual([4, 8, 12]);
  });

  it('non-scalar outputs take a gradOutput', () => {
    const x = f64([1, 2, 3]);
    mul(x, x).backward(f64([1, 10, 100], false));
    expect(values(x.grad)).toEqual([2, 40, 600]);
  });

  it('retainGrad keeps the gradient of an intermediate; others are not kept', () => {
    const x = f64([1, -1]);
    const h = mul(x, 3).retainGrad();
    const k = mul(h, 2);
    sum(mul(k, k)).backward();
    // L = Σ (6x)² → ∂L/∂h = 2k·2 = 8h = 24x; ∂L/∂x = 72x
    expect(values(h.grad)).toEqual([24, -24]);
    expect(k.grad).toBeNull();
    expect(values(x.grad)).toEqual([72, -72]);
  });

  it('leaves that do not require grad get no gradient', () => {
    const x = f64([1, 2]), c = f64([5, 6], false);
    sum(mul(x, c)).backward();
    expect(c.grad).toBeNull();
    expect(values(x.grad)).toEqual([5, 6]);
  });

  it('a deep chain of 10 000 ops does not overflow the stack', () => {
    const x = f64([1, 2]);
    let y: Tensor = x;
    for (let i = 0; i < 10_000; i++) y = add(y, x);
    sum(y).backward(undefined, { retainGraph: true }); // toDot below walks the graph again
    expect(values(x.grad)).toEqual([10_001, 10_001]);
    expect(toDot(y).split('\n').filter((l) => l.includes('label="add')).length).toBe(10_000);
  });

  it('backward with createGraph makes x.grad differentiable', () => {
    const x = f64([2, 3]);
    sum(mul(mul(x, x), x)).backward(undefined, { createGraph: true }); // x.grad = 3x²
    expect(values(x.grad)).toEqual([12, 27]);
    const [h] = grad(sum(x.grad!), [x]); // ∂Σ3x²/∂x = 6x
    expect(values(h)).toEqual([12, 18]);
  });
});

describe('noGrad and enableGrad', () => {
  it('noGrad records nothing; enableGrad inside it records again', () => {
    const x = f64([1, 2]);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      const inner = enableGrad(() => mul(x, x));
      expect(inner.requiresGrad).toBe(true);
      expect(inner.gradFn?.op).toBe('mul');
      return mul(x, x);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(values(y)).toEqual([1, 4]);
  });

  it('restores recording when fn throws', () => {
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });
});

describe('grad()', () => {
  it('returns gradients without touching .grad', () => {
    const x = f64([1, 2, 3]);
    const [g] = grad(sum(mul(x, x)), [x]);
    expect(values(g)).toEqual([2, 4, 6]);
    expect(x.grad).toBeNull();
  });

  it('uses gradOutputs for non-scalar outputs (a vector–Jacobian product)', () => {
    const x = f64([1, 2, 3]);
    const [g] = grad(mul(x, x), [x], { gradOutputs: [f64([1, -1, 0.5], false)] });
    expect(values(g)).toEqual([2, -4, 3]);
  });

  it('several outputs and inputs', () => {
    const x = f64([1, 2]), y = f64([3, 4]);
    const [gx, gy] = grad([sum(mul(x, y)), sum(mul(y, y))], [x, y]);
    expect(values(gx)).toEqual([3, 4]);
    expect(values(gy)).toEqual([1 + 6, 2 + 8]);
  });

  it('createGraph: Hessian-vector product of f(x, y) = Σ x²y + y³ matches the hand formula', () => {
    // ∇f = (2xy, x² + 3y²); H = [[2y, 2x], [2x, 6y]] (per element); Hv = (2y·vx + 2x·vy, 2x·vx + 6y·vy)
    const x = f64([1, -2]), y = f64([0.5, 3]);
    const vx = [1, 2], vy = [-1, 0.5];
    const f = add(sum(mul(mul(x, x), y)), sum(mul(mul(y, y), y)));
    const [gx, gy] = grad(f, [x, y], { createGraph: true });
    expect(gx.requiresGrad && gy.requiresGrad).toBe(true);
    expect(values(gx)).toEqual([2 * 1 * 0.5, 2 * -2 * 3]);
    const gv = add(sum(mul(gx, f64(vx, false))), sum(mul(gy, f64(vy, false))));
    const [hx, hy] = grad(gv, [x, y]);
    const X = [1, -2], Y = [0.5, 3];
    expect(values(hx)).toEqual(X.map((xi, i) => 2 * Y[i] * vx[i] + 2 * xi * vy[i]));
    expect(values(hy)).toEqual(X.map((xi, i) => 2 * xi * vx[i] + 6 * Y[i] * vy[i]));
  });

  it('without createGraph the gradient is a constant', () => {
    const x = f64([1, 2]);
    const [g] = grad(sum(mul(x, x)), [x]);
    expect(g.requiresGrad).toBe(false);
    expect(g.gradFn).toBeNull();
  });

  it('allowUnused returns zeros for an input the output does not depend on; otherwise it throws', () => {
    const x = f64([1, 2]), unused = f64([7, 8, 9]);
    const out = sum(mul(x, x));
    expect(() => grad(out, [x, unused])).toThrow(/grad: input 1 .*\[3\].*not used/);
    const [gx, gu] = grad(out, [x, unused], { allowUnused: true });
    expect(values(gx)).toEqual([2, 4]);
    expect(gu.shape).toEqual([3]);
    expect(values(gu)).toEqual([0, 0, 0]);
  });
});

describe('toDot', () => {
  it('names the ops, their attributes and the shapes', () => {
    const x = tensor(new Float64Array(2 * 3 * 5 * 5), [2, 3, 5, 5], { dtype: 'float64', requiresGrad: true });
    const w = tensor(new Float64Array(4 * 3 * 3 * 3), [4, 3, 3, 3], { dtype: 'float64', requiresGrad: true });
    const dot = toDot(sum(conv2d(x, w, null, { stride: 2 })));
    expect(dot.startsWith('digraph')).toBe(true);
    expect(dot).toMatch(/conv2d .*stride=\[2,2\]/);
    expect(dot).toContain('[2, 4, 2, 2]'); // conv output
    expect(dot).toMatch(/sum[^\n]*\\n\[\]/); // scalar sum
    expect(dot).toContain('leaf [2, 3, 5, 5]');
    expect(dot).toContain('leaf [4, 3, 3, 3]');
    expect(dot.match(/->/g)?.length).toBe(3); // x→conv, w→conv, conv→sum
  });

  it('shows constants feeding a node', () => {
    const x = f64([1, 2]);
    expect(toDot(mul(x, f64([3, 4], false)))).toContain('const [2]');
  });
});

describe('record (custom ops)', () => {
  it('refuses inputs that are not an array, naming what it got', () => {
    const out = tensor([1]);
    for (const bad of [f64([1]), 5, null, 'x']) {
      expect(() => record(out, 'custom', bad as never, (g: Tensor) => [g])).toThrow(/^record: inputs must be an array of Tensors, got /);
    }
  });

  it('names the input or saved tensor that is not a Tensor', () => {
    const x = f64([1]);
    const rule = (g: Tensor) => [g, g];
    expect(() => record(f64([2], false), 'custom', [x, 3] as never, rule)).toThrow(/^record: inputs\[1\] must be a Tensor, got 3/);
    expect(() => record(f64([2], false), 'custom', [x], rule, undefined, [x, 'y'] as never)).toThrow(/^record: saved\[1\] must be a Tensor, got 'y'/);
    expect(() => record([2] as never, 'custom', [x], rule)).toThrow(/^record: out must be a Tensor, got \[2\]/);
  });

  it('refuses an op name that is not a string', () => {
    const x = f64([1]);
    expect(() => record(f64([2], false), 5 as never, [x], (g: Tensor) => [g])).toThrow(/^record: needs an op name and a backward function, got 5 and /);
  });

  it('records nothing when no input requires grad, and the node of an op that does', () => {
    const c = f64([1], false);
    const out = record(f64([2], false), 'custom', [c], (g: Tensor) => [g]);
    expect(out.requiresGrad).toBe(false);
    expect(out.gradFn).toBeNull();
    const x = f64([1]);
    const y = record(f64([3], false), 'custom', [c, x], (g: Tensor) => [g, mul(g, 2)]);
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn?.op).toBe('custom');
    y.backward(f64([1], false));
    expect(values(x.grad)).toEqual([2]);
    expect(c.grad).toBeNull();
  });

  it('a rule may return null for an input: that input gets no gradient from it', () => {
    const x = f64([1, 2]), w = f64([3, 4]);
    const y = record(f64([5, 6], false), 'halfRule', [x, w], (g: Tensor) => [g, null] as never);
    sum(y).backward();
    expect(values(x.grad)).toEqual([1, 1]);
    expect(w.grad).toBeNull();
  });

  it('a backward rule returning the wrong shape is reported, naming the op and the shapes', () => {
    const x = f64([1, 2]);
    const y = record(f64([3], false), 'badRule', [x], (g: Tensor) => [g]);
    expect(() => y.backward(f64([1], false))).toThrow(/^badRule: backward rule returned a gradient of shape \[1\] for input 0 of shape \[2\]/);
  });
});

describe('topologicalOrder', () => {
  it('lists each tensor once, inputs before outputs, and only tensors that require grad', () => {
    const x = f64([1, 2]), c = f64([3, 4], false);
    const h = mul(x, c);
    const y = sum(h), z = sum(mul(h, h));
    const order = topologicalOrder([y, z, y]);
    expect(order.length).toBe(5); // x, h, y, h·h, z (y once; c does not require grad)
    expect(new Set(order).size).toBe(5);
    expect(order).not.toContain(c);
    expect(order.indexOf(x)).toBeLessThan(order.indexOf(h));
    expect(order.indexOf(h)).toBeLessThan(order.indexOf(y));
    expect(order[order.length - 1]).toBe(z);
    expect(topologicalOrder([c])).toEqual([]);
    expect(topologicalOrder([x])).toEqual([x]);
  });
});

describe('argument checks of backward and grad', () => {
  it('backward: a scalar output needs no gradOutput; gradOutput must be a Tensor', () => {
    const x = f64([1, 2]);
    expect(() => sum(x).backward([1] as never)).toThrow(/^backward: gradOutput must be a Tensor, got \[1\]/);
    expect(() => mul(x, x).backward()).toThrow(/^backward: gradient can be implicitly created only for a scalar output; got shape \[2\]/);
    expect(() => f64([1], false).backward()).toThrow(/^backward: .*does not require grad and has no graph to differentiate/);
    sum(x).backward();
    expect(values(x.grad)).toEqual([1, 1]);
  });

  it('backward: createGraph must be a boolean; a second pass through a freed graph changes nothing before it throws', () => {
    const x = f64([1, 2]);
    expect(() => sum(x).backward(undefined, { createGraph: 1 as never })).toThrow(/^backward: createGraph must be true or false, got 1/);
    const L = sum(mul(x, x));
    L.retainGrad();
    L.backward();
    expect(() => L.backward()).toThrow(/already freed/);
    expect(values(L.grad)).toEqual([1]);
    expect(values(x.grad)).toEqual([2, 4]);
  });

  it('grad through a partly freed graph reports the freed graph, not an unused input', () => {
    const x = f64([1, 2]), unused = f64([3]);
    const y = mul(x, x);
    sum(y).backward(); // frees y's node
    expect(() => grad(sum(y), [x, unused])).toThrow(/already freed/);
  });

  it('grad: inputs must be an array of Tensors; gradOutputs one per output; allowUnused a boolean', () => {
    const x = f64([1, 2]);
    const out = mul(x, x);
    expect(() => grad(out, x as never)).toThrow(/^grad: inputs must be an array of Tensors, got /);
    expect(() => grad(out, [x, 3] as never)).toThrow(/^grad: input 1 must be a Tensor, got 3/);
    expect(() => grad([out, 2] as never, [x])).toThrow(/^grad: output 1 must be a Tensor, got 2/);
    expect(() => grad(out, [x], { gradOutputs: [] })).toThrow(/^grad: gradOutputs must have one tensor per output \(1\), got \[\]/);
    expect(() => grad(out, [x], { gradOutputs: 'a' as never })).toThrow(/^grad: gradOutputs must have one tensor per output \(1\), got /);
    expect(() => grad(out, [x], { gradOutputs: [4] as never })).toThrow(/^grad: gradOutputs\[0\] must be a Tensor, got 4/);
    expect(() => grad(sum(out), [x], { allowUnused: 1 as never })).toThrow(/^grad: allowUnused must be true or false, got 1/);
    expect(() => grad(sum(out), [x], { createGraph: 'yes' as never })).toThrow(/^grad: createGraph must be true or false, got 'yes'/);
    expect(() => grad(out, [x])).toThrow(/^grad: gradient can be implicitly created only for a scalar output; got shape \[2\]/);
    const [g] = grad(sum(out), [x], { allowUnused: false });
    expect(values(g)).toEqual([2, 4]);
  });
});
