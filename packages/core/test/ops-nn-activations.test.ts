// relu, leakyRelu, sigmoid, tanh, exp, log: forward against Math, backward rules against central
// differences (second order where smooth; ReLU-family away from the kink), Tensor methods, bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exp, leakyRelu, log, mul, relu, sigmoid, tanh, tensor, Tensor } from '../src/index.ts';
import { gradcheck, gradgradcheck, makeTensor, shapeArb, tensorSpecArb, type TensorSpec } from '../src/testing/index.ts';
import { awayFromZero, checkProperty, expectClose, expectGradOk } from './helpers.ts';

const specArb = tensorSpecArb(shapeArb({ maxRank: 3, maxDim: 4 }));

/** Strictly positive float64 leaf in [0.2, ~4] for log. */
function positive(spec: TensorSpec): Tensor {
  const t = makeTensor(spec, { requiresGrad: false });
  return new Tensor(t.data.map((v) => 0.2 + v * v), t.shape, true);
}

const smooth: Array<[string, (x: Tensor) => Tensor, (v: number) => number, (s: TensorSpec) => Tensor]> = [
  ['sigmoid', sigmoid, (v) => 1 / (1 + Math.exp(-v)), (s) => makeTensor(s, { scale: 2 })],
  ['tanh', tanh, Math.tanh, (s) => makeTensor(s)],
  ['exp', exp, Math.exp, (s) => makeTensor(s)],
  ['log', log, Math.log, positive],
];

describe.each(smooth)('%s', (name, f, ref, input) => {
  it('forward matches Math elementwise', () => {
    checkProperty(specArb, (s) => {
      const x = input(s);
      const y = f(x);
      expect(y.shape).toEqual(x.shape);
      expectClose(y.data, Array.from(x.data, ref), 1e-14, name);
    });
  });

  it('gradient matches finite differences', () => {
    checkProperty(specArb, (s) => expectGradOk(gradcheck(f, [input(s)])));
  });

  it('second derivative matches finite differences', () => {
    checkProperty(specArb, (s) => expectGradOk(gradgradcheck(f, [input(s)])), 20);
  });

  it('is a Tensor method', () => {
    const x = input({ shape: [2, 3], seed: 11 });
    const method = (x as unknown as Record<string, () => Tensor>)[name].call(x);
    expectClose(method.data, f(x).data, 0);
  });
});

describe('sigmoid at extreme inputs', () => {
  it('saturates to 0 and 1 without NaN or overflow', () => {
    const y = sigmoid(tensor([-1000, -40, 0, 40, 1000], undefined, { dtype: 'float64' }));
    expectClose(y.data, [0, 1 / (1 + Math.exp(40)), 0.5, 1 / (1 + Math.exp(-40)), 1], 1e-15, 'sigmoid');
    // relative accuracy in the far tail (e^−40 ≈ 4.2e−18), not just "close to 0"
    expect(Math.abs(y.data[1] / Math.exp(-40) - 1)).toBeLessThan(1e-12);
  });
});

describe('relu and leakyRelu', () => {
  const slopeArb = fc.oneof(fc.constant(0.01), fc.double({ min: -2, max: 2, noNaN: true }));

  it('forward: max(x, 0) and x or slope·x', () => {
    checkProperty(fc.tuple(specArb, slopeArb), ([s, slope]) => {
      const x = makeTensor(s);
      expectClose(relu(x).data, Array.from(x.data, (v) => Math.max(v, 0)), 0, 'relu');
      expectClose(leakyRelu(x, slope).data, Array.from(x.data, (v) => (v > 0 ? v : slope * v)), 0, 'leakyRelu');
    });
    expect(leakyRelu(tensor([-2, 3])).toArray()).toEqual([Math.fround(-0.02), 3]);
  });

  it('gradients match finite differences away from the kink at 0', () => {
    checkProperty(fc.tuple(specArb, slopeArb), ([s, slope]) => {
      expectGradOk(gradcheck(relu, [awayFromZero(s)]));
      expectGradOk(gradcheck((x) => leakyRelu(x, slope), [awayFromZero(s)]));
    });
  });

  it('second derivatives flow through the ReLU mask (relu(x)·relu(x) has Hessian 2·[x > 0])', () => {
    checkProperty(fc.tuple(specArb, slopeArb), ([s, slope]) => {
      expectGradOk(gradgradcheck((x) => mul(relu(x), relu(x)), [awayFromZero(s)]));
      expectGradOk(gradgradcheck((x) => mul(leakyRelu(x, slope), x), [awayFromZero(s)]));
    }, 20);
  });

  it('gradient at exactly 0 is 0 (as PyTorch), slope·g below 0', () => {
    const x = tensor([-1, 0, 2], undefined, { dtype: 'float64', requiresGrad: true });
    relu(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 1]);
    const z = tensor([-1, 0, 2], undefined, { dtype: 'float64', requiresGrad: true });
    leakyRelu(z, 0.25).sum().backward();
    expect(z.grad!.toArray()).toEqual([0.25, 0.25, 1]);
  });

  it('handle ±∞, NaN, −0 and huge values exactly (the branch-free loops fall back)', () => {
    const x = tensor([-Infinity, Infinity, Number.NaN, -0, -1e308, 1e308, -2, 3], undefined, { dtype: 'float64', requiresGrad: true });
    expect(Array.from(relu(x).data)).toEqual([0, Infinity, Number.NaN, 0, 0, 1e308, 0, 3]);
    expect(Array.from(leakyRelu(x, 0.5).data)).toEqual([-Infinity, Infinity, Number.NaN, -0, -5e307, 1e308, -1, 3]);
    expect(Array.from(leakyRelu(x, 0).data)).toEqual(Array.from(relu(x).data));
    const g = tensor([1, 1, 1, 1, Infinity, -Infinity, -5, 7], undefined, { dtype: 'float64' });
    relu(x).backward(g);
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 0, 0, 0, -Infinity, 0, 7]);
  });

  it('are Tensor methods', () => {
    const x = makeTensor({ shape: [4], seed: 3 });
    expectClose(x.relu().data, relu(x).data, 0);
    expectClose(x.leakyRelu(0.2).data, leakyRelu(x, 0.2).data, 0);
    expectClose(x.leakyRelu().data, leakyRelu(x).data, 0);
  });
});

describe('activation errors', () => {
  it('reject non-tensors and a bad slope, naming the op', () => {
    expect(() => relu([1, 2] as unknown as Tensor)).toThrow(/^relu: input must be a Tensor, got \[1, 2\]/);
    expect(() => sigmoid(null as unknown as Tensor)).toThrow(/^sigmoid: input must be a Tensor, got null/);
    expect(() => leakyRelu(tensor([1]), Number.NaN)).toThrow(/^leakyRelu: slope must be a finite number/);
  });

  it('log of non-positive values follows Math.log (NaN, −Infinity), not an error', () => {
    expect(Array.from(log(tensor([-1, 0], undefined, { dtype: 'float64' })).data)).toEqual([Number.NaN, -Infinity]);
  });
});
