// matmul checks and edge cases that no other test failed (mutation survivors): bad calls name the op and
// the offending value; empty products call no GEMM; k = 0 gives zeros.
import { afterEach, describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const z = (shape: number[], dtype: 'float32' | 'float64' = 'float32') => C.zeros(shape, { dtype });

const cases: ErrorCase[] = [
  ['matmul', () => C.matmul(null as never, z([2])), 'matmul: first operand must be a Tensor, got null'],
  ['matmul', () => C.matmul(z([2]), 3 as never), 'matmul: second operand must be a Tensor, got 3'],
  ['matmul', () => C.matmul(z([2, 2]), z([2, 2], 'float64')), 'matmul: dtype mismatch: [2, 2] is float32, [2, 2] is float64'],
  ['matmul', () => C.matmul(z([65536, 1]), z([1, 65536])),
    'matmul: output shape [65536, 65536] has 4294967296 elements, above the allocation limit of 2147483647 (2^31 − 1): [65536, 1] and [1, 65536]'],
  ['matmul', () => C.matmul(z([2, 3]), z([4, 2])), 'matmul: inner dimensions differ: [2, 3] and [4, 2] (3 ≠ 4); need [..., m, k] × [..., k, n]'],
];

describe('matmul names the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('matmul edge cases', () => {
  afterEach(() => C.setBackend('js'));

  it('an empty output calls no GEMM; an empty inner dim gives zeros', () => {
    const js = C.getBackend();
    let calls = 0;
    C.registerBackend({ ...js, name: 'counting-matmul-empty', gemm: (...args) => { calls++; js.gemm(...args); } });
    C.setBackend('counting-matmul-empty');
    expect(C.matmul(z([0, 2]), z([2, 3])).shape).toEqual([0, 3]);
    expect(C.matmul(z([2, 2]), z([2, 0])).shape).toEqual([2, 0]);
    expect(C.matmul(z([3, 0, 2]), z([2, 3])).shape).toEqual([3, 0, 3]);
    expect(calls).toBe(0);
    // k = 0: every entry is an empty sum
    const k0 = C.matmul(C.full([2, 0], 5), C.full([0, 3], 7));
    expect(k0.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(calls).toBe(1);
    // a zero-sized batch dim: no entry to multiply
    expect(C.matmul(z([0, 2, 2]), z([2, 2])).shape).toEqual([0, 2, 2]);
    expect(calls).toBe(1);
  });

  it('size-1 batch dims broadcast on either side', () => {
    const a = C.arange(8).reshape([2, 1, 2, 2]);
    const b = C.arange(12).reshape([3, 2, 2]);
    const out = C.matmul(a, b);
    expect(out.shape).toEqual([2, 3, 2, 2]);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const want = C.matmul(C.slice(a, [i, 0, 0, 0], [1, 1, 2, 2]).reshape([2, 2]), C.slice(b, [j, 0, 0], [1, 2, 2]).reshape([2, 2]));
        expect(C.slice(out, [i, j, 0, 0], [1, 1, 2, 2]).reshape([2, 2]).toArray()).toEqual(want.toArray());
      }
    }
  });
});
