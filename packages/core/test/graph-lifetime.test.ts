// Version counters (a tensor changed in place after an op used it makes backward throw) and freed graphs
// (saved tensors released after backward unless retainGraph), as PyTorch's _version and retain_graph.
import { describe, expect, it } from 'vitest';
import {
  add, conv2d, ConvgradError, grad, mul, noGrad, randn, reshape, sigmoid, sum, tensor, toDot, type Tensor,
} from '../src/index.ts';

const f64 = (values: number[], requiresGrad = true) => tensor(values, undefined, { dtype: 'float64', requiresGrad });

/** An SGD step written as user code would: change `.data`, then say so. */
function step(w: Tensor, lr = 1): void {
  noGrad(() => {
    for (let i = 0; i < w.size; i++) w.data[i] -= lr * w.grad!.data[i];
  });
  w.bumpVersion();
}

function thrown(fn: () => unknown): ConvgradError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConvgradError);
    return e as ConvgradError;
  }
  return expect.fail('expected a ConvgradError');
}

describe('version counters', () => {
  it("the issue's example: w = [1, 2]; l = sum(w·w); step(); backward() throws instead of returning [0, 2]", () => {
    const w = f64([1, 2]);
    w.grad = f64([1, 0], false);
    const l = sum(mul(w, w));
    step(w); // w = [0, 2]
    const err = thrown(() => l.backward());
    expect(err.message).toMatch(/^backward: input 0 of mul \(Tensor\(shape=\[2\], dtype=float64, requiresGrad\)\) was modified in place after mul used it \(version 1, saved at version 0\)/);
    expect(w.version).toBe(1);
  });

  it('without the change, the same graph back-propagates the recorded gradient 2w', () => {
    const w = f64([1, 2]);
    sum(mul(w, w)).backward();
    expect(Array.from(w.grad!.data)).toEqual([2, 4]);
    expect(w.version).toBe(0);
  });

  it('names conv2d and its weight', () => {
    const x = randn([1, 1, 5, 5], { seed: 1, dtype: 'float64' });
    const w = randn([2, 1, 3, 3], { seed: 2, dtype: 'float64', requiresGrad: true });
    const loss = sum(conv2d(x, w, null, { padding: 1 }));
    w.bumpVersion();
    expect(thrown(() => loss.backward()).message).toMatch(/input 1 of conv2d \(Tensor\(shape=\[2, 1, 3, 3\].*modified in place after conv2d used it \(version 1, saved at version 0\)/);
  });

  it('a change through another tensor over the same data (reshape, detach) counts', () => {
    const w = f64([1, 2, 3, 4]);
    const loss = sum(mul(reshape(w, [2, 2]), 3));
    expect(w.detach().bumpVersion().version).toBe(1);
    expect(w.version).toBe(1);
    expect(thrown(() => loss.backward()).message).toMatch(/input 0 of mul \(Tensor\(shape=\[2, 2\].*version 1, saved at version 0/);
  });

  it('an output the rule reads (sigmoid) is checked too', () => {
    const x = f64([0.5, -1]);
    const y = sigmoid(x);
    const loss = sum(y);
    y.bumpVersion();
    expect(thrown(() => loss.backward()).message).toMatch(/the output of sigmoid .* was modified in place after sigmoid used it/);
  });

  it('an op whose rule reads no values (add, sum) does not mind, as in PyTorch', () => {
    const a = f64([1, 2]), b = f64([3, 4]);
    const loss = sum(add(a, b));
    a.bumpVersion();
    loss.backward();
    expect(Array.from(a.grad!.data)).toEqual([1, 1]);
  });

  it('second order through conv2d, whose backward reads x through lattice views (padded, permuted), sees x change', () => {
    const x = randn([2, 1, 4, 4], { seed: 3, dtype: 'float64', requiresGrad: true });
    const w = randn([1, 1, 3, 3], { seed: 4, dtype: 'float64', requiresGrad: true });
    const [gw] = grad(sum(mul(conv2d(x, w, null, { padding: 1 }), 2)), [w], { createGraph: true }); // reads x
    x.bumpVersion();
    expect(thrown(() => sum(mul(gw, gw)).backward()).message).toMatch(/was modified in place after conv2d used it/);
  });

  it('second-order graphs check versions as well', () => {
    const x = f64([2, 3]);
    const [g] = grad(sum(mul(mul(x, x), x)), [x], { createGraph: true }); // 3x²
    x.bumpVersion();
    expect(thrown(() => sum(g).backward()).message).toMatch(/was modified in place after mul used it/);
  });
});

describe('freed graphs', () => {
  it('a second backward through the same graph throws and names the op', () => {
    const w = f64([1, 2]);
    const loss = sum(mul(w, w));
    loss.backward();
    expect(Array.from(w.grad!.data)).toEqual([2, 4]);
    const err = thrown(() => loss.backward());
    expect(err.message).toMatch(/^backward: the graph through sum was already freed .*retainGraph: true/);
    expect(Array.from(w.grad!.data)).toEqual([2, 4]); // not doubled
  });

  it('backward releases the saved tensors and inputs of every node it ran', () => {
    const w = f64([1, 2]);
    const h = mul(w, w);
    const loss = sum(h);
    loss.backward();
    expect(loss.gradFn!.released).toBe(true);
    expect(h.gradFn!.released).toBe(true);
    expect(loss.gradFn!.inputs).toEqual([]);
    expect(h.gradFn!.inputs).toEqual([]);
    expect(toDot(loss)).toMatch(/label="sum[^"]*\(freed by backward\)/);
  });

  it('reaching a freed part of the graph from a new output throws too', () => {
    const w = f64([1, 2]);
    const h = mul(w, w);
    sum(h).backward();
    expect(thrown(() => sum(mul(h, 2)).backward()).message).toMatch(/graph through mul was already freed/);
  });

  it('retainGraph: true keeps it; the second pass accumulates again, as in PyTorch', () => {
    const w = f64([1, 2]);
    const loss = sum(mul(w, w));
    loss.backward(undefined, { retainGraph: true });
    loss.backward();
    expect(Array.from(w.grad!.data)).toEqual([4, 8]);
    expect(() => loss.backward()).toThrow(/already freed/);
  });

  it('createGraph retains by default; grad() frees unless retainGraph', () => {
    const x = f64([2, 3]);
    const cubic = sum(mul(mul(x, x), x));
    const [g1] = grad(cubic, [x], { createGraph: true });
    const [g2] = grad(cubic, [x]); // still there: createGraph retained it
    expect(Array.from(g1.data)).toEqual(Array.from(g2.data));
    expect(() => grad(cubic, [x])).toThrow(/^backward: the graph through sum was already freed/);
    const sq = sum(mul(x, x));
    grad(sq, [x], { retainGraph: true });
    expect(Array.from(grad(sq, [x])[0].data)).toEqual([4, 6]);
  });

  it('a refused grad() call (unused input) leaves the graph usable', () => {
    const x = f64([1, 2]), unused = f64([7]);
    const out = sum(mul(x, x));
    expect(() => grad(out, [x, unused])).toThrow(/grad: input 1 .*not used/);
    expect(Array.from(grad(out, [x])[0].data)).toEqual([2, 4]);
  });

  it('a failed backward (a changed tensor) does not release the graph', () => {
    const w = f64([1, 2]);
    const loss = sum(mul(w, w));
    w.bumpVersion();
    expect(() => loss.backward()).toThrow(/modified in place/);
    expect(loss.gradFn!.released).toBe(false);
  });

  it('retainGraph and createGraph must be booleans; unknown options are refused', () => {
    const loss = sum(mul(f64([1]), 2));
    expect(() => loss.backward(undefined, { retainGraph: 1 as never })).toThrow(/^backward: retainGraph must be true or false, got 1/);
    expect(() => loss.backward(undefined, { retain_graph: true } as never)).toThrow(/^backward: unknown option 'retain_graph'/);
    expect(() => grad(loss, [f64([1])], { keepGraph: true } as never)).toThrow(/^grad: unknown option 'keepGraph'/);
  });
});
