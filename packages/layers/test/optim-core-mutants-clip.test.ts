// Cases found by mutation testing of optim/clip-grad.ts: bad arguments refused with the exact message, and
// totals and clipped gradients at the edges (zero gradients, one zero element, ±∞, NaN, maxNorm 0,
// clipValue 0, a fractional p), each checked against torch 1.13's clip_grad_norm_ / clip_grad_value_.
import { describe, expect, it } from 'vitest';
import { tensor } from '@convgrad/core';
import { clipGradNorm, clipGradValue } from '../src/index.ts';

const f64 = { dtype: 'float64' as const };
const withGrad = (g: number[]) => {
  const p = tensor(g.map(() => 0), undefined, { ...f64, requiresGrad: true });
  p.grad = tensor(g, undefined, f64);
  return p;
};
const gradOf = (p: ReturnType<typeof withGrad>) => Array.from(p.grad!.data);

describe('clipGradNorm and clipGradValue refuse bad arguments with the exact message', () => {
  const ok = () => [withGrad([1])];
  const notParams = 'must be a tensor or an iterable of tensors, got';
  it.each<[string, () => unknown, string]>([
    ['params a number', () => clipGradNorm(5 as never, 1), `clipGradNorm: params ${notParams} 5`],
    ['params null', () => clipGradNorm(null as never, 1), `clipGradNorm: params ${notParams} null`],
    ['params a string', () => clipGradNorm('ab' as never, 1), `clipGradNorm: params ${notParams} "ab"`],
    ['params a plain object', () => clipGradNorm({} as never, 1), `clipGradNorm: params ${notParams} an object {}`],
    ['a number in the list', () => clipGradNorm([5] as never, 1), 'clipGradNorm: parameter 0 must be a Tensor, got 5'],
    ['null in the list', () => clipGradValue([withGrad([1]), null] as never, 1), 'clipGradValue: parameter 1 must be a Tensor, got null'],
    ['maxNorm negative', () => clipGradNorm(ok(), -1), 'clipGradNorm: maxNorm must be a finite number ≥ 0, got -1'],
    ['maxNorm Infinity', () => clipGradNorm(ok(), Infinity), 'clipGradNorm: maxNorm must be a finite number ≥ 0, got Infinity'],
    ['maxNorm a string', () => clipGradNorm(ok(), '1' as never), 'clipGradNorm: maxNorm must be a finite number ≥ 0, got "1"'],
    ['normType a string', () => clipGradNorm(ok(), 1, '2' as never), 'clipGradNorm: normType must be a number > 0 or Infinity, got "2"'],
    ['normType -Infinity', () => clipGradNorm(ok(), 1, -Infinity), 'clipGradNorm: normType must be a number > 0 or Infinity, got -Infinity'],
    ['options null', () => clipGradNorm(ok(), 1, 2, null as never), 'clipGradNorm: options must be an object, got null'],
    ['options a number', () => clipGradNorm(ok(), 1, 2, 5 as never), 'clipGradNorm: options must be an object, got 5'],
    ['clipValue Infinity', () => clipGradValue(ok(), Infinity), 'clipGradValue: clipValue must be a finite number ≥ 0, got Infinity'],
    ['clipValue a string', () => clipGradValue(ok(), '1' as never), 'clipGradValue: clipValue must be a finite number ≥ 0, got "1"'],
  ])('%s', (_, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('clipGradNorm at the edges, as torch.nn.utils.clip_grad_norm_', () => {
  // torch: p.grad = [3, 0]; clip_grad_norm_([p], 1) → 3.0, grads [0.9999996666667778, 0.0]
  it('the max element followed by a zero', () => {
    const p = withGrad([3, 0]);
    expect(clipGradNorm(p, 1)).toBe(3);
    expect(gradOf(p)).toEqual([3 / (3 + 1e-6), 0]);
  });

  it('all-zero gradients: total 0, nothing changes', () => {
    const p = withGrad([0, 0]);
    expect(clipGradNorm([p], 1)).toBe(0);
    expect(clipGradNorm([p], 1, Infinity)).toBe(0);
    expect(gradOf(p)).toEqual([0, 0]);
  });

  // torch: [inf, 1], p = 2 → inf, grads [nan, 0.0]
  it('an infinite element: the 2-norm is ∞ and the gradients become NaN and 0', () => {
    const p = withGrad([Infinity, 1]);
    expect(clipGradNorm([p], 1)).toBe(Infinity);
    expect(gradOf(p)).toEqual([NaN, 0]);
  });

  it('a NaN element anywhere gives a NaN total for every p', () => {
    for (const normType of [1, 2, Infinity]) expect(clipGradNorm([withGrad([1, NaN, 2])], 1, normType)).toBeNaN();
  });

  // torch: [3, -4], max_norm 0 → 5.0, grads [0.0, -0.0]
  it('maxNorm 0 zeroes the gradients and returns the total', () => {
    const p = withGrad([3, -4]);
    expect(clipGradNorm(p, 0)).toBe(5);
    expect(gradOf(p)).toEqual([0, -0]);
  });

  // torch: [3, -4], max_norm 1, norm_type 1.5 → 5.584250376480029, grads [0.537225099256011, -0.716300132341348]
  it('a fractional p, over two parameters', () => {
    const [a, b] = [withGrad([3]), withGrad([-4])];
    expect(clipGradNorm([a, b], 1, 1.5)).toBeCloseTo(5.584250376480029, 13);
    expect(gradOf(a)[0]).toBeCloseTo(0.537225099256011, 13);
    expect(gradOf(b)[0]).toBeCloseTo(-0.716300132341348, 13);
  });

  it('the ∞-norm is the largest magnitude', () => {
    const p = withGrad([3, -4, 0.5]);
    expect(clipGradNorm([p], 2, Infinity)).toBe(4);
    const c = 2 / (4 + 1e-6);
    expect(gradOf(p)).toEqual([3 * c, -4 * c, 0.5 * c]);
  });
});

// torch: clip_grad_value_ of [3, -4, 0.5] with 0 → [0.0, -0.0, 0.0]
it('clipGradValue 0 zeroes the gradients (keeping the sign of zero, as torch)', () => {
  const p = withGrad([3, -4, 0.5]);
  clipGradValue(p, 0);
  expect(gradOf(p)).toEqual([0, -0, 0]);
});
