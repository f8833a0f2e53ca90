// gradcheck / gradgradcheck themselves: they must catch wrong backward rules and say where.
import { describe, it, expect } from 'vitest';
import { record, Tensor, tensor, mul } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor } from '../src/testing/index.ts';

/** x ↦ x² elementwise with a hand-written backward rule g ↦ rule(g, x). */
function squareWithRule(rule: (g: Tensor, x: Tensor) => Tensor) {
  return (x: Tensor): Tensor => {
    const out = new Tensor(x.data.map((v) => v * v), x.shape);
    return record(out, 'testSquare', [x], (g) => [rule(g, x)]);
  };
}

const right = squareWithRule((g, x) => mul(g, mul(x, 2)));
const offByFactor = squareWithRule((g, x) => mul(g, mul(x, 3))); // 1.5× the true derivative
/** Right everywhere except flat element 4, which gets an extra +1. */
const wrongAtOne = squareWithRule((g, x) => {
  const bump = new Float64Array(x.size);
  bump[4] = 1;
  return mul(g, mul(x, 2)).add(new Tensor(bump, x.shape));
});
/** Right first derivative, but written with a detached x: its own derivative is lost (0 instead of 2g). */
const notDifferentiable = squareWithRule((g, x) => mul(g, mul(x.detach(), 2)));

describe('gradcheck', () => {
  const x = () => makeTensor({ shape: [2, 3], seed: 7 });

  it('passes a right rule', () => {
    const r = gradcheck(right, [x()]);
    expect(r.ok, r.message).toBe(true);
    expect(r.checked).toBe(6);
    expect(r.maxAbsError).toBeLessThan(1e-7);
    expect(r.message).toMatch(/^ok: 6 elements/);
  });

  it('reports a rule off by a factor, with the worst element, its index and both values', () => {
    const input = x();
    const r = gradcheck(offByFactor, [input]);
    expect(r.ok).toBe(false);
    const w = r.worst!;
    expect(w.input).toBe(0);
    expect(w.index).toHaveLength(2);
    expect(w.analytic / w.numeric).toBeCloseTo(1.5, 5);
    expect(w.absError).toBeCloseTo(Math.abs(w.analytic - w.numeric), 12);
    expect(r.maxAbsError).toBeGreaterThanOrEqual(w.absError); // worst = largest error relative to its tolerance
    expect(r.maxRelError).toBeCloseTo(0.5, 5);
    expect(r.message).toContain(`gradient mismatch at input 0 index [${w.index.join(', ')}]`);
    expect(r.message).toContain(String(w.analytic));
  });

  it('locates a single wrong element', () => {
    const r = gradcheck(wrongAtOne, [x()]);
    expect(r.ok).toBe(false);
    expect(r.worst!.index).toEqual([1, 1]); // flat 4 in [2, 3]
    expect(r.worst!.analytic - r.worst!.numeric).toBeCloseTo(1, 6);
  });

  it('names the right argument among several inputs', () => {
    const a = makeTensor({ shape: [3], seed: 1 }), b = makeTensor({ shape: [4], seed: 2 });
    const r = gradcheck((p, q) => mul(right(p).sum(), offByFactor(q).sum()), [a, b]);
    expect(r.ok).toBe(false);
    expect(r.worst!.input).toBe(1);
    expect(r.checked).toBe(7);
  });

  it('skips inputs that do not require grad, and says when nothing is checked', () => {
    const c = makeTensor({ shape: [2], seed: 3 }, { requiresGrad: false });
    const r = gradcheck(offByFactor, [c]);
    expect(r.checked).toBe(0);
    expect(r.worst).toBeNull();
    expect(r.message).toMatch(/no input requires grad/);
  });

  it('refuses float32 inputs', () => {
    expect(() => gradcheck(right, [tensor([1, 2], undefined, { requiresGrad: true })])).toThrow(/gradcheck: input 0 is float32/);
  });

  it('does not modify the inputs', () => {
    const input = x();
    const before = Array.from(input.data);
    gradcheck(right, [input]);
    expect(Array.from(input.data)).toEqual(before);
    expect(input.grad).toBeNull();
  });
});

describe('gradgradcheck', () => {
  const x = () => makeTensor({ shape: [3], seed: 11 });

  it('passes a rule written with differentiable ops', () => {
    const r = gradgradcheck(right, [x()]);
    expect(r.ok, r.message).toBe(true);
  });

  it('catches a first-derivative rule whose own derivative is wrong (uses a detached input)', () => {
    expect(gradcheck(notDifferentiable, [x()]).ok).toBe(true);
    const r = gradgradcheck(notDifferentiable, [x()]);
    expect(r.ok).toBe(false);
    expect(r.worst!.analytic).toBe(0);
    expect(Math.abs(r.worst!.numeric)).toBeGreaterThan(0.1);
  });
});
