// The shared stride / padding / rank checks of the 2-D ops (conv-args.ts): cases that no other test
// failed (mutation survivors). Array-likes that are not arrays (strings, objects with a length) are
// refused by name, never read entry by entry.
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const x4 = () => C.zeros([1, 1, 4, 4]);

const cases: ErrorCase[] = [
  ['conv2d', () => C.conv2d(x4(), C.zeros([1, 1, 3, 3]), null, { stride: 'ab' } as never),
    `conv2d: stride must be a positive integer or an [h, w] pair of them, got 'ab': input [1, 1, 4, 4], weight [1, 1, 3, 3]`],
  ['dilate2d', () => C.dilate2d(x4(), { length: 2 } as never), 'dilate2d: stride must be a positive integer or an [h, w] pair of them, got {"length":2}'],
  ['dilate2d', () => C.dilate2d(x4(), [1, 2, 3]), 'dilate2d: stride must be a positive integer or an [h, w] pair of them, got [1, 2, 3]$'],
  ['subsample2d', () => C.subsample2d(x4(), [0, 1]), 'subsample2d: stride must be a positive integer or an [h, w] pair of them, got [0, 1]$'],
  ['pad2d', () => C.pad2d(x4(), 'abcd' as never), `pad2d: padding must be a non-negative integer or [top, bottom, left, right], got 'abcd'`],
  ['pad2d', () => C.pad2d(x4(), { length: 4 } as never), 'pad2d: padding must be a non-negative integer or [top, bottom, left, right], got {"length":4}'],
  // one bad entry among good ones
  ['pad2d', () => C.pad2d(x4(), [1, 1, 1, -1]), 'pad2d: padding must be a non-negative integer or [top, bottom, left, right], got [1, 1, 1, -1]'],
  ['pad2d', () => C.pad2d(x4(), [0, 0, 0.5, 0]), 'pad2d: padding must be a non-negative integer or [top, bottom, left, right], got [0, 0, 0.5, 0]'],
  ['dilate2d', () => C.dilate2d(x4(), [2, -1]), 'dilate2d: stride must be a positive integer or an [h, w] pair of them, got [2, -1]$'],
  ['pad2d', () => C.pad2d(x4(), [1, 2, 3]), 'pad2d: padding must be a non-negative integer or [top, bottom, left, right], got [1, 2, 3]'],
  ['pad2d', () => C.pad2d(C.zeros([4]), 1), 'pad2d: input must have at least 2 dims (…, H, W), got shape [4]'],
  ['rot180', () => C.rot180(null as never), 'rot180: input must be a Tensor, got null'],
];

describe('2-D argument checks name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('2-D arguments', () => {
  it('a pair or four paddings are copied: changing the caller\'s array later changes nothing recorded', () => {
    const stride = [2, 1];
    const y = C.dilate2d(C.ones([1, 1, 2, 2], { requiresGrad: true }), stride);
    stride[0] = 5;
    expect(y.gradFn?.attrs).toEqual({ stride: [2, 1] });
    expect(y.shape).toEqual([1, 1, 3, 2]);
    const pads = [1, 0, 0, 2];
    const p = C.pad2d(C.ones([1, 1, 2, 2], { requiresGrad: true }), pads);
    pads[0] = 7;
    expect(p.gradFn?.attrs).toEqual({ padding: [1, 0, 0, 2] });
    expect(p.shape).toEqual([1, 1, 3, 4]);
  });
});
