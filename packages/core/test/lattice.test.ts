// Lattice tensors (lattice.ts): inside the conv2d backward, pad2d / dilate2d / lead-dim permute describe
// their output instead of copying it. Their values must be exactly the eager ones, conv2d must give the
// same result on them with either backend, and nothing changes outside the backward.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { conv2d, dilate2d, getBackend, pad2d, permute, randn, setBackend, Tensor } from '../src/index.ts';
import { latticeOutputsEnabled, materializeLattice, withLatticeOutputs } from '../src/lattice.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { checkProperty } from './helpers.ts';

const initialBackend = getBackend().name;
afterAll(() => setBackend(initialBackend));

/** A chain of the three ops applied to x, as a recipe fast-check can shrink. */
interface Chain { shape: number[]; seed: number; steps: ({ op: 'pad'; p: [number, number, number, number] } | { op: 'dilate'; s: [number, number] } | { op: 'permute' })[] }

const chainArb: fc.Arbitrary<Chain> = fc.record({
  shape: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })).map((t) => [...t]),
  seed: fc.nat({ max: 1_000_000 }),
  steps: fc.array(fc.oneof(
    fc.record({ op: fc.constant('pad' as const), p: fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 }), fc.nat({ max: 2 }), fc.nat({ max: 2 })) }),
    fc.record({ op: fc.constant('dilate' as const), s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })) }),
    fc.record({ op: fc.constant('permute' as const) }),
  ), { minLength: 1, maxLength: 4 }),
});

function applyChain(x: Tensor, c: Chain): Tensor {
  let t = x;
  for (const s of c.steps) t = s.op === 'pad' ? pad2d(t, s.p) : s.op === 'dilate' ? dilate2d(t, s.s) : permute(t, [1, 0, 2, 3]);
  return t;
}

describe('lattice outputs', () => {
  it('have exactly the values, shape and dtype of the eager ops (pad2d, dilate2d, permute chains)', () => {
    checkProperty(chainArb, (c) => {
      for (const dtype of ['float32', 'float64'] as const) {
        const x = randn(c.shape, { seed: c.seed, dtype });
        const eager = applyChain(x, c);
        const lazy = withLatticeOutputs(() => applyChain(x, c));
        expect(eager.lattice).toBeNull();
        if (c.steps.some((s) => s.op !== 'pad' || s.p.some((v) => v > 0))) expect(lazy.lattice).not.toBeNull();
        expect(lazy.shape).toEqual(eager.shape);
        expect(lazy.dtype).toBe(dtype);
        expect(lazy.size).toBe(eager.size);
        expect(Array.from(lazy.data)).toEqual(Array.from(eager.data));
      }
    }, 60);
  });

  it('are only made inside the scope, which nests and unwinds on errors', () => {
    expect(latticeOutputsEnabled()).toBe(false);
    expect(() => withLatticeOutputs(() => withLatticeOutputs(() => {
      expect(latticeOutputsEnabled()).toBe(true);
      throw new Error('inner');
    }))).toThrow('inner');
    expect(latticeOutputsEnabled()).toBe(false);
    const x = randn([1, 1, 2, 2], { seed: 1 });
    expect(pad2d(x, 1).lattice).toBeNull();
    expect(withLatticeOutputs(() => pad2d(x, 1)).lattice).not.toBeNull();
  });

  it('materialize a hand-worked example: dilate by 2 then pad 1 of [[1, 2], [3, 4]]', () => {
    const x = new Tensor(Float32Array.from([1, 2, 3, 4]), [1, 1, 2, 2]);
    const t = withLatticeOutputs(() => pad2d(dilate2d(x, 2), 1));
    expect(t.lattice).toMatchObject({ first: [1, 1], step: [2, 2], counts: [1, 1, 2, 2] });
    expect(Array.from(materializeLattice(t.lattice!, t.shape, 'float32'))).toEqual([
      0, 0, 0, 0, 0,
      0, 1, 0, 2, 0,
      0, 0, 0, 0, 0,
      0, 3, 0, 4, 0,
      0, 0, 0, 0, 0,
    ]);
  });

  it('give conv2d the same result as eager operands with either backend', () => {
    const arb = fc.record({
      chainX: chainArb, chainW: chainArb, o: fc.integer({ min: 1, max: 5 }), stride: fc.integer({ min: 1, max: 2 }), padding: fc.nat({ max: 1 }),
    });
    const backends = wasmBackend ? ['js', 'wasm'] : ['js'];
    checkProperty(arb, ({ chainX, chainW, o, stride, padding }) => {
      const x = randn(chainX.shape, { seed: chainX.seed });
      const xe = applyChain(x, chainX);
      // weights [o, C, kh, kw] with C = the channels of x after the chain, from a chain of their own
      const w = randn([o, xe.shape[1], chainW.shape[2], chainW.shape[3]], { seed: chainW.seed });
      const we = applyChain(w, { ...chainW, steps: chainW.steps.filter((s) => s.op !== 'permute') });
      fc.pre(we.shape[2] <= xe.shape[2] + 2 * padding && we.shape[3] <= xe.shape[3] + 2 * padding);
      const xl = withLatticeOutputs(() => applyChain(x, chainX));
      const wl = withLatticeOutputs(() => applyChain(w, { ...chainW, steps: chainW.steps.filter((s) => s.op !== 'permute') }));
      for (const b of backends) {
        setBackend(b);
        const ref = conv2d(xe, we, null, { stride, padding });
        const got = conv2d(xl, wl, null, { stride, padding });
        expect(got.shape).toEqual(ref.shape);
        const worst = Math.max(0, ...Array.from(ref.data, (r, i) => Math.abs(got.data[i] - r)));
        expect(worst, `backend ${b}`).toBeLessThanOrEqual(1e-4 * (1 + we.size));
      }
      setBackend(initialBackend);
    }, 60);
  });

  it('reach the wasm kernels unmaterialized in a strided conv2d backward', () => {
    if (!wasmBackend) return;
    setBackend('wasm');
    const x = randn([2, 3, 9, 9], { seed: 2, requiresGrad: true });
    const w = randn([4, 3, 3, 3], { seed: 3, requiresGrad: true });
    const before = wasmBackend.stats.latticeOperands;
    conv2d(x, w, null, { stride: 2, padding: 1 }).sum().backward();
    // dX: the padded, dilated delta; dW: the padded input and the permuted, dilated delta
    expect(wasmBackend.stats.latticeOperands - before).toBe(3);
    setBackend(initialBackend);
  });
});
