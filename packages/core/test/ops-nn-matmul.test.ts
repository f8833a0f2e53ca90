// matmul: forward against a naive triple loop (with broadcast batch dims), backward rules against
// central differences (first and second order), 1-D operands, the kernel backend hook, bad inputs.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, matmul, registerBackend, setBackend, tensor, type Tensor } from '../src/index.ts';
import { broadcastPairArb, gradcheck, gradgradcheck, makeTensor } from '../src/testing/index.ts';
import { broadcastShape, checkProperty, expectClose, expectGradOk } from './helpers.ts';

/** Batch shapes that broadcast, matrix sizes m, k, n, and value seeds. */
const caseArb = fc.record({
  batch: broadcastPairArb({ maxRank: 2, maxDim: 3 }),
  m: fc.integer({ min: 1, max: 4 }),
  k: fc.integer({ min: 1, max: 4 }),
  n: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});
type Case = { batch: [number[], number[]]; m: number; k: number; n: number; seed: number };

function operands(c: Case): [Tensor, Tensor] {
  return [
    makeTensor({ shape: [...c.batch[0], c.m, c.k], seed: c.seed }),
    makeTensor({ shape: [...c.batch[1], c.k, c.n], seed: c.seed + 1 }),
  ];
}

/** C[t][i][j] = Σ_p A[t_a][i][p]·B[t_b][p][j], batch index t broadcast to each operand: a plain loop. */
function naiveMatmul(a: Tensor, b: Tensor): { shape: number[]; data: number[] } {
  const m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1];
  const ab = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const batch = broadcastShape(ab, bb);
  const total = batch.reduce((p, d) => p * d, 1);
  const flatIn = (own: readonly number[], t: number) => {
    // multi-index of t in batch, mapped onto `own` (size-1 or missing dims read index 0)
    const idx: number[] = [];
    for (let d = batch.length - 1, r = t; d >= 0; d--) { idx.unshift(r % batch[d]); r = Math.floor(r / batch[d]); }
    const off = batch.length - own.length;
    return own.reduce((f, d, i) => f * d + (d === 1 ? 0 : idx[off + i]), 0);
  };
  const data: number[] = [];
  for (let t = 0; t < total; t++) {
    const ta = flatIn(ab, t), tb = flatIn(bb, t);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[ta * m * k + i * k + p] * b.data[tb * k * n + p * n + j];
      data.push(s);
    }
  }
  return { shape: [...batch, m, n], data };
}

describe('matmul forward', () => {
  it('a 2×2 product by hand', () => {
    const c = matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]));
    expect(c.toArray()).toEqual([[19, 22], [43, 50]]);
  });

  it('matches a naive loop over broadcast batch dims', () => {
    checkProperty(caseArb, (c) => {
      const [a, b] = operands(c);
      const out = matmul(a, b);
      const want = naiveMatmul(a, b);
      expect(out.shape).toEqual(want.shape);
      expectClose(out.data, want.data, 1e-12, 'matmul');
    });
  });

  it('treats 1-D operands as a row (left) or a column (right) and drops that dim', () => {
    const v = tensor([1, 2, 3], undefined, { dtype: 'float64' });
    const m = tensor([[1, 0], [0, 1], [1, 1]], undefined, { dtype: 'float64' });
    expect(matmul(v, m).toArray()).toEqual([4, 5]);
    expect(matmul(m.transpose(0, 1), v).toArray()).toEqual([4, 5]);
    expect(matmul(v, v).shape).toEqual([]);
    expect(matmul(v, v).item()).toBe(14);
    const batched = makeTensor({ shape: [2, 3, 4], seed: 1 }, { requiresGrad: false });
    expect(matmul(v, batched).shape).toEqual([2, 4]);
  });

  it('is the Tensor method x.matmul(y)', () => {
    const a = makeTensor({ shape: [3, 2], seed: 4 }), b = makeTensor({ shape: [2, 5], seed: 5 });
    expectClose(a.matmul(b).data, matmul(a, b).data, 0);
  });
});

describe('matmul backend', () => {
  afterEach(() => setBackend('js'));

  it('calls the active backend gemm once per batch entry', () => {
    const js = getBackend();
    let calls = 0;
    registerBackend({ ...js, name: 'counting-matmul', gemm: (...args) => { calls++; js.gemm(...args); } });
    setBackend('counting-matmul');
    const out = matmul(makeTensor({ shape: [3, 1, 2, 4], seed: 1 }), makeTensor({ shape: [2, 4, 5], seed: 2 }));
    expect(out.shape).toEqual([3, 2, 2, 5]);
    expect(calls).toBe(6);
  });
});

describe('matmul gradients', () => {
  it('match finite differences (first order, broadcast batch dims)', () => {
    checkProperty(caseArb, (c) => {
      expectGradOk(gradcheck(matmul, operands(c)));
    });
  });

  it('match finite differences (second order: the A–B cross terms)', () => {
    checkProperty(caseArb, (c) => {
      expectGradOk(gradgradcheck(matmul, operands(c)));
    }, 15);
  });

  it('handle 1-D operands', () => {
    const v = makeTensor({ shape: [3], seed: 7 });
    const m = makeTensor({ shape: [2, 3, 4], seed: 8 });
    expectGradOk(gradcheck(matmul, [v, m]));
    expectGradOk(gradcheck((a, b) => matmul(b, a), [makeTensor({ shape: [4], seed: 9 }), m]));
    expectGradOk(gradgradcheck(matmul, [v, makeTensor({ shape: [3], seed: 10 })]));
  });
});

describe('matmul errors', () => {
  it('names both shapes when the inner dims differ', () => {
    const a = makeTensor({ shape: [2, 3], seed: 1 }), b = makeTensor({ shape: [4, 5], seed: 2 });
    expect(() => matmul(a, b)).toThrow(/^matmul: .*\[2, 3\] and \[4, 5\]/);
    expect(() => matmul(makeTensor({ shape: [3], seed: 1 }), b)).toThrow(/^matmul: .*\[3\] and \[4, 5\]/);
  });

  it('rejects batch dims that do not broadcast, scalars, and mixed dtypes', () => {
    expect(() => matmul(makeTensor({ shape: [2, 3, 4], seed: 1 }), makeTensor({ shape: [3, 4, 5], seed: 2 }))).toThrow(/^matmul: .*\[2\] and \[3\]/);
    expect(() => matmul(tensor(2), tensor([[1]]))).toThrow(/^matmul: .*at least 1 dim/);
    expect(() => matmul(tensor([[1, 2]]), tensor([[1], [2]], undefined, { dtype: 'float64' }))).toThrow(/^matmul: dtype mismatch/);
  });
});
