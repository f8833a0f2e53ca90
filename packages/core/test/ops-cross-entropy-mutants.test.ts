// crossEntropy / nllLoss argument checks that no other test failed (mutation survivors): each bad call
// throws a ConvgradError naming the op and the offending value; the accepted edge cases give PyTorch's values.
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const z = (shape: number[], dtype: 'float32' | 'float64' = 'float32') => C.zeros(shape, { dtype });

const cases: ErrorCase[] = [
  ['crossEntropy', () => C.crossEntropy(null as never, [0]), 'crossEntropy: input must be a Tensor, got null'],
  ['nllLoss', () => C.nllLoss(z([2, 3]), [0, 1], { weight: 'w' as never }), `nllLoss: weight must be a Tensor, got 'w'`],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), [0, 1], { weight: z([2]) }), 'crossEntropy: weight must have shape [3] (one per class), got [2]$'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), [0, 1], { weight: z([1, 3]) }), 'crossEntropy: weight must have shape [3] (one per class), got [1, 3]$'],
  // rank 2 with C rows
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), [0, 1], { weight: z([3, 2]) }), 'crossEntropy: weight must have shape [3] (one per class), got [3, 2]$'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), [0, 1], { weight: z([3], 'float64') }), 'crossEntropy: weight is float64 but the input is float32'],
  // probability targets check the weight too
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), z([2, 3]), { weight: z([3], 'float64') }), 'crossEntropy: weight is float64 but the input is float32'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), z([2, 3], 'float64')), 'crossEntropy: dtype mismatch: input float32, target float64'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), C.tensor([0, 1, 1])), 'crossEntropy: class-index target must have shape [2] for this input, got [3]'],
  // a zero-dimensional target stands for one position only
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), C.tensor(1)), 'crossEntropy: class-index target must have shape [2] for this input, got []'],
  ['crossEntropy', () => C.crossEntropy(z([1, 3, 1]), C.tensor(1)), 'crossEntropy: class-index target must have shape [1, 1] for this input, got []'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), [0, 'a'] as never), `crossEntropy: target must be a Tensor, a typed array or an array of numbers, got [0, 'a']`],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), ['a', 'b'] as never), `crossEntropy: target must be a Tensor, a typed array or an array of numbers, got ['a', 'b']`],
  ['nllLoss', () => C.nllLoss(z([2, 3]), 'ab' as never), `nllLoss: target must be a Tensor, a typed array or an array of numbers, got 'ab'`],
  ['nllLoss', () => C.nllLoss(z([2, 3]), new DataView(new ArrayBuffer(2)) as never), 'nllLoss: target must be a Tensor, a typed array or an array of numbers, got DataView'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), [0, 3]), 'crossEntropy: target 3 at position 1 is out of range: need an integer class in [0, 3) or ignoreIndex -100'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), [-1, 0]), 'crossEntropy: target -1 at position 0 is out of range: need an integer class in [0, 3) or ignoreIndex -100'],
  ['nllLoss', () => C.nllLoss(z([2, 3]), [0.5, 1], { ignoreIndex: 2 }), 'nllLoss: target 0.5 at position 0 is out of range: need an integer class in [0, 3) or ignoreIndex 2'],
  ['nllLoss', () => C.nllLoss(z([2, 3]), Int32Array.of(1, -100), { ignoreIndex: 2 }), 'nllLoss: target -100 at position 1 is out of range'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), z([2, 3]), { ignoreIndex: 1 }), 'crossEntropy: ignoreIndex applies to class-index targets only, not to probability targets'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), z([2, 3]), { ignoreIndex: 100 }), 'crossEntropy: ignoreIndex applies to class-index targets only'],
];

describe('crossEntropy and nllLoss name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('crossEntropy edge cases', () => {
  it('a [1, C] input takes a zero-dimensional class-index target', () => {
    const x = C.tensor([[1, 2, 3]], { dtype: 'float64' });
    const want = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 2;
    expect(C.crossEntropy(x, C.tensor(1, { dtype: 'float64' })).item()).toBeCloseTo(want, 12);
  });

  it('without label smoothing a -Infinity logit of another class leaves the loss finite (PyTorch: 0 here)', () => {
    // the smoothing term Σ_c logp_c is -Infinity there; it must not be computed (0·∞ = NaN) when ε = 0
    const x = C.tensor([[0, -Infinity], [-Infinity, 0]], { dtype: 'float64' });
    expect(C.crossEntropy(x, [0, 1]).item()).toBe(0);
    expect(Array.from(C.crossEntropy(x, [0, 1], { reduction: 'none' }).data, (v) => v === 0)).toEqual([true, true]);
    expect(C.nllLoss(C.logSoftmax(x, 1), [0, 1], { reduction: 'sum' }).item()).toBe(0);
  });

  it('probability targets accept ignoreIndex at its default -100 (as PyTorch)', () => {
    const x = C.tensor([[1, 2, 3], [0, 0, 0]], { dtype: 'float64' });
    const t = C.tensor([[0.2, 0.3, 0.5], [1, 0, 0]], { dtype: 'float64' });
    const plain = C.crossEntropy(x, t).item();
    expect(C.crossEntropy(x, t, { ignoreIndex: -100 }).item()).toBe(plain);
    expect(plain).toBeCloseTo((-(0.2 * (1 - 2) + 0.3 * (2 - 2) + 0.5 * (3 - 2)) + Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 2 + Math.log(3)) / 2, 12);
  });
});
