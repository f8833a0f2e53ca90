// cat / stack / split / chunk argument checks that no other test failed (mutation survivors): each bad
// call throws a ConvgradError naming the op and the offending value.
import { describe, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const z = (shape: number[]) => C.zeros(shape);

const cases: ErrorCase[] = [
  ['split', () => C.split(z([4]), 'a' as never), 'split: expects a size or an array of sizes, got string'],
  ['split', () => C.split(z([4]), null as never), 'split: expects a size or an array of sizes, got object'],
];

describe('join ops name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});
