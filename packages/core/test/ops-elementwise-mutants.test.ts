// add / sub / mul / div / neg: cases that no other test failed (mutation survivors). A number operand
// on either side takes the dtype of the Tensor operand; bad calls name the op and the offending value.
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const t64 = () => C.tensor([1, 2], { dtype: 'float64' });

const cases: ErrorCase[] = [
  ['add', () => C.add(2 as never, 3 as never), 'add: at least one operand must be a Tensor, got 2 and 3'],
  ['sub', () => C.sub('a' as never, t64()), `sub: operands must be Tensors or numbers, got 'a'`],
  ['div', () => C.div(t64(), null as never), 'div: operands must be Tensors or numbers, got null'],
  ['mul', () => C.mul(t64(), C.tensor([1, 2])), 'mul: dtype mismatch: float64 and float32 (convert one with .to())'],
  ['neg', () => C.neg(null as never), 'neg: input must be a Tensor, got null'],
];

describe('elementwise ops name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('elementwise ops with a number operand', () => {
  it('the number takes the Tensor operand\'s dtype, on either side', () => {
    for (const f of [C.add, C.sub, C.mul, C.div]) {
      expect(f(3, t64()).dtype).toBe('float64');
      expect(f(t64(), 3).dtype).toBe('float64');
      expect(f(3, C.tensor([1, 2])).dtype).toBe('float32');
    }
    // 1/3 is not a float32 value: the float64 result keeps it
    expect(C.div(1, C.tensor([3], { dtype: 'float64' })).item()).toBe(1 / 3);
    expect(Array.from(C.sub(1, t64()).data)).toEqual([0, -1]);
    expect(Array.from(C.neg(t64()).data)).toEqual([-1, -2]);
  });
});
