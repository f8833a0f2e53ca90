// linear (F.linear): y = x·Wᵀ + b in one op. The same values as matmul(x, transpose(W)) + b bit for bit
// (float64 and float32; js and wasm, where the wasm GEMM gets W untransposed and transposes its own copy),
// with leading dims and a 1-D input; backward rules against central differences (first and second order);
// W never transposed in JS memory on wasm; bad inputs.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { add, getBackend, linear, matmul, setBackend, tensor, transpose, type Tensor } from '../src/index.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { gradcheck, gradgradcheck, makeEdgeTensor, makeTensor } from '../src/testing/index.ts';
import { checkProperty, expectGradOk } from './helpers.ts';

const initialBackend = getBackend().name;
afterAll(() => setBackend(initialBackend));

const caseArb = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  k: fc.integer({ min: 1, max: 5 }), o: fc.integer({ min: 1, max: 5 }), bias: fc.boolean(), seed: fc.nat(1_000_000),
});
type Case = { lead: number[]; k: number; o: number; bias: boolean; seed: number };

function operands(c: Case, dtype: 'float32' | 'float64' = 'float64', scale = 1): Tensor[] {
  const x = makeTensor({ shape: [...c.lead, c.k], seed: c.seed }, { dtype, scale });
  const w = makeTensor({ shape: [c.o, c.k], seed: c.seed + 1 }, { dtype, scale });
  return c.bias ? [x, w, makeTensor({ shape: [c.o], seed: c.seed + 2 }, { dtype })] : [x, w];
}

const reference = (x: Tensor, w: Tensor, b?: Tensor) => {
  const y = matmul(x, transpose(w, 0, 1));
  return b ? add(y, b) : y;
};

function expectSame(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) expect.fail(`[${i}]: linear ${got[i]}, matmul ${want[i]}`);
}

describe('linear forward', () => {
  it('a 2×3 input by hand', () => {
    const y = linear(tensor([[1, 2, 3], [4, 5, 6]]), tensor([[1, 0, 1], [0, 1, 0]]), tensor([10, 20]));
    expect(y.toArray()).toEqual([[14, 22], [20, 25]]);
  });

  it('= matmul(x, Wᵀ) + b bit for bit, float64 (js) and float32 (js and wasm), with leading dims', () => {
    for (const backend of ['js', ...(wasmBackend ? ['wasm'] : [])]) {
      setBackend(backend);
      checkProperty(caseArb, (c) => {
        for (const dtype of ['float64', 'float32'] as const) {
          const [x, w, b] = operands(c, dtype);
          const y = linear(x, w, b);
          expect(y.shape).toEqual([...c.lead, c.o]);
          expectSame(y.data, reference(x, w, b).data);
        }
      }, 40);
    }
  });

  it('on wasm, W goes to the GEMM untransposed (large enough), with NaN, ±∞, ±0 in the operands', () => {
    if (!wasmBackend) return;
    setBackend('wasm');
    const edges = [NaN, Infinity, -Infinity, 0, -0];
    checkProperty(fc.record({ m: fc.integer({ min: 1, max: 40 }), k: fc.integer({ min: 16, max: 70 }), o: fc.integer({ min: 8, max: 37 }), seed: fc.nat(1_000_000) }), ({ m, k, o, seed }) => {
      const x = makeEdgeTensor({ shape: [m, k], seed }, edges, { dtype: 'float32', fraction: 0.05 });
      const w = makeEdgeTensor({ shape: [o, k], seed: seed + 1 }, edges, { dtype: 'float32', fraction: 0.05 });
      let calls = 0;
      const be = wasmBackend!, own = be.gemmTransB!;
      be.gemmTransB = (...args) => { const r = own.apply(be, args); if (r) calls++; return r; };
      try {
        const y = linear(x, w);
        expect(calls).toBe(m * o * k >= 4096 ? 1 : 0);
        expectSame(y.data, reference(x, w).data);
      } finally {
        be.gemmTransB = own;
      }
    }, 40);
  });

  it('a 1-D input gives a 1-D output, as torch', () => {
    const w = tensor([[1, 2], [3, 4], [5, 6]]);
    expect(linear(tensor([1, 1]), w).toArray()).toEqual([3, 7, 11]);
    expect(linear(tensor([1, 1]), w, tensor([1, 1, 1])).shape).toEqual([3]);
  });
});

describe('linear gradients', () => {
  it('match finite differences (first order)', () => {
    setBackend('js');
    checkProperty(caseArb, (c) => expectGradOk(gradcheck((...t: Tensor[]) => linear(t[0], t[1], t[2]), operands(c))), 40);
  });

  it('match finite differences (second order)', () => {
    setBackend('js');
    checkProperty(caseArb, (c) => expectGradOk(gradgradcheck((...t: Tensor[]) => linear(t[0], t[1], t[2]), operands(c))), 15);
  });

  it('a 1-D input', () => {
    const x = makeTensor({ shape: [4], seed: 3 }), w = makeTensor({ shape: [2, 4], seed: 4 }), b = makeTensor({ shape: [2], seed: 5 });
    expectGradOk(gradcheck(linear, [x, w, b]));
    expectGradOk(gradgradcheck(linear, [x, w, b]));
  });
});

describe('linear errors', () => {
  it('names the shapes, the dtypes and the bad argument', () => {
    const x = makeTensor({ shape: [2, 3], seed: 1 });
    expect(() => linear(x, makeTensor({ shape: [4, 2], seed: 2 }))).toThrow(/^linear: input must be \[\.\.\., in\] with in = 2.*\[2, 3\]/);
    expect(() => linear(x, makeTensor({ shape: [3], seed: 2 }))).toThrow(/^linear: weight must be \[out, in\], got \[3\]/);
    expect(() => linear(x, makeTensor({ shape: [4, 3], seed: 2 }), makeTensor({ shape: [3], seed: 3 }))).toThrow(/^linear: bias must be \[out\] = \[4\]/);
    expect(() => linear(x, makeTensor({ shape: [4, 3], seed: 2 }, { dtype: 'float32' }))).toThrow(/^linear: dtype mismatch/);
    expect(() => linear(tensor(1), makeTensor({ shape: [4, 3], seed: 2 }))).toThrow(/^linear: input must be/);
    expect(() => linear(x, 'w' as never)).toThrow(/^linear/);
  });
});
