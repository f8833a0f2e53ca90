// l1 / smoothL1 / huber / klDiv / mseLoss: cases that no other test failed (mutation survivors). Bad
// settings name the op and the offending value (a string '1' shows as a string); klDiv's batchmean of a
// zero-dimensional input divides by 1 (PyTorch); the mean of an empty mseLoss is NaN (PyTorch).
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { expectOpError, type ErrorCase } from './expect-op-error.ts';

const x = () => C.tensor([1, 2]);
const t = () => C.tensor([0, 4]);

const cases: ErrorCase[] = [
  ['smoothL1Loss', () => C.smoothL1Loss(x(), t(), { beta: Infinity }), 'smoothL1Loss: beta must be a finite number ≥ 0, got Infinity'],
  ['smoothL1Loss', () => C.smoothL1Loss(x(), t(), { beta: NaN }), 'smoothL1Loss: beta must be a finite number ≥ 0, got NaN'],
  ['smoothL1Loss', () => C.smoothL1Loss(x(), t(), { beta: '1' as never }), `smoothL1Loss: beta must be a finite number ≥ 0, got '1'`],
  ['huberLoss', () => C.huberLoss(x(), t(), { delta: Infinity }), 'huberLoss: delta must be a finite number > 0, got Infinity'],
  ['huberLoss', () => C.huberLoss(x(), t(), { delta: -1 }), 'huberLoss: delta must be a finite number > 0, got -1'],
  ['huberLoss', () => C.huberLoss(x(), t(), { delta: '1' as never }), `huberLoss: delta must be a finite number > 0, got '1'`],
  ['klDiv', () => C.klDiv(x(), t(), { logTarget: 'yes' as never }), `klDiv: logTarget must be a boolean, got 'yes'`],
  ['mseLoss', () => C.mseLoss(null as never, t()), 'mseLoss: pred must be a Tensor, got null'],
  ['mseLoss', () => C.mseLoss(x(), null as never), 'mseLoss: target must be a Tensor, got null'],
];

describe('regression losses name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => expectOpError(op, call, message));
});

describe('regression loss edge cases', () => {
  it('klDiv batchmean of a zero-dimensional input is its sum', () => {
    const input = C.tensor(-1, { dtype: 'float64' }), target = C.tensor(0.5, { dtype: 'float64' });
    const want = 0.5 * (Math.log(0.5) + 1);
    expect(C.klDiv(input, target, { reduction: 'batchmean' }).item()).toBeCloseTo(want, 14);
    expect(C.klDiv(input, target, { reduction: 'sum' }).item()).toBeCloseTo(want, 14);
    // a batch of 2: the sum over 2
    const two = C.klDiv(C.tensor([[-1], [-1]], { dtype: 'float64' }), C.tensor([[0.5], [0.5]], { dtype: 'float64' }), { reduction: 'batchmean' });
    expect(two.item()).toBeCloseTo(want, 14);
  });

  it('mseLoss of empty tensors: the mean is NaN, the sum 0', () => {
    expect(C.mseLoss(C.zeros([0]), C.zeros([0])).item()).toBeNaN();
    expect(C.mseLoss(C.zeros([0]), C.zeros([0]), { reduction: 'sum' }).item()).toBe(0);
    expect(C.mseLoss(C.zeros([0]), C.zeros([0]), { reduction: 'none' }).shape).toEqual([0]);
  });
});
