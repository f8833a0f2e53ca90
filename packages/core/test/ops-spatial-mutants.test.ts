// pad2d / dilate2d / subsample2d / rot180 checks and edge cases that no other test failed (mutation
// survivors): bad calls name the op and the offending value; no-op calls return the input itself.
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const x4 = () => C.arange(16).reshape([1, 1, 4, 4]);

const cases: ErrorCase[] = [
  ['pad2d', () => C.pad2d(x4(), 1, null as never), `pad2d: mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got null`],
];

describe('spatial ops name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('spatial ops edge cases', () => {
  it('pad2d: an undefined mode is the default zeros', () => {
    expect(C.pad2d(x4(), 1, undefined).toArray()).toEqual(C.pad2d(x4(), 1, 'zeros').toArray());
  });
});
