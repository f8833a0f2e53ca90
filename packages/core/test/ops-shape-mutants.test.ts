// Shape-op argument checks that no other test failed (mutation survivors): each bad call throws a
// ConvgradError naming the op and the offending value, not a later check's message.
import { describe, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const z = (shape: number[]) => C.zeros(shape);

const cases: ErrorCase[] = [
  ['reshape', () => C.reshape(z([6]), [-2, -3]), 'reshape: shape must be an array of non-negative integers (one may be -1), got [-2, -3]'],
  ['reshape', () => C.reshape(z([2]), [2.5]), 'reshape: shape must be an array of non-negative integers (one may be -1), got [2.5]'],
  ['slice', () => C.slice(z([2]), 0 as never, [1]), 'slice: begin and size must be arrays, got 0 and [1]'],
  ['slice', () => C.slice(z([2]), [0], 1 as never), 'slice: begin and size must be arrays, got [0] and 1'],
];

describe('shape ops name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});
