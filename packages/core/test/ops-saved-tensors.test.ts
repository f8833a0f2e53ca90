// Which tensors each op's backward reads (its saved list, checked by the version counters): changing one
// of them in place between forward and backward must throw, naming the op; changing a tensor the rule
// does not read must not (as PyTorch's saved tensors). Mutation survivors: an emptied or swapped saved
// list passed every other test.
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import type { Tensor } from '../src/index.ts';

const f64 = { dtype: 'float64' as const };
const leaf = (shape: number[], seed: number) => C.randn(shape, { seed, ...f64, requiresGrad: true });

/** [op, build → { named tensors, the loss }, the names its backward reads, the names it does not] */
type Case = [string, () => { t: Record<string, Tensor>; loss: Tensor }, string[], string[]];
// the loss is a plain sum, which reads nothing itself
const unary = (f: (x: Tensor) => Tensor, shape = [2, 3]) => () => {
  const x = leaf(shape, 1);
  const y = f(x);
  return { t: { x, y }, loss: C.sum(y) };
};
/** As unary, on positive inputs (a leaf: no abs in front whose own rule would read x). */
const positive = (f: (x: Tensor) => Tensor) => () => {
  const x = C.tensor([0.5, 2, 3], { ...f64, requiresGrad: true });
  const y = f(x);
  return { t: { x, y }, loss: C.sum(y) };
};
const cases: Case[] = [
  ['relu', unary((x) => C.relu(x)), ['x'], ['y']],
  ['leakyRelu', unary((x) => C.leakyRelu(x, 0.1)), ['x'], ['y']],
  ['log', positive((x) => C.log(x)), ['x'], ['y']],
  ['sigmoid', unary((x) => C.sigmoid(x)), ['y'], ['x']],
  ['tanh', unary((x) => C.tanh(x)), ['y'], ['x']],
  ['exp', unary((x) => C.exp(x)), ['y'], ['x']],
  ['sqrt', positive((x) => C.sqrt(x)), ['y'], ['x']],
  ['logSoftmax', unary((x) => C.logSoftmax(x)), ['y'], ['x']],
  ['softmax', unary((x) => C.softmax(x)), ['y'], ['x']],
  ['softmaxCrossEntropy', unary((x) => C.softmaxCrossEntropy(x, [0, 2], { reduction: 'none' })), ['x'], ['y']],
  ['dropout', unary((x) => C.dropout(x, 0.5, { seed: 1 })), [], ['x', 'y']],
  ['batchNorm', () => {
    const x = leaf([3, 2, 2], 1), w = leaf([2], 3), b = leaf([2], 4);
    const y = C.batchNorm(x, null, null, { training: true, weight: w, bias: b });
    return { t: { x, w, b, y }, loss: C.sum(y) };
  }, ['x', 'w'], ['b', 'y']],
  ['conv2d', () => {
    const x = leaf([1, 2, 4, 4], 1), w = leaf([3, 2, 3, 3], 3), b = leaf([3], 4);
    const y = C.conv2d(x, w, b, { padding: 1 });
    return { t: { x, w, b, y }, loss: C.sum(y) };
  }, ['x', 'w'], ['b', 'y']],
  // second order: relu's gradient node reads x (where the step is), not g
  ['reluGrad', () => {
    const x = leaf([2, 3], 1), v = leaf([2, 3], 2);
    const [g] = C.grad(C.sum(C.mul(C.relu(x), v)), [x], { createGraph: true });
    return { t: { x, g }, loss: C.sum(g) };
  }, ['x'], ['g']],
];

describe('an in-place change of a tensor the backward reads throws; of one it does not read, does not', () => {
  it.each(cases)('%s', (op, build, reads, ignores) => {
    for (const name of reads) {
      const { t, loss } = build();
      t[name].bumpVersion();
      expect(() => loss.backward(), `${op}: ${name} changed`).toThrow(new RegExp(`modified in place after ${op} used it`));
    }
    for (const name of ignores) {
      const { t, loss } = build();
      t[name].bumpVersion();
      expect(() => loss.backward(), `${op}: ${name} changed`).not.toThrow();
    }
  });
});
