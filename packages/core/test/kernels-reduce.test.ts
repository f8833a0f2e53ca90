// The sum kernel's plan (kernels/reduce.ts mergeRuns): adjacent axes that are all reduced or all kept
// become one run and size-1 axes are dropped, as documented (summing [N, C, H, W] over (0, 2, 3) is
// summing [N, C, H·W] over (0, 2)): the kernel's long inner loops depend on it. And sumAxes on the
// degenerate shapes: rank 0, every axis of size 1, an empty axis.
import { describe, expect, it } from 'vitest';
import { mergeRuns, sumAxes } from '../src/kernels/reduce.ts';

describe('sum plan and degenerate shapes', () => {
  it('mergeRuns: runs of reduced / kept axes, size-1 axes dropped', () => {
    expect(mergeRuns([2, 3, 4, 5], new Set([0, 2, 3]))).toEqual({ dims: [2, 3, 20], red: [true, false, true] });
    expect(mergeRuns([2, 3, 4, 5], new Set([0, 1]))).toEqual({ dims: [6, 20], red: [true, false] });
    expect(mergeRuns([2, 1, 4, 1, 5], new Set([1, 2]))).toEqual({ dims: [2, 4, 5], red: [false, true, false] });
    expect(mergeRuns([3, 4], new Set([0, 1]))).toEqual({ dims: [12], red: [true] });
    expect(mergeRuns([1, 1], new Set([0]))).toEqual({ dims: [], red: [] });
  });

  it('sumAxes: a rank-0 input, all axes of size 1, an empty axis (zeros)', () => {
    const out = new Float64Array(1);
    sumAxes(new Float64Array([2.5]), [], [], out);
    expect(out[0]).toBe(2.5);
    sumAxes(new Float32Array([-3]), [1, 1, 1], [0, 2], out);
    expect(out[0]).toBe(-3);
    const out2 = new Float64Array([7, 7]);
    sumAxes(new Float64Array(0), [2, 0], [1], out2);
    expect(Array.from(out2)).toEqual([0, 0]);
  });
});

describe('sumAxes with a backend row-sum kernel (KernelBackend.rowSums)', () => {
  it('takes the rows\' sums from it when the innermost axes are summed, and loops itself when it returns null or they are kept', () => {
    const x = Float64Array.from({ length: 12 }, (_, i) => i), out = new Float64Array(3);
    const calls: number[] = [];
    // a stand-in that marks its results (a real one returns the sums): they must be what sumAxes adds up
    const marked = (v: Float64Array | Float32Array, len: number) => { calls.push(len); return Float64Array.from({ length: v.length / len }, (_, r) => 100 * (r + 1)); };
    sumAxes(x, [3, 4], [1], out, marked);
    expect([Array.from(out), calls]).toEqual([[100, 200, 300], [4]]);
    sumAxes(x, [3, 4], [1], out, () => null);
    expect(Array.from(out)).toEqual([6, 22, 38]);
    const kept = new Float64Array(4);
    sumAxes(x, [3, 4], [0], kept, marked);
    expect([Array.from(kept), calls]).toEqual([[12, 15, 18, 21], [4]]);
  });
});
