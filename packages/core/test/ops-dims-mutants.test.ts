// squeeze / unsqueeze / flatten / expand and the shared dim and index checks (dim-args.ts): cases that
// no other test failed (mutation survivors). Bad calls name the op and the offending value; the dim
// ranges are PyTorch's, also for rank 0 (dims 0 and -1 name its one implicit dim).
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const z = (shape: number[]) => C.zeros(shape);

const cases: ErrorCase[] = [
  ['squeeze', () => C.squeeze(null as never), 'squeeze: input must be a Tensor, got null'],
  ['squeeze', () => C.squeeze(z([1, 2, 1]), 'a' as never), 'squeeze: dim a is out of range for a tensor of rank 3 (expected an integer in [-3, 2])'],
  ['unsqueeze', () => C.unsqueeze(null as never, 0), 'unsqueeze: input must be a Tensor, got null'],
  ['unsqueeze', () => C.unsqueeze(C.tensor(5), 1), 'unsqueeze: dim 1 is out of range for a tensor of rank 0 (expected an integer in [-1, 0])'],
  ['unsqueeze', () => C.unsqueeze(z([2]), -3), 'unsqueeze: dim -3 is out of range for a tensor of rank 1 (expected an integer in [-2, 1])'],
  ['cumsum', () => C.cumsum(C.tensor(5), -2), 'cumsum: dim -2 is out of range for a tensor of rank 0 (expected an integer in [-1, 0])'],
  ['cumsum', () => C.cumsum(C.tensor(5), 1), 'cumsum: dim 1 is out of range for a tensor of rank 0 (expected an integer in [-1, 0])'],
  ['expand', () => C.expand(z([3]), [1.5, 3]), 'expand: size 1.5 at position 0 must be a non-negative integer or -1'],
  ['gather', () => C.gather(C.arange(3), 0, [-1] as never), 'gather: index -1 at position 0 is out of range for a dimension of size 3$'],
  ['gather', () => C.gather(C.arange(3), 0, [1.5] as never), 'gather: index 1.5 at position 0 is out of range for a dimension of size 3$'],
  ['gather', () => C.gather(C.arange(3), 0, ['a'] as never), 'gather: index must be a Tensor, an Int32Array or an array of numbers'],
  ['gather', () => C.gather(C.arange(3), 0, Float32Array.of(1) as never), 'gather: index must be a Tensor, an Int32Array or an array of numbers'],
  ['indexSelect', () => C.indexSelect(C.arange(3), 0, [1, 3]), 'indexSelect: index 3 at position 1 is out of range for a dimension of size 3$'],
];

describe('dim and index checks name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('dims edge cases', () => {
  it('rank 0: dims 0 and -1 are its one implicit dim', () => {
    expect(C.unsqueeze(C.tensor(5), 0).shape).toEqual([1]);
    expect(C.unsqueeze(C.tensor(5), -1).shape).toEqual([1]);
    expect(C.cumsum(C.tensor(5), 0).item()).toBe(5);
    expect(C.cumsum(C.tensor(5), -1).item()).toBe(5);
    expect(C.flatten(C.tensor(3)).shape).toEqual([1]);
  });

  it('unsqueeze at the lowest negative dim; squeeze of listed and negative dims', () => {
    expect(C.unsqueeze(z([2]), -2).shape).toEqual([1, 2]);
    expect(C.unsqueeze(z([2]), -1).shape).toEqual([2, 1]);
    expect(C.squeeze(z([1, 2, 1]), [0, 1]).shape).toEqual([2, 1]);
    expect(C.squeeze(z([1, 2, 1]), -1).shape).toEqual([1, 2]);
    expect(C.squeeze(z([1, 2, 1]), -3).shape).toEqual([2, 1]);
  });

  it('flatten of a dim range, expand to a size 0 and -1 keeping sizes', () => {
    expect(C.flatten(z([2, 3, 4]), 1).shape).toEqual([2, 12]);
    expect(C.flatten(z([2, 3, 4]), -2, -1).shape).toEqual([2, 12]);
    expect(C.flatten(z([2, 3, 4]), 1, 1).shape).toEqual([2, 3, 4]);
    expect(C.flatten(z([2, 3, 4]), 0, 1).shape).toEqual([6, 4]);
    expect(C.expand(z([1]), [0]).shape).toEqual([0]);
    expect(C.expand(C.arange(3).reshape([1, 3]), [2, -1, -1]).toArray()).toEqual([[[0, 1, 2]], [[0, 1, 2]]]);
  });

  it('index lists may be Int32Arrays', () => {
    expect(Array.from(C.gather(C.arange(3), 0, Int32Array.of(2, 0) as never).data)).toEqual([2, 0]);
    expect(Array.from(C.indexSelect(C.arange(3), 0, Int32Array.of(2, 2, 0)).data)).toEqual([2, 2, 0]);
  });
});
