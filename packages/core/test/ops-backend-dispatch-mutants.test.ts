// The ops of softmax.ts, elementwise.ts and indexing.ts hand their loops to the active backend's kernel
// when it has one, use its result when it says it computed one, and fall back to the js kernel when it
// declines (mutation survivors: under the js backend alone, a skipped backend call changed nothing).
import { afterEach, describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import * as flat from '../src/ops/indexing.ts';

type Hook = 'logSoftmaxForward' | 'logSoftmaxBackward' | 'binary' | 'scatterAddFlat';

let counter = 0;
/** A backend whose `hook` records its calls and either declines or fills `out` (the argument at outArg) with 42. */
function useBackend(hook: Hook, outArg: number, computes: boolean): unknown[][] {
  const calls: unknown[][] = [];
  const name = `dispatch-${hook}-${counter++}`;
  C.registerBackend({
    ...C.getBackend(), name, [hook]: (...args: unknown[]) => {
      calls.push(args);
      if (computes) (args[outArg] as Float32Array).fill(42);
      return computes;
    },
  });
  C.setBackend(name);
  return calls;
}

const x = () => C.tensor([[1, 2, 3], [0, 0, 1]]);

describe('softmax ops dispatch to the backend', () => {
  afterEach(() => C.setBackend('js'));

  it('logSoftmax, softmax and softmaxCrossEntropy use the backend forward kernel, or the js one when it declines', () => {
    const want = [C.logSoftmax(x()), C.softmax(x()), C.softmaxCrossEntropy(x(), [2, 0], { reduction: 'none' })].map((t) => Array.from(t.data));
    const declined = useBackend('logSoftmaxForward', 2, false);
    const got = [C.logSoftmax(x()), C.softmax(x()), C.softmaxCrossEntropy(x(), [2, 0], { reduction: 'none' })].map((t) => Array.from(t.data));
    expect(got).toEqual(want);
    expect(declined.map((a) => a[3])).toEqual([false, true, false]);
    // the [outer, len, inner] layout of the axis: a backend kernel trusts it
    expect(declined.map((a) => a[1])).toEqual([{ outer: 2, len: 3, inner: 1 }, { outer: 2, len: 3, inner: 1 }, { outer: 2, len: 3, inner: 1 }]);
    C.logSoftmax(C.zeros([2, 3, 4]), 1);
    C.softmax(C.zeros([2, 3, 4]), 0);
    expect(declined.slice(3).map((a) => a[1])).toEqual([{ outer: 2, len: 3, inner: 4 }, { outer: 1, len: 2, inner: 12 }]);
    useBackend('logSoftmaxForward', 2, true);
    expect(Array.from(C.logSoftmax(x()).data)).toEqual([42, 42, 42, 42, 42, 42]);
    expect(Array.from(C.softmax(x()).data)).toEqual([42, 42, 42, 42, 42, 42]);
    expect(Array.from(C.softmaxCrossEntropy(x(), [2, 0], { reduction: 'none' }).data)).toEqual([-42, -42]);
  });

  it('the logSoftmax backward uses the backend kernel, or the js one when it declines', () => {
    const grad = () => {
      const t = C.tensor([[1, 2, 3], [0, 0, 1]], { requiresGrad: true });
      return Array.from(C.grad(C.sum(C.mul(C.logSoftmax(t), C.tensor([[1, 0, 0], [0, 2, 0]]))), [t])[0].data);
    };
    const want = grad();
    const declined = useBackend('logSoftmaxBackward', 3, false);
    expect(grad()).toEqual(want);
    expect(declined.length).toBe(1);
    useBackend('logSoftmaxBackward', 3, true);
    expect(grad()).toEqual([42, 42, 42, 42, 42, 42]);
  });
});

describe('elementwise ops dispatch to the backend', () => {
  afterEach(() => C.setBackend('js'));

  it('add, sub, mul, div and a float32 neg use the backend kernel, or the js one when it declines', () => {
    const ops = [(a: C.Tensor) => C.add(a, 2), (a: C.Tensor) => C.sub(a, 2), (a: C.Tensor) => C.mul(a, 2), (a: C.Tensor) => C.div(a, 2), C.neg];
    const want = ops.map((f) => Array.from(f(x()).data));
    const declined = useBackend('binary', 6, false);
    expect(ops.map((f) => Array.from(f(x()).data))).toEqual(want);
    expect(declined.map((a) => a[0])).toEqual(['add', 'sub', 'mul', 'div', 'mul']);
    useBackend('binary', 6, true);
    for (const f of ops) expect(Array.from(f(x()).data)).toEqual([42, 42, 42, 42, 42, 42]);
  });

  it('a float64 neg stays in js: the backend gets no float32 constant beside float64 data', () => {
    const calls = useBackend('binary', 6, true);
    expect(Array.from(C.neg(C.tensor([1, -2], { dtype: 'float64' })).data)).toEqual([-1, 2]);
    expect(calls.length).toBe(0);
  });
});

describe('scatterAdd dispatches to the backend', () => {
  afterEach(() => C.setBackend('js'));

  it('uses the backend kernel, or the js one when it declines', () => {
    const run = () => Array.from(flat.scatterAdd(C.tensor([1, 2, 3]), Int32Array.of(1, 1, 0), [2]).data);
    expect(run()).toEqual([3, 3]);
    const declined = useBackend('scatterAddFlat', 2, false);
    expect(run()).toEqual([3, 3]);
    expect(declined.length).toBe(1);
    useBackend('scatterAddFlat', 2, true);
    expect(run()).toEqual([42, 42]);
  });
});
