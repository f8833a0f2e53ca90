// The conv2d backward's kernel calls share one copy of δ in wasm memory (Arena.share/copyIn): fewer
// copies, bit-identical gradients, and no copy ever outlives its scope or stands in for an array that
// was not named for it (conv-groups.ts rewrites its scratch arrays between calls).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv2d, getBackend, maxPool2d, randn, relu, setBackend, type Tensor } from '../src/index.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';

const wasm = wasmBackend;
const initial = getBackend().name;
beforeAll(() => { if (wasm) setBackend('wasm'); });
afterAll(() => setBackend(initial));

/** Gradients of a two-conv net (batch 16) w.r.t. every parameter and the input; δ1 is large enough for wasm's row sums. */
function grads(groups = 1): Float32Array[] {
  const x = randn([16, 2, 20, 20], { seed: 1, requiresGrad: true });
  const w1 = randn([8, 2 / (groups > 1 ? 2 : 1), 5, 5], { seed: 2, requiresGrad: true }), b1 = randn([8], { seed: 3, requiresGrad: true });
  const w2 = randn([12, 8 / groups, 3, 3], { seed: 4, requiresGrad: true }), b2 = randn([12], { seed: 5, requiresGrad: true });
  const h = relu(maxPool2d(conv2d(x, w1, b1, { groups: groups > 1 ? 2 : 1 }), 2));
  const y = conv2d(h, w2, b2, { stride: 2, padding: 1, groups });
  y.mul(randn(y.shape as number[], { seed: 6 })).sum().backward();
  return [x, w1, b1, w2, b2].map((t: Tensor) => Float32Array.from(t.grad!.data));
}

/** The same, with the backend's sharing switched off. */
function gradsUnshared(groups = 1): Float32Array[] {
  const be = wasm as unknown as { shareOperands?: unknown };
  const share = be.shareOperands;
  be.shareOperands = undefined;
  try {
    return grads(groups);
  } finally {
    be.shareOperands = share;
  }
}

describe.skipIf(!wasm)('shared operands (wasm)', () => {
  it('the conv2d backward copies δ into wasm memory once for dX, dW and db; gradients bit-identical', () => {
    const arena = wasm!.arena;
    const unshared = gradsUnshared();
    const shared0 = arena.copiesShared, bytes0 = arena.bytesCopied;
    const shared = grads();
    // conv1: δ1 [16, 8, 16, 16] for dX1, dW1 and db1 (2 copies saved); conv2: δ2 [16, 12, 5, 5] for dX2
    // and dW2 (1 saved; its db2 is summed in js, below ROW_SUMS_MIN)
    expect(arena.copiesShared - shared0).toBe(3);
    expect(shared).toEqual(unshared);
    const bytesShared = arena.bytesCopied - bytes0;
    const b1 = arena.bytesCopied;
    gradsUnshared();
    const delta1 = 4 * 16 * 8 * 16 * 16, delta2 = 4 * 16 * 12 * 5 * 5; // bytes
    const saved = arena.bytesCopied - b1 - bytesShared; // δ2's dW view reads a part of the block dX's copy holds
    expect(saved).toBeGreaterThan(2 * delta1);
    expect(saved).toBeLessThanOrEqual(2 * delta1 + delta2);
  });

  it('arrays not named for the scope are copied afresh each call (grouped convs rewrite their scratch); bit-identical', () => {
    expect(grads(2)).toEqual(gradsUnshared(2));
  });

  it('no copy outlives its scope: an array changed after the backward is read anew', () => {
    const x = randn([2, 3, 9, 9], { seed: 7 }), w = randn([4, 3, 3, 3], { seed: 8, requiresGrad: true });
    const y = conv2d(x, w);
    const delta = randn([2, 4, 7, 7], { seed: 9 });
    y.backward(delta); // shares δ's copy inside
    expect(wasm!.arena.sharing).toBe(false);
    const shared = wasm!.arena.copiesShared;
    const first = conv2d(delta, randn([5, 4, 3, 3], { seed: 10 })).data.slice();
    delta.data.fill(0.5);
    delta.bumpVersion();
    const again = conv2d(delta, randn([5, 4, 3, 3], { seed: 10 })).data;
    expect(again).not.toEqual(first);
    expect(wasm!.arena.copiesShared).toBe(shared);
    setBackend('js');
    const ref = conv2d(delta, randn([5, 4, 3, 3], { seed: 10 })).data;
    setBackend('wasm');
    ref.forEach((v, i) => expect(again[i]).toBeCloseTo(v, 4));
  });

  it('copyIn: a part of a kept copy is found inside it; arrays not named, or outside the scope, are copied again', () => {
    const arena = wasm!.arena;
    const a = Float32Array.from({ length: 300 }, (_, i) => i + 0.5), b = a.slice();
    const { pa, part, pb, pb2 } = arena.share([a], () => {
      arena.reset();
      const pa = arena.copyIn(a, 50, 250);
      arena.reset(); // the next kernel call of the scope
      const part = arena.copyIn(a, 60, 70);
      const pb = arena.copyIn(b), pb2 = arena.copyIn(b);
      return { pa, part, pb, pb2 };
    });
    expect(part).toBe(pa + 4 * 10);
    expect(Array.from(arena.f32.subarray(part >> 2, (part >> 2) + 10))).toEqual(Array.from(a.subarray(60, 70)));
    expect(pb2).not.toBe(pb);
    arena.reset();
    const shared = arena.copiesShared;
    arena.copyIn(a, 60, 70);
    expect(arena.copiesShared).toBe(shared);
  });

  it('copyInParts: part 0 now, the rest by finish (each part published, idempotent); a kept staged copy is whole when found again', () => {
    const arena = wasm!.arena;
    const a = Float32Array.from({ length: 1000 }, (_, i) => i + 0.25);
    const read = (p: number, n: number) => Array.from(arena.f32.subarray(p >> 2, (p >> 2) + n));
    arena.reset();
    const plain = arena.copyInParts(a, 100, 900, 0);
    expect(plain.staged).toBeNull();
    expect(read(plain.ptr, 800)).toEqual(Array.from(a.subarray(100, 900)));
    arena.reset();
    const marker = arena.alloc(4 * 1000);
    arena.f32.fill(-1, marker >> 2, (marker >> 2) + 1000); // what the memory held before
    arena.reset();
    const { ptr, staged } = arena.copyInParts(a, 100, 900, 300); // parts [100, 400) [400, 700) [700, 900)
    expect(staged!.parts).toBe(3);
    expect(Atomics.load(arena.i32, staged!.ready >> 2)).toBe(1);
    expect(read(ptr, 300)).toEqual(Array.from(a.subarray(100, 400)));
    expect(read(ptr + 4 * 300, 500).every((v) => v === -1)).toBe(true);
    const view = arena.f32;
    arena.alloc(view.byteLength); // grows the memory: finish writes through the arena's current view
    expect(arena.f32).not.toBe(view);
    staged!.finish();
    staged!.finish();
    expect(Atomics.load(arena.i32, staged!.ready >> 2)).toBe(3);
    expect(read(ptr, 800)).toEqual(Array.from(a.subarray(100, 900)));

    const b = Float32Array.from({ length: 600 }, (_, i) => -i);
    const again = arena.share([b], () => {
      arena.reset();
      const first = arena.copyInParts(b, 0, 600, 200);
      expect(read(first.ptr + 800, 400).some((v, i) => v !== b[200 + i])).toBe(true);
      arena.reset(); // the scope's next call finds the kept copy, finished
      const p = arena.copyIn(b);
      expect(p).toBe(first.ptr);
      return read(p, 600);
    });
    expect(again).toEqual(Array.from(b));
  });
});
