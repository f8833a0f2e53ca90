// cat / stack / split / chunk argument checks that no other test failed (mutation survivors): each bad
// call throws a ConvgradError naming the op and the offending value.
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const z = (shape: number[]) => C.zeros(shape);

const cases: ErrorCase[] = [
  ['stack', () => C.stack([]), 'stack: expects a non-empty array of tensors'],
  ['stack', () => C.stack(z([2]) as never), 'stack: expects a non-empty array of tensors'],
  ['stack', () => C.stack([z([2]), 1 as never]), 'stack: tensors[1] must be a Tensor, got 1'],
  ['split', () => C.split(null as never, 2), 'split: input must be a Tensor, got null'],
  ['chunk', () => C.chunk(null as never, 2), 'chunk: input must be a Tensor, got null'],
  // an empty dim accepts a size of 0 but still no negative one
  ['split', () => C.split(z([0, 2]), -1), 'split: split size must be a positive integer, got -1'],
  ['split', () => C.split(z([0, 2]), 0.5), 'split: split size must be a positive integer, got 0.5'],
  ['split', () => C.split(z([4]), 'a' as never), 'split: expects a size or an array of sizes, got string'],
  ['split', () => C.split(z([4]), null as never), 'split: expects a size or an array of sizes, got object'],
  // a tensor of another rank whose dims all match the first tensor's leading dims
  ['cat', () => C.cat([z([2, 3, 1]), z([2, 3])]), 'cat: tensors[1] has shape [2, 3], which does not match [2, 3, 1] outside dim 0'],
  ['stack', () => C.stack([z([2, 1]), z([2])]), 'stack: tensors[1] has shape [2] but tensors[0] has [2, 1] (stack needs equal shapes)'],
  ['split', () => C.split(z([4]), [1.5, 2.5]), 'split: section 0 has size 1.5; sizes must be non-negative integers'],
  ['chunk', () => C.chunk(z([4]), 1.5), 'chunk: chunks must be a positive integer, got 1.5'],
  ['chunk', () => C.chunk(z([4]), 2, 1), 'chunk: dim 1 is out of range for a tensor of rank 1 (expected an integer in [-1, 0])'],
  ['chunk', () => C.chunk(z([4]), -1), 'chunk: chunks must be a positive integer, got -1'],
];

describe('join ops name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('split of an empty dim', () => {
  it('a size of 0 is accepted there (only there) and gives the one empty piece, as PyTorch', () => {
    const x = z([0, 2]);
    const parts = C.split(x, 0);
    expect(parts.length).toBe(1);
    expect(parts[0]).toBe(x);
    expect(C.split(z([2, 0]), 0, 1).map((p) => p.shape)).toEqual([[2, 0]]);
  });
});
