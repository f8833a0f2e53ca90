// pad2d / dilate2d / subsample2d / rot180 checks and edge cases that no other test failed (mutation
// survivors): bad calls name the op and the offending value; no-op calls return the input itself.
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const x4 = () => C.arange(16).reshape([1, 1, 4, 4]);

const cases: ErrorCase[] = [
  ['pad2d', () => C.pad2d(x4(), 1, null as never), `pad2d: mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got null`],
  ['dilate2d', () => C.dilate2d(C.zeros([1, 1, 2, 2]), 2 ** 30),
    'dilate2d: output shape [1, 1, 1073741825, 1073741825] has 1152921506754330600 elements, above the allocation limit of 2147483647 (2^31 − 1): input [1, 1, 2, 2], stride 1073741824'],
  ['pad2d', () => C.pad2d(C.zeros([1, 1, 1, 1]), 2 ** 30),
    'pad2d: output shape [1, 1, 2147483649, 2147483649] has 4611686022722355000 elements, above the allocation limit of 2147483647 (2^31 − 1): input [1, 1, 1, 1], padding 1073741824'],
  ['pad2d', () => C.pad2d(C.zeros([1, 1, 2, 3]), [0, 2, 0, 0], 'reflect'), `pad2d: reflect padding [0, 2, 0, 0]: the bottom pad 2 must be smaller than the dim's size 2 (input [1, 1, 2, 3])`],
  ['pad2d', () => C.pad2d(C.zeros([1, 1, 2, 3]), [0, 0, 0, 4], 'circular'), `pad2d: circular padding [0, 0, 0, 4]: the right pad 4 must be at most the dim's size 3 (input [1, 1, 2, 3])`],
  ['pad2d', () => C.pad2d(C.zeros([1, 1, 2, 3]), [0, 0, 3, 0], 'reflect'), `pad2d: reflect padding [0, 0, 3, 0]: the left pad 3 must be smaller than the dim's size 3`],
];

describe('spatial ops name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('spatial ops edge cases', () => {
  it('pad2d: an undefined mode is the default zeros', () => {
    expect(C.pad2d(x4(), 1, undefined).toArray()).toEqual(C.pad2d(x4(), 1, 'zeros').toArray());
  });

  it('a call that changes nothing returns the input itself', () => {
    const x = x4();
    expect(C.pad2d(x, 0)).toBe(x);
    expect(C.pad2d(x, [0, 0, 0, 0])).toBe(x);
    expect(C.dilate2d(x, 1)).toBe(x);
    expect(C.subsample2d(x, [1, 1])).toBe(x);
  });

  it('a stride of 1 on one dim only still dilates or subsamples the other', () => {
    expect(C.dilate2d(C.arange(4).reshape([1, 2, 2]), [1, 2]).toArray()).toEqual([[[0, 0, 1], [2, 0, 3]]]);
    expect(C.dilate2d(C.arange(4).reshape([2, 2]), [2, 1]).toArray()).toEqual([[0, 1], [0, 0], [2, 3]]);
    expect(C.subsample2d(C.arange(6).reshape([2, 3]), [1, 2]).toArray()).toEqual([[0, 2], [3, 5]]);
    expect(C.subsample2d(C.arange(6).reshape([2, 3]), [2, 1]).toArray()).toEqual([[0, 1, 2]]);
  });

  it('the nodes record their settings (asymmetric, so a swap shows)', () => {
    const x = () => C.ones([1, 1, 3, 4], { requiresGrad: true });
    expect(C.pad2d(x(), [1, 0, 2, 3]).gradFn?.attrs).toEqual({ padding: [1, 0, 2, 3] });
    expect(C.dilate2d(x(), [2, 3]).gradFn?.attrs).toEqual({ stride: [2, 3] });
    expect(C.subsample2d(x(), [2, 3]).gradFn?.attrs).toEqual({ stride: [2, 3] });
    expect(C.rot180(x()).gradFn?.attrs).toBeUndefined();
  });

  it('pad modes at their largest pads (reflect: size − 1, circular: size, replicate: any)', () => {
    const row = () => C.arange(3).reshape([1, 3]);
    expect(C.pad2d(row(), [0, 0, 2, 2], 'reflect').toArray()).toEqual([[2, 1, 0, 1, 2, 1, 0]]);
    expect(C.pad2d(row(), [0, 0, 3, 3], 'circular').toArray()).toEqual([[0, 1, 2, 0, 1, 2, 0, 1, 2]]);
    expect(C.pad2d(row(), [0, 0, 2, 4], 'replicate').toArray()).toEqual([[0, 0, 0, 1, 2, 2, 2, 2, 2]]);
    const col = () => C.arange(3).reshape([3, 1]);
    expect(C.pad2d(col(), [2, 1, 0, 0], 'reflect').toArray()).toEqual([[2], [1], [0], [1], [2], [1]]);
    expect(C.pad2d(col(), [3, 0, 0, 0], 'circular').toArray()).toEqual([[0], [1], [2], [0], [1], [2]]);
    expect(C.pad2d(col(), [1, 2, 0, 0], 'replicate').toArray()).toEqual([[0], [0], [1], [2], [2], [2]]);
  });
});
