// The broadcasting kernel's index plan (kernels/elementwise.ts): broadcastStrides gives 0 along every
// broadcast (or missing) dimension, and mergeDims runs [N, C, H, W] ⊕ [1, C, 1, 1] as [N, C, H·W] rows, as
// documented: size-1 dims dropped, neighbours merged whenever both operands walk them as one (the
// kernel's speed on the common bias/scale broadcasts depends on it); all-size-1 shapes become [1].
import { describe, expect, it } from 'vitest';
import { binaryBroadcast, broadcastStrides, mergeDims } from '../src/kernels/elementwise.ts';

describe('broadcast index plan', () => {
  it('broadcastStrides: 0 where broadcast or missing, the row-major stride elsewhere', () => {
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides([2, 3, 4], [2, 3, 4])).toEqual([12, 4, 1]);
    expect(broadcastStrides([4], [2, 3, 4])).toEqual([0, 0, 1]);
    expect(broadcastStrides([], [5])).toEqual([0]);
  });

  it('mergeDims: [N, C, H, W] ⊕ [1, C, 1, 1] as [N, C, H·W]; [N, C, H, W] ⊕ [W] as [N·C·H, W]; size-1 dims dropped', () => {
    const nchw = [2, 3, 4, 5];
    expect(mergeDims(nchw, broadcastStrides(nchw, nchw), broadcastStrides([1, 3, 1, 1], nchw))).toEqual({ shape: [2, 3, 20], sa: [60, 20, 1], sb: [0, 1, 0] });
    expect(mergeDims(nchw, broadcastStrides(nchw, nchw), broadcastStrides([5], nchw))).toEqual({ shape: [24, 5], sa: [5, 1], sb: [0, 1] });
    expect(mergeDims([2, 1, 3], broadcastStrides([2, 1, 3], [2, 1, 3]), broadcastStrides([1, 1, 1], [2, 1, 3]))).toEqual({ shape: [6], sa: [1], sb: [0] });
    expect(mergeDims([3, 4], broadcastStrides([3, 1], [3, 4]), broadcastStrides([1, 4], [3, 4]))).toEqual({ shape: [3, 4], sa: [1, 0], sb: [0, 1] });
    expect(mergeDims([1, 1], [0, 0], [0, 0])).toEqual({ shape: [1], sa: [0], sb: [0] });
  });

  it('binaryBroadcast over merged rows equals the definition (sub, div: order matters)', () => {
    const a = Float64Array.from({ length: 24 }, (_, i) => i + 1), b = Float64Array.from([2, 3, 5]);
    const out = new Float64Array(24);
    binaryBroadcast('sub', a, [2, 3, 4], b, [1, 3, 1], [2, 3, 4], out);
    expect(Array.from(out)).toEqual(Array.from(a, (v, i) => v - b[Math.floor(i / 4) % 3]));
    binaryBroadcast('div', b, [3, 1], a.subarray(0, 4), [4], [3, 4], out.subarray(0, 12));
    expect(Array.from(out.subarray(0, 12))).toEqual(Array.from({ length: 12 }, (_, i) => b[Math.floor(i / 4)] / (i % 4 + 1)));
  });
});
