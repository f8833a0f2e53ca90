// allocateEmpty: outputs that kernels overwrite whole are not zero-filled first (uninitialized.ts). The
// suite runs with them NaN-filled (vitest.setup.ts), so an unwritten element fails the test reading it;
// here: the modes themselves, and training that is bit-identical whatever the arrays held before.
import { afterEach, describe, expect, it } from 'vitest';
import { conv2d, maxPool2d, noGrad, randn, relu, softmaxCrossEntropy, Tensor } from '../src/index.ts';
import { allocateEmpty } from '../src/tensor.ts';
import { setUninitializedFill, type UninitializedFill } from '../src/uninitialized.ts';

const initial = setUninitializedFill('nan');
setUninitializedFill(initial);
afterEach(() => void setUninitializedFill(initial));

/** Five seeded SGD steps of a small CNN (conv → relu → pool → conv → relu → linear): the final parameters. */
function train(): Float32Array[] {
  const w1 = randn([4, 1, 3, 3], { seed: 1, std: 0.3, requiresGrad: true });
  const b1 = randn([4], { seed: 2, std: 0.1, requiresGrad: true });
  const w2 = randn([6, 4, 3, 3], { seed: 3, std: 0.2, requiresGrad: true });
  const fc = randn([6 * 3 * 3, 5], { seed: 4, std: 0.2, requiresGrad: true });
  const params = [w1, b1, w2, fc];
  for (let step = 0; step < 5; step++) {
    const x = randn([8, 1, 10, 10], { seed: 10 + step });
    const labels = Uint8Array.from({ length: 8 }, (_, i) => (i * 3 + step) % 5);
    const h = maxPool2d(relu(conv2d(x, w1, b1, { padding: 1 })), 2);
    const z = relu(conv2d(h, w2, null, { stride: 2, padding: 1 }));
    const loss = softmaxCrossEntropy(z.reshape([8, 6 * 3 * 3]).matmul(fc), labels);
    loss.backward();
    noGrad(() => params.forEach((p) => {
      const d = p.data, g = p.grad!.data;
      for (let i = 0; i < d.length; i++) d[i] -= 0.1 * g[i];
      p.bumpVersion();
      p.grad = null;
    }));
  }
  return params.map((p) => Float32Array.from(p.data));
}

describe('allocateEmpty', () => {
  it.each<[UninitializedFill, number]>([['nan', NaN], ['zero', 0]])("fills with %s in mode '%s'", (mode, value) => {
    setUninitializedFill(mode);
    for (const dtype of ['float32', 'float64'] as const) {
      const a = allocateEmpty(dtype, 1000);
      expect(a).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
      expect(a.length).toBe(1000);
      expect(a.every((v) => Object.is(v, value))).toBe(true);
    }
  });

  it('hands out whole buffers of their own (never memory another array uses)', () => {
    setUninitializedFill('none');
    const arrays = Array.from({ length: 50 }, (_, i) => allocateEmpty(i % 2 ? 'float64' : 'float32', 1 + 37 * i + (i % 3) * 5000));
    arrays.forEach((a) => {
      expect(a.byteOffset).toBe(0);
      expect(a.buffer.byteLength).toBe(a.byteLength);
    });
    expect(new Set(arrays.map((a) => a.buffer)).size).toBe(arrays.length);
    expect(allocateEmpty('float32', 0).length).toBe(0);
  });

  it('refuses bad counts and dtypes with the op name', () => {
    for (const mode of ['none', 'zero', 'nan'] as const) {
      setUninitializedFill(mode);
      expect(() => allocateEmpty('float32', -1)).toThrow(/^allocateEmpty: element count/);
      expect(() => allocateEmpty('float32', 2.5)).toThrow(/^allocateEmpty: element count/);
    }
    expect(() => allocateEmpty('int8' as never, 4)).toThrow(/^allocateEmpty/);
    expect(() => setUninitializedFill('garbage' as never)).toThrow(/^setUninitializedFill: mode/);
  });

  it('training is bit-identical with unspecified, zeroed and NaN-filled output arrays', () => {
    const runs = (['zero', 'none', 'nan'] as const).map((mode) => {
      setUninitializedFill(mode);
      return train();
    });
    expect(runs[0].every((p) => p.every(Number.isFinite))).toBe(true);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(new Tensor(runs[0][0], [4, 1, 3, 3]).sum().item()).not.toBe(randn([4, 1, 3, 3], { seed: 1, std: 0.3 }).sum().item());
  });
});
