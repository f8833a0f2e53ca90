// softmax / logSoftmax / softmaxCrossEntropy argument checks that no other test failed (mutation
// survivors): each bad call throws a ConvgradError naming the op and the offending value.
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const z = (shape: number[]) => C.zeros(shape);

const cases: ErrorCase[] = [
  ['softmax', () => C.softmax(C.tensor(1)), 'softmax: input must have at least 1 dim, got shape []'],
  ['logSoftmax', () => C.logSoftmax(C.tensor(1), 0), 'logSoftmax: input must have at least 1 dim, got shape []'],
  ['softmax', () => C.softmax(null as never), 'softmax: input must be a Tensor, got null'],
  ['softmaxCrossEntropy', () => C.softmaxCrossEntropy(z([2, 3]), [0, 1], 'sum' as never), `softmaxCrossEntropy: options must be an object, got 'sum'`],
  ['softmaxCrossEntropy', () => C.softmaxCrossEntropy(z([2, 3]), [0, 1], { weight: z([3]) } as never),
    `softmaxCrossEntropy: unknown option 'weight' (known: reduction; crossEntropy has weight, ignoreIndex, labelSmoothing)`],
  ['softmaxCrossEntropy', () => C.softmaxCrossEntropy(z([2, 3]), {} as never), 'softmaxCrossEntropy: labels must be an Int32Array, an array of numbers or a Tensor, got {}'],
  ['softmaxCrossEntropy', () => C.softmaxCrossEntropy(z([2, 3]), { length: '2' } as never), 'softmaxCrossEntropy: labels must be an Int32Array, an array of numbers or a Tensor, got {"length":"2"}'],
  ['softmaxCrossEntropy', () => C.softmaxCrossEntropy(null as never, [0]), 'softmaxCrossEntropy: logits must be a Tensor, got null'],
];

describe('softmax ops name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

const f64 = (requiresGrad = true) => C.tensor([[1, 2, 3], [0, 0, 1]], { dtype: 'float64', requiresGrad });

describe('softmax ops check what their backward reads', () => {
  it.each([
    ['logSoftmax', (x: C.Tensor) => C.logSoftmax(x), 'output'],
    ['softmax', (x: C.Tensor) => C.softmax(x, 0), 'output'],
    ['softmaxCrossEntropy', (x: C.Tensor) => C.softmaxCrossEntropy(x, [2, 0], { reduction: 'none' }), 'input'],
  ] as const)('%s: a change in place after the op of what its rule reads makes backward throw (case %#)', (op, f, which) => {
    const x = f64();
    const y = f(x);
    const loss = C.sum(y); // sum reads no values: the op's own check is the one that fires
    (which === 'output' ? y : x).bumpVersion();
    expect(() => loss.backward()).toThrow(new RegExp(`(the output|input 0) of ${op} .* was modified in place after ${op} used it`));
  });

  it('the gradient node of logSoftmax records its axis', () => {
    const x = f64();
    const [g] = C.grad(C.sum(C.mul(C.logSoftmax(x, 0), f64())), [x], { createGraph: true });
    const names: [string, unknown][] = [];
    for (let t: C.Tensor | undefined = g; t?.gradFn; t = t.gradFn.inputs.find((u) => u.gradFn)) names.push([t.gradFn.op, t.gradFn.attrs]);
    expect(names).toContainEqual(['logSoftmaxGrad', { axis: 0 }]);
  });
});
