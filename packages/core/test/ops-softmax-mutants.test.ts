// softmax / logSoftmax / softmaxCrossEntropy argument checks that no other test failed (mutation
// survivors): each bad call throws a ConvgradError naming the op and the offending value.
import { describe, it } from 'vitest';
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
  ['softmaxCrossEntropy', () => C.softmaxCrossEntropy(null as never, [0]), 'softmaxCrossEntropy: logits must be a Tensor, got null'],
];

describe('softmax ops name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});
