// abs / clamp / where: cases that no other test failed (mutation survivors). where's number operands
// take the dtype of its Tensor operand (else of cond); clamp's bounds may be null (absent).
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const c32 = () => C.tensor([1, 0, 2]);
const t64 = () => C.tensor([7, 8, 9], { dtype: 'float64' });

const cases: ErrorCase[] = [
  ['clamp', () => C.clamp(C.tensor([1]), { min: null as never, max: null as never }), 'clamp: at least one of min and max must be given'],
  ['clamp', () => C.clamp(C.tensor([1]), null, null), 'clamp: at least one of min and max must be given'],
  ['abs', () => C.abs('x' as never), `abs: input must be a Tensor, got 'x'`],
  ['sqrt', () => C.sqrt(null as never), 'sqrt: input must be a Tensor, got null'],
  ['pow', () => C.pow(null as never, 2), 'pow: input must be a Tensor, got null'],
  ['pow', () => C.pow(C.tensor([1]), Infinity), 'pow: exponent must be a finite number, got Infinity'],
  ['where', () => C.where(null as never, 1, 2), 'where: cond must be a Tensor, got null'],
];

describe('abs, clamp and where name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('where with number operands', () => {
  it('a number takes the dtype of the Tensor operand, on either side, else of cond', () => {
    const a = C.where(c32(), 1, t64());
    expect([a.dtype, Array.from(a.data)]).toEqual(['float64', [1, 8, 1]]);
    const b = C.where(c32(), t64(), 0.1);
    expect([b.dtype, Array.from(b.data)]).toEqual(['float64', [7, 0.1, 9]]);
    const c = C.where(C.tensor([1, 0, 2], { dtype: 'float64' }), 0.1, 2);
    expect([c.dtype, Array.from(c.data)]).toEqual(['float64', [0.1, 2, 0.1]]);
    expect(C.where(c32(), 0.1, 2).dtype).toBe('float32');
  });
});

describe('clamp bounds', () => {
  it('null is an absent bound, in both call forms', () => {
    expect(Array.from(C.clamp(C.tensor([-2, 0, 2]), null, 1).data)).toEqual([-2, 0, 1]);
    expect(Array.from(C.clamp(C.tensor([-2, 0, 2]), -1, null).data)).toEqual([-1, 0, 2]);
    expect(Array.from(C.clamp(C.tensor([-2, 0, 2]), { max: 1 }).data)).toEqual([-2, 0, 1]);
    expect(Array.from(C.clamp(C.tensor([-2, 0, 2]), { min: null as never, max: 1 }).data)).toEqual([-2, 0, 1]);
  });

  it('NaN stays NaN with either bound or both; min > max gives max everywhere', () => {
    expect(Array.from(C.clamp(C.tensor([NaN, 5]), -1, 1).data)).toEqual([NaN, 1]);
    expect(Array.from(C.clamp(C.tensor([NaN, -5]), -1).data)).toEqual([NaN, -1]);
    expect(Array.from(C.clamp(C.tensor([NaN, 5]), null, 1).data)).toEqual([NaN, 1]);
    expect(Array.from(C.clamp(C.tensor([-5, 0, 5, NaN]), 2, 1).data)).toEqual([1, 1, 1, NaN]);
  });
});
