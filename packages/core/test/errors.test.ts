// Bad input gets a ConvgradError whose message names the op and the shapes — never a wrong answer.
import { describe, it, expect } from 'vitest';
import {
  add, arange, broadcastTo, ConvgradError, conv2d, dilate2d, div, grad, matmul, MAX_ELEMENTS, maxPool2d, mseLoss, mul, pad,
  pad2d, permute, randn, relu, reshape, rot180, slice, sub, sum, Tensor, tensor, transpose, zeros,
} from '../src/index.ts';

const z = (shape: number[], requiresGrad = false) => zeros(shape, { requiresGrad });
const z64 = (shape: number[]) => zeros(shape, { dtype: 'float64' });

/** Asserts fn throws a ConvgradError for `op` whose message matches `pattern`. */
function expectError(fn: () => unknown, op: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${op} to throw`).toBeInstanceOf(ConvgradError);
  const err = caught as ConvgradError;
  expect(err.op).toBe(op);
  expect(err.message.startsWith(`${op}: `), err.message).toBe(true);
  expect(err.message).toMatch(pattern);
}

describe('conv2d rejects', () => {
  it('a channel mismatch, naming both shapes', () => {
    expectError(() => conv2d(z([1, 3, 5, 5]), z([2, 4, 3, 3])), 'conv2d', /channel mismatch.*input \[1, 3, 5, 5\], weight \[2, 4, 3, 3\]/);
  });

  it('an input or weight of the wrong rank', () => {
    expectError(() => conv2d(z([3, 5, 5]), z([2, 3, 3, 3])), 'conv2d', /input must be \[N, Cin, H, W\].*rank 3.*\[3, 5, 5\]/);
    expectError(() => conv2d(z([1, 3, 5, 5]), z([3, 3, 3])), 'conv2d', /weight must be \[Cout, Cin, KH, KW\].*rank 3.*weight \[3, 3, 3\]/);
  });

  it('a kernel larger than the padded input (also when dilation makes it so)', () => {
    expectError(() => conv2d(z([1, 1, 3, 3]), z([1, 1, 5, 5])), 'conv2d', /kernel 5×5 is larger than the padded input 3×3.*input \[1, 1, 3, 3\], weight \[1, 1, 5, 5\]/);
    expectError(() => conv2d(z([1, 1, 4, 4]), z([1, 1, 3, 3]), null, { dilation: 2 }), 'conv2d', /kernel 5×5 \(dilated\) is larger than the padded input 4×4/);
    // With padding it fits: 3 + 2·1 = 5.
    expect(conv2d(z([1, 1, 3, 3]), z([1, 1, 5, 5]), null, { padding: 1 }).shape).toEqual([1, 1, 1, 1]);
  });

  it.each([
    ['stride', 0, '0'], ['stride', -1, '-1'], ['stride', 1.5, '1.5'], ['stride', [1, 0], '[1, 0]'], ['stride', NaN, 'NaN'],
    ['padding', -1, '-1'], ['padding', 0.5, '0.5'], ['padding', [1, -2], '[1, -2]'],
    ['dilation', 0, '0'], ['dilation', -2, '-2'], ['dilation', 2.5, '2.5'],
  ] as const)('%s = %j, naming the value and the shapes', (name, value, shown) => {
    const err = new RegExp(`${name} must be a (positive|non-negative) integer.*got ${shown.replace(/[[\]]/g, '\\$&')}: input \\[1, 1, 5, 5\\], weight \\[1, 1, 3, 3\\]`);
    expectError(() => conv2d(z([1, 1, 5, 5]), z([1, 1, 3, 3]), null, { [name]: value }), 'conv2d', err);
  });

  it('an [h, w] argument with the wrong length', () => {
    expectError(() => conv2d(z([1, 1, 5, 5]), z([1, 1, 3, 3]), null, { stride: [1, 1, 1] }), 'conv2d', /stride must be .*\[h, w\] pair/);
  });

  it('mixed dtypes', () => {
    expectError(() => conv2d(z([1, 1, 5, 5]), z64([1, 1, 3, 3])), 'conv2d', /dtype mismatch: input float32, weight float64/);
    expectError(() => conv2d(z([1, 1, 5, 5]), z([1, 1, 3, 3]), z64([1])), 'conv2d', /dtype mismatch: input float32, bias float64/);
  });

  it('a bias of the wrong length or rank (one bias per output channel)', () => {
    expectError(() => conv2d(z([1, 3, 5, 5]), z([2, 3, 3, 3]), z([3])), 'conv2d', /bias must be \[Cout\] = \[2\].*bias \[3\]/);
    expectError(() => conv2d(z([1, 3, 5, 5]), z([2, 3, 3, 3]), z([1, 2])), 'conv2d', /bias must be \[Cout\] = \[2\].*bias \[1, 2\]/);
  });

  it('empty tensors', () => {
    expectError(() => conv2d(z([0, 1, 5, 5]), z([1, 1, 3, 3])), 'conv2d', /empty input or weight: input \[0, 1, 5, 5\]/);
  });
});

describe('elementwise and loss ops reject', () => {
  it.each([['add', add], ['sub', sub], ['mul', mul], ['div', div]] as const)('%s: shapes that do not broadcast, and mixed dtypes', (name, op) => {
    expectError(() => op(z([2, 3]), z([4])), name, /shapes \[2, 3\] and \[4\] cannot be broadcast together/);
    expectError(() => op(z([2, 1, 3]), z([5, 2])), name, /shapes \[2, 1, 3\] and \[5, 2\] cannot be broadcast together \(dimension 2: 3 vs 2\)/);
    expectError(() => op(z([2]), z64([2])), name, /dtype mismatch: float32 and float64/);
  });

  it('mseLoss: different shapes or dtypes, unknown reduction', () => {
    expectError(() => mseLoss(z([2, 3]), z([3, 2])), 'mseLoss', /pred \[2, 3\] and target \[3, 2\] must have the same shape/);
    expectError(() => mseLoss(z([2]), z64([2])), 'mseLoss', /dtype mismatch: pred float32, target float64/);
    expectError(() => mseLoss(z([2]), z([2]), { reduction: 'avg' as never }), 'mseLoss', /reduction must be .*got 'avg'/);
  });
});

describe('shape ops reject', () => {
  it('reshape to the wrong size', () => {
    expectError(() => reshape(z([2, 3]), [4]), 'reshape', /cannot reshape \[2, 3\] \(6 elements\) into \[4\]/);
    expectError(() => reshape(z([2, 3]), [-1, 4]), 'reshape', /cannot reshape \[2, 3\] \(6 elements\) into \[-1, 4\]/);
    expectError(() => reshape(z([2, 3]), [-1, -1]), 'reshape', /only one dimension can be -1/);
  });

  it('slice out of range', () => {
    expectError(() => slice(z([3, 4]), [1, 0], [3, 4]), 'slice', /range \[1, 4\) is outside dim 0 of \[3, 4\]/);
    expectError(() => slice(z([3, 4]), [0, -1], [1, 1]), 'slice', /range \[-1, 0\) is outside dim 1 of \[3, 4\]/);
    expectError(() => slice(z([3, 4]), [0], [1]), 'slice', /begin and size need 2 entries for shape \[3, 4\]/);
  });

  it('permute / transpose with bad dims, broadcastTo an incompatible shape, pad with bad widths', () => {
    expectError(() => permute(z([2, 3]), [0, 0]), 'permute', /\[0, 0\] is not a permutation of the 2 dims of \[2, 3\]/);
    expectError(() => transpose(z([2, 3]), 0, 2), 'transpose', /dim 2 out of range for shape \[2, 3\]/);
    expectError(() => broadcastTo(z([2, 3]), [3, 3]), 'broadcastTo', /cannot broadcast \[2, 3\] to \[3, 3\]/);
    expectError(() => pad(z([2, 3]), [[0, 1]]), 'pad', /need 2 \[before, after\] pairs for shape \[2, 3\]/);
    expectError(() => pad(z([2, 3]), [[0, 1], [-1, 0]]), 'pad', /padding must be non-negative integers/);
  });

  it('sum over an axis out of range or repeated', () => {
    expectError(() => sum(z([2, 3]), 2), 'sum', /axis 2 is out of range for rank 2/);
    expectError(() => sum(z([2, 3]), [1, -1]), 'sum', /repeated axis/);
  });

  it('spatial ops: rank below 2, bad padding or stride', () => {
    expectError(() => pad2d(z([5]), 1), 'pad2d', /at least 2 dims.*\[5\]/);
    expectError(() => rot180(z([5])), 'rot180', /at least 2 dims.*\[5\]/);
    expectError(() => pad2d(z([2, 2]), [1, 1]), 'pad2d', /padding must be a non-negative integer or \[top, bottom, left, right\]/);
    expectError(() => dilate2d(z([2, 2]), 0), 'dilate2d', /stride must be a positive integer/);
  });
});

describe('the engine rejects', () => {
  it('backward on a non-scalar without gradOutput', () => {
    const y = mul(z([2, 3], true), 2);
    expectError(() => y.backward(), 'backward', /only for a scalar output; got shape \[2, 3\]/);
  });

  it('backward on a tensor that does not require grad', () => {
    expectError(() => sum(z([2, 3])).backward(), 'backward', /Tensor\(shape=\[\].*does not require grad/);
  });

  it('a gradOutput of the wrong shape or dtype', () => {
    const y = mul(z([2, 3], true), 2);
    expectError(() => y.backward(z([3, 2])), 'backward', /gradOutput shape \[3, 2\] does not match output shape \[2, 3\]/);
    expectError(() => y.backward(z64([2, 3])), 'backward', /gradOutput dtype float64 does not match output dtype float32/);
  });

  it('grad() of or with respect to tensors that do not require grad', () => {
    const x = z([2], true);
    const c: Tensor = z([2]);
    expectError(() => grad(sum(mul(x, c)), [c]), 'grad', /input .*shape=\[2\].* does not require grad/);
    expectError(() => grad(sum(c), [x]), 'grad', /output .* does not require grad/);
  });

  it('a non-scalar tensor to item()', () => {
    expectError(() => z([2, 2]).item(), 'item', /one-element.*\[2, 2\]/);
  });

  it('an input that is not a tensor', () => {
    expectError(() => add(2 as never, 3 as never), 'add', /at least one operand must be a Tensor/);
    expectError(() => mul(z([2]), 'x' as never), 'mul', /operands must be Tensors or numbers, got 'x'/);
    expectError(() => conv2d(z([1, 1, 5, 5]), [1] as never), 'conv2d', /weight must be a Tensor, got \[1\]/);
    expect(() => tensor([1], undefined, { dtype: 'int32' as never })).toThrow(/tensor: unsupported dtype 'int32'/);
  });
});

describe('the bad-input campaign of issue 10: each call names the op and the value', () => {
  it('sizes above the allocation limit are refused before allocating', () => {
    expectError(() => zeros([2 ** 17, 2 ** 17]), 'zeros', /shape \[131072, 131072\] has 17179869184 elements, above the allocation limit of 2147483647/);
    expectError(() => conv2d(z([1, 1, 5, 5]), z([1, 1, 3, 3]), null, { padding: 65536 }), 'conv2d', /output shape \[1, 1, 131075, 131075\] .*padding \[65536, 65536\]/);
    expectError(() => arange(0, Infinity), 'arange', /end must be a finite number, got Infinity/);
    expect(MAX_ELEMENTS).toBe(2 ** 31 - 1);
  });

  it('null, NaN and fractions in geometry', () => {
    expectError(() => conv2d(z([1, 1, 5, 5]), z([1, 1, 3, 3]), null, { stride: null as never }), 'conv2d', /stride must be a positive integer .*got null/);
    expectError(() => maxPool2d(z([1, 1, 4, 4]), 2, { stride: null as never }), 'maxPool2d', /stride must be a positive integer .*got null/);
    expectError(() => conv2d(z([1, 1, 5, 5]), z([1, 1, 3, 3]), null, { dilation: NaN }), 'conv2d', /dilation .*got NaN/);
    expectError(() => maxPool2d(z([1, 1, 4, 4]), 1.5), 'maxPool2d', /kernel must be a positive integer .*got 1.5/);
  });

  it('a missing tensor argument', () => {
    expectError(() => conv2d(undefined as never, z([1, 1, 3, 3])), 'conv2d', /input must be a Tensor, got undefined/);
    expectError(() => relu(undefined as never), 'relu', /input must be a Tensor, got undefined/);
    expectError(() => matmul(z([2, 2]), undefined as never), 'matmul', /second operand must be a Tensor, got undefined/);
  });

  it('dtypes: only float32 and float64, and the typed array must be one of them', () => {
    expectError(() => randn([2], { dtype: 'float16' as never }), 'randn', /unsupported dtype 'float16' \(float32 or float64\)/);
    expectError(() => zeros([2], { dtype: 'int8' as never }), 'zeros', /unsupported dtype 'int8'/);
    expectError(() => new Tensor(new Int32Array(2) as never, [2]), 'Tensor', /data must be a Float32Array or a Float64Array, got Int32Array\(2\)/);
    expectError(() => zeros([2]).to('int32' as never), 'to', /unsupported dtype 'int32'/);
    // tensor() converts numbers by value (as torch.tensor(values, dtype=...)), never by reinterpreting bits
    expect(Array.from(tensor(new Int32Array([1, -2, 3])).data)).toEqual([1, -2, 3]);
  });

  it('unknown options are refused, not ignored', () => {
    expectError(() => conv2d(z([1, 1, 5, 5]), z([1, 1, 3, 3]), null, { strides: 2 } as never), 'conv2d', /unknown option 'strides' \(known: stride, padding, dilation, groups\)/);
    expectError(() => zeros([2], { dtyp: 'float64' } as never), 'zeros', /unknown option 'dtyp'/);
  });
});
