// Shape-op argument checks and edge cases that no other test failed (mutation survivors): each bad call
// throws a ConvgradError naming the op and the offending value (not a later check's message); no-op
// calls return the input itself; empty ranges and ranges to the end are accepted.
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const z = (shape: number[]) => C.zeros(shape);

const cases: ErrorCase[] = [
  ['reshape', () => C.reshape(null as never, [1]), 'reshape: input must be a Tensor, got null'],
  ['reshape', () => C.reshape(z([6]), [-2, -3]), 'reshape: shape must be an array of non-negative integers (one may be -1), got [-2, -3]'],
  ['reshape', () => C.reshape(z([4]), [2, -2]), 'reshape: shape must be an array of non-negative integers (one may be -1), got [2, -2]'],
  ['reshape', () => C.reshape(z([2]), [2.5]), 'reshape: shape must be an array of non-negative integers (one may be -1), got [2.5]'],
  ['reshape', () => C.reshape(z([5]), [-1, 2]), 'reshape: cannot reshape [5] (5 elements) into [-1, 2]'],
  ['reshape', () => C.reshape(z([6]), [4]), 'reshape: cannot reshape [6] (6 elements) into [4]'],
  ['reshape', () => C.reshape(z([2]), [65536, 65536]), 'reshape: cannot reshape [2] (2 elements) into [65536, 65536]'],
  ['permute', () => C.permute(null as never, [0]), 'permute: input must be a Tensor, got null'],
  ['permute', () => C.permute(z([2, 3]), Int32Array.of(1, 0) as never), 'permute: Int32Array(2) is not a permutation of the 2 dims of [2, 3]'],
  ['permute', () => C.permute(z([2, 3]), [0]), 'permute: [0] is not a permutation of the 2 dims of [2, 3]'],
  ['permute', () => C.permute(z([2, 3]), [1, 0, 2]), 'permute: [1, 0, 2] is not a permutation of the 2 dims of [2, 3]'],
  ['permute', () => C.permute(z([2, 3]), [0, 0]), 'permute: [0, 0] is not a permutation of the 2 dims of [2, 3]'],
  ['permute', () => C.permute(z([2, 3]), [1, 1]), 'permute: [1, 1] is not a permutation of the 2 dims of [2, 3]'],
  ['transpose', () => C.transpose(null as never, 0, 1), 'transpose: input must be a Tensor, got null'],
  ['transpose', () => C.transpose(z([2, 3]), -3, 0), 'transpose: dim -3 out of range for shape [2, 3]'],
  ['transpose', () => C.transpose(z([2, 3]), 0, 2), 'transpose: dim 2 out of range for shape [2, 3]'],
  ['transpose', () => C.transpose(z([2, 3]), 0.5, 0), 'transpose: dim 0.5 out of range for shape [2, 3]'],
  ['broadcastTo', () => C.broadcastTo(null as never, [1]), 'broadcastTo: input must be a Tensor, got null'],
  ['broadcastTo', () => C.broadcastTo(z([2]), 'a' as never), `broadcastTo: shape must be an array of non-negative integers, got 'a'`],
  ['sumTo', () => C.sumTo(z([2]), 'ab' as never), `sumTo: shape must be an array of non-negative integers, got 'ab'`],
  ['slice', () => C.slice(null as never, [0], [1]), 'slice: input must be a Tensor, got null'],
  ['slice', () => C.slice(z([2]), 0 as never, [1]), 'slice: begin and size must be arrays, got 0 and [1]'],
  ['slice', () => C.slice(z([2]), [0], 1 as never), 'slice: begin and size must be arrays, got [0] and 1'],
  ['slice', () => C.slice(z([3]), [0.5], [1]), 'slice: range [0.5, 1.5) is outside dim 0 of [3]'],
  ['slice', () => C.slice(z([3]), [0], [1.5]), 'slice: range [0, 1.5) is outside dim 0 of [3]'],
  ['slice', () => C.slice(z([3]), [-1], [1]), 'slice: range [-1, 0) is outside dim 0 of [3]'],
  ['slice', () => C.slice(z([3]), [0], [-2]), 'slice: range [0, -2) is outside dim 0 of [3]'],
  ['slice', () => C.slice(z([3]), [2], [2]), 'slice: range [2, 4) is outside dim 0 of [3]'],
  ['slice', () => C.slice(z([2, 3]), [0, 1], [2, 3]), 'slice: range [1, 4) is outside dim 1 of [2, 3]'],
  ['pad', () => C.pad(null as never, [[1, 0]]), 'pad: input must be a Tensor, got null'],
  ['pad', () => C.pad(z([2]), 'ab' as never), `pad: widths must be [before, after] pairs, got 'ab'`],
  ['pad', () => C.pad(z([2, 2]), [[1, 1], [1]] as never), 'pad: widths must be [before, after] pairs, got [[1, 1], [1]]'],
  ['pad', () => C.pad(z([2, 2]), [[1, 1]]), 'pad: need 2 [before, after] pairs for shape [2, 2], got 1'],
  ['pad', () => C.pad(z([2]), [[2 ** 31, 0]]), 'pad: output shape [2147483650] has 2147483650 elements, above the allocation limit of 2147483647 (2^31 − 1): input [2], widths [[2147483648, 0]]'],
];

describe('shape ops name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('shape ops edge cases', () => {
  const x = () => C.arange(6).reshape([2, 3]);

  it('a call that changes nothing returns the input itself (no copy, no graph node)', () => {
    const t = x();
    expect(C.reshape(t, [2, 3])).toBe(t);
    expect(C.permute(t, [0, 1])).toBe(t);
    expect(C.broadcastTo(t, [2, 3])).toBe(t);
    expect(C.sumTo(t, [2, 3])).toBe(t);
    expect(C.slice(t, [0, 0], [2, 3])).toBe(t);
    expect(C.slice(t, [0, 0], [-1, -1])).toBe(t);
    expect(C.pad(t, [[0, 0], [0, 0]])).toBe(t);
  });

  it('zero-sized dims and empty ranges are accepted; a range may end at the dim end', () => {
    expect(C.reshape(z([2, 0]), [0]).shape).toEqual([0]);
    expect(C.reshape(z([2, 0]), [0, 5]).shape).toEqual([0, 5]);
    expect(C.slice(C.arange(3), [1], [0]).shape).toEqual([0]);
    expect(C.slice(C.arange(3), [3], [0]).shape).toEqual([0]);
    expect(Array.from(C.slice(C.arange(3), [1], [2]).data)).toEqual([1, 2]);
    expect(Array.from(C.slice(x(), [1, 1], [1, -1]).data)).toEqual([4, 5]);
    expect(Array.from(C.slice(x(), [0, 2], [-1, 1]).data)).toEqual([2, 5]);
  });

  it('moving only size-1 dims keeps the element order: the data is shared, not copied', () => {
    const t = C.arange(3).reshape([1, 3, 1]);
    const moved = C.permute(t, [1, 0, 2]);
    expect(moved.shape).toEqual([3, 1, 1]);
    expect(moved.data).toBe(t.data);
    expect(C.permute(t, [2, 1, 0]).data).toBe(t.data);
    // a real reordering copies
    const r = C.permute(x(), [1, 0]);
    expect(Array.from(r.data)).toEqual([0, 3, 1, 4, 2, 5]);
    // size-1 dims moved around a real reordering
    const u = C.arange(6).reshape([2, 1, 3]);
    expect(Array.from(C.permute(u, [2, 1, 0]).data)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(C.permute(u, [1, 0, 2]).data).toBe(u.data);
  });

  it('transpose takes negative dims', () => {
    expect(Array.from(C.transpose(x(), -2, -1).data)).toEqual([0, 3, 1, 4, 2, 5]);
    const t = x();
    expect(C.transpose(t, -1, 1)).toBe(t); // the same dim twice: nothing moves
  });
});
