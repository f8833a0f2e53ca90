// logSoftmax, softmax and softmaxCrossEntropy: forward against the definitions, numerical stability at
// huge logits, backward rules against central differences (first and second order), bad labels.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, logSoftmax, neg, Rng, softmax, softmaxCrossEntropy, tensor, Tensor } from '../src/index.ts';
import { gather } from '../src/ops/indexing.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb, tensorSpecArb } from '../src/testing/index.ts';
import { checkProperty, expectClose, expectGradOk } from './helpers.ts';

/** A shape, a seed, and an axis of that shape (negative half the time). */
const axisCaseArb = tensorSpecArb(shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 })).chain((spec) =>
  fc.record({ spec: fc.constant(spec), axis: fc.integer({ min: -spec.shape.length, max: spec.shape.length - 1 }) }));

/** softmax by definition, exp(x_i)/Σ_j exp(x_j) along `axis`, with no shift (moderate inputs only). */
function naiveSoftmax(x: Tensor, axis: number): number[] {
  const a = axis < 0 ? axis + x.rank : axis;
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const len = x.shape[a];
  return Array.from(x.data, (v, i) => {
    const start = i - (Math.floor(i / inner) % len) * inner;
    let s = 0;
    for (let j = 0; j < len; j++) s += Math.exp(x.data[start + j * inner]);
    return Math.exp(v) / s;
  });
}

describe('softmax and logSoftmax forward', () => {
  it('match the definition along any axis', () => {
    checkProperty(axisCaseArb, ({ spec, axis }) => {
      const x = makeTensor(spec, { scale: 3 });
      const want = naiveSoftmax(x, axis);
      expectClose(softmax(x, axis).data, want, 1e-13, 'softmax');
      expectClose(logSoftmax(x, axis).data, want.map(Math.log), 1e-13, 'logSoftmax');
    });
  });

  it('are shift invariant and stay finite at huge logits', () => {
    checkProperty(axisCaseArb, ({ spec, axis }) => {
      const x = makeTensor(spec, { requiresGrad: false });
      const shifted = x.add(1e4);
      const ls = logSoftmax(shifted, axis);
      expect(ls.data.every(Number.isFinite)).toBe(true);
      expectClose(ls.data, logSoftmax(x, axis).data, 1e-9, 'logSoftmax(x + 1e4)');
      expectClose(softmax(shifted, axis).data, softmax(x, axis).data, 1e-9, 'softmax(x + 1e4)');
    });
    expect(logSoftmax(tensor([1000, 0])).toArray()).toEqual([0, -1000]);
  });

  it('default to the last axis and are Tensor methods', () => {
    const x = makeTensor({ shape: [2, 3], seed: 5 });
    expectClose(x.softmax().data, softmax(x, 1).data, 0);
    expectClose(x.logSoftmax().data, logSoftmax(x, -1).data, 0);
    expectClose(x.softmax(0).data, naiveSoftmax(x, 0), 1e-14);
  });

  it('reject a bad axis, naming the op', () => {
    expect(() => logSoftmax(tensor([[1, 2]]), 2)).toThrow(/^logSoftmax: axis 2 is out of range for rank 2/);
    expect(() => softmax(tensor(1), 0)).toThrow(/^softmax: input must have at least 1 dim/);
  });
});

describe('softmax and logSoftmax gradients', () => {
  it('match finite differences (first order)', () => {
    checkProperty(axisCaseArb, ({ spec, axis }) => {
      expectGradOk(gradcheck((x) => logSoftmax(x, axis), [makeTensor(spec)]));
      expectGradOk(gradcheck((x) => softmax(x, axis), [makeTensor(spec)]));
    });
  });

  it('match finite differences (second order)', () => {
    checkProperty(axisCaseArb, ({ spec, axis }) => {
      expectGradOk(gradgradcheck((x) => logSoftmax(x, axis), [makeTensor(spec)]));
      expectGradOk(gradgradcheck((x) => softmax(x, axis), [makeTensor(spec)]));
    }, 20);
  });
});

/** N rows of C logits, labels drawn from a seed. */
const ceCaseArb = fc.record({
  n: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  reduction: fc.constantFrom('mean' as const, 'sum' as const, 'none' as const),
});
function ceInputs(k: { n: number; c: number; seed: number }): [Tensor, Int32Array] {
  const rng = new Rng(k.seed + 7);
  return [makeTensor({ shape: [k.n, k.c], seed: k.seed }, { scale: 2 }), Int32Array.from({ length: k.n }, () => rng.int(k.c))];
}

describe('softmaxCrossEntropy', () => {
  it('by hand: two equal logits cost ln 2; a confident right answer costs ~0, a wrong one its margin', () => {
    expect(softmaxCrossEntropy(tensor([[0, 0]], undefined, { dtype: 'float64' }), [0]).item()).toBeCloseTo(Math.LN2, 14);
    const z = tensor([[1000, 0], [0, 1000]], undefined, { dtype: 'float64' });
    expectClose(softmaxCrossEntropy(z, [0, 0], { reduction: 'none' }).data, [0, 1000], 0, 'per-row loss');
    expect(softmaxCrossEntropy(z, [0, 0]).item()).toBe(500);
  });

  it('is −log softmax at the label, reduced by mean / sum / none', () => {
    checkProperty(ceCaseArb, (k) => {
      const [z, labels] = ceInputs(k);
      const p = naiveSoftmax(z, 1);
      const per = Array.from(labels, (y, i) => -Math.log(p[i * k.c + y]));
      const loss = softmaxCrossEntropy(z, labels, { reduction: k.reduction });
      if (k.reduction === 'none') {
        expect(loss.shape).toEqual([k.n]);
        expectClose(loss.data, per, 1e-12, 'per-row loss');
      } else {
        expect(loss.shape).toEqual([]);
        const total = per.reduce((s, v) => s + v, 0);
        expectClose(loss.data, [k.reduction === 'sum' ? total : total / k.n], 1e-12, k.reduction);
      }
    });
  });

  it('gradient is (softmax − onehot)/N for the mean', () => {
    checkProperty(ceCaseArb, (k) => {
      const [z, labels] = ceInputs(k);
      softmaxCrossEntropy(z, Array.from(labels)).backward();
      const p = naiveSoftmax(z, 1);
      expectClose(z.grad!.data, p.map((v, i) => (v - (labels[Math.floor(i / k.c)] === i % k.c ? 1 : 0)) / k.n), 1e-12, 'dL/dz');
    });
  });

  it('the fused node equals −logSoftmax at the label (a gather): values bit for bit, gradients to the second order', () => {
    checkProperty(fc.record({ k: ceCaseArb, dtype: fc.constantFrom('float32' as const, 'float64' as const) }), ({ k, dtype }) => {
      const [z64, labels] = ceInputs(k);
      const z = tensor(Array.from(z64.data), [k.n, k.c], { dtype, requiresGrad: true });
      const pick = Int32Array.from(labels, (y, i) => i * k.c + y);
      const fused = softmaxCrossEntropy(z, labels, { reduction: 'none' });
      const composed = neg(gather(logSoftmax(z, 1), pick, [k.n]));
      expect(Array.from(fused.data)).toEqual(Array.from(composed.data));
      const w = tensor(Array.from({ length: k.n }, (_, i) => (i % 3) - 0.5), [k.n], { dtype });
      // squared losses: the gradient reaching the node depends on z too (its second-order rule's g input)
      const [gf] = grad(fused.mul(fused).mul(w).sum(), [z], { createGraph: true });
      const [gc] = grad(composed.mul(composed).mul(w).sum(), [z], { createGraph: true });
      expectClose(gf.data, gc.data, dtype === 'float64' ? 1e-13 : 1e-6, 'gradients');
      const v = tensor(Array.from({ length: z.size }, (_, i) => ((i * 5) % 7) - 3), [k.n, k.c], { dtype });
      const [hf] = grad(gf.mul(v).sum(), [z]), [hc] = grad(gc.mul(v).sum(), [z]);
      expectClose(hf.data, hc.data, dtype === 'float64' ? 1e-12 : 1e-5, 'second derivatives');
    });
  });

  it('gradients match finite differences (first and second order)', () => {
    checkProperty(ceCaseArb, (k) => {
      const [z, labels] = ceInputs(k);
      expectGradOk(gradcheck((t) => softmaxCrossEntropy(t, labels, { reduction: k.reduction }), [z]));
    });
    checkProperty(ceCaseArb, (k) => {
      const [z, labels] = ceInputs(k);
      expectGradOk(gradgradcheck((t) => softmaxCrossEntropy(t, labels, { reduction: k.reduction }), [z]));
    }, 20);
  });

  it('accepts labels as a Tensor of class indices', () => {
    const z = makeTensor({ shape: [3, 4], seed: 2 });
    const a = softmaxCrossEntropy(z, tensor([3, 0, 1])).item();
    expect(a).toBe(softmaxCrossEntropy(z, Int32Array.from([3, 0, 1])).item());
  });

  it('rejects labels out of range, of the wrong count or not integers, with the position and shape', () => {
    const z = makeTensor({ shape: [2, 3], seed: 1 });
    expect(() => softmaxCrossEntropy(z, [0, 3])).toThrow(/^softmaxCrossEntropy: label 3 at position 1 is out of range: need an integer class in \[0, 3\) for logits \[2, 3\]/);
    expect(() => softmaxCrossEntropy(z, [-1, 0])).toThrow(/^softmaxCrossEntropy: label -1 at position 0 is out of range/);
    expect(() => softmaxCrossEntropy(z, [0.5, 0])).toThrow(/^softmaxCrossEntropy: label 0.5 at position 0/);
    expect(() => softmaxCrossEntropy(z, [0, 1, 2])).toThrow(/^softmaxCrossEntropy: got 3 labels for logits of shape \[2, 3\]/);
    expect(() => softmaxCrossEntropy(z, 1 as unknown as number[])).toThrow(/^softmaxCrossEntropy: labels must be/);
  });

  it('rejects logits that are not [N, C] and an unknown reduction', () => {
    expect(() => softmaxCrossEntropy(makeTensor({ shape: [3], seed: 1 }), [0])).toThrow(/^softmaxCrossEntropy: logits must be \[N, C\] \(rank 2\), got shape \[3\]/);
    expect(() => softmaxCrossEntropy(makeTensor({ shape: [1, 3], seed: 1 }), [0], { reduction: 'avg' as 'mean' })).toThrow(/^softmaxCrossEntropy: reduction must be/);
  });
});
