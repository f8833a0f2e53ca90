// add, sub, mul, div, neg: forward values against plain arithmetic and backward rules against central
// differences, with numpy broadcasting (shape pairs from broadcastPairArb) and scalar operands.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { add, div, mul, neg, sub, tensor, type Tensor } from '../src/index.ts';
import { broadcastPairArb, gradcheck, gradgradcheck, makeTensor, shapeArb, tensorSpecArb } from '../src/testing/index.ts';
import { awayFromZero, broadcastShape, checkProperty, expectGradOk } from './helpers.ts';

type Binary = (a: Tensor | number, b: Tensor | number) => Tensor;
const binaries: Array<[string, Binary, (x: number, y: number) => number]> = [
  ['add', add, (x, y) => x + y],
  ['sub', sub, (x, y) => x - y],
  ['mul', mul, (x, y) => x * y],
  ['div', div, (x, y) => x / y],
];

/** A broadcastable pair of shapes with the seeds of their values. */
const pairArb = broadcastPairArb().chain(([sa, sb]) =>
  fc.record({ a: tensorSpecArb(fc.constant(sa)), b: tensorSpecArb(fc.constant(sb)) }));

/** Flat index into a broadcast operand of shape `shape` for output multi-index `idx`. */
function broadcastIndex(idx: number[], shape: readonly number[]): number {
  const off = idx.length - shape.length;
  let flat = 0;
  shape.forEach((d, i) => (flat = flat * d + (d === 1 ? 0 : idx[off + i])));
  return flat;
}

function multiIndex(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

describe.each(binaries)('%s', (name, op, scalarOp) => {
  const operands = (p: { a: { shape: number[]; seed: number }; b: { shape: number[]; seed: number } }) =>
    [makeTensor(p.a), name === 'div' ? awayFromZero(p.b) : makeTensor(p.b)] as const;

  it('forward broadcasts like numpy', () => {
    checkProperty(pairArb, (p) => {
      const [a, b] = operands(p);
      const out = op(a, b);
      const shape = broadcastShape(a.shape, b.shape);
      expect(out.shape).toEqual(shape);
      for (let i = 0; i < out.size; i++) {
        const idx = multiIndex(i, shape);
        expect(out.data[i]).toBe(scalarOp(a.data[broadcastIndex(idx, a.shape)], b.data[broadcastIndex(idx, b.shape)]));
      }
    });
  });

  it('backward matches finite differences with broadcasting', () => {
    checkProperty(pairArb, (p) => {
      const [a, b] = operands(p);
      expectGradOk(gradcheck((x, y) => op(x, y), [a, b]));
    });
  });

  it('backward matches finite differences with a scalar operand on either side', () => {
    checkProperty(fc.record({ spec: tensorSpecArb(), k: fc.double({ min: 0.5, max: 3, noNaN: true }) }), ({ spec, k }) => {
      const x = name === 'div' ? awayFromZero(spec) : makeTensor(spec);
      expectGradOk(gradcheck((t) => op(t, k), [x]));
      expectGradOk(gradcheck((t) => op(k, t), [x]));
    }, 20);
  });

  it('the backward rule is itself differentiable (second order)', () => {
    checkProperty(pairArb, (p) => {
      const [a, b] = operands(p);
      expectGradOk(gradgradcheck((x, y) => op(x, y).mul(op(x, y)), [a, b]));
    }, 15);
  });
});

describe('neg', () => {
  it('forward negates and backward matches finite differences', () => {
    checkProperty(tensorSpecArb(shapeArb({ minRank: 0, maxRank: 4 })), (spec) => {
      const x = makeTensor(spec);
      const y = neg(x);
      expect(Array.from(y.data)).toEqual(Array.from(x.data, (v) => -v));
      expectGradOk(gradcheck((t) => neg(t), [x]));
    }, 20);
  });
});

describe('scalar operands', () => {
  it('keep the tensor dtype and shape', () => {
    const x = tensor([1, 2, 3], undefined, { dtype: 'float64' });
    const y = sub(10, x);
    expect(y.dtype).toBe('float64');
    expect(Array.from(y.data)).toEqual([9, 8, 7]);
    expect(Array.from(div(6, x).data)).toEqual([6, 3, 2]);
  });

  it('gradient of a broadcast operand sums over the broadcast dims', () => {
    // y = a + b with a [2, 3], b [3]: ∂Σy/∂b_j = 2 (each b_j is used by both rows).
    const a = tensor([[1, 2, 3], [4, 5, 6]], undefined, { dtype: 'float64', requiresGrad: true });
    const b = tensor([10, 20, 30], undefined, { dtype: 'float64', requiresGrad: true });
    add(a, b).sum().backward();
    expect(Array.from(b.grad!.data)).toEqual([2, 2, 2]);
    expect(Array.from(a.grad!.data)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
