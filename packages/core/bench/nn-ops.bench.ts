// Forward + backward timings of the NN ops at LeNet/MNIST sizes (float32, batch 64).
// Run: cd packages/core && npx tsx bench/nn-ops.bench.ts
import { matmul, maxPool2d, noGrad, onesLike, relu, randn, softmaxCrossEntropy, logSoftmax, avgPool2d, type Tensor } from '../src/index.ts';

function ms(reps: number, fn: () => void): number {
  for (let i = 0; i < 10; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

/** Forward alone (no graph), and forward + backward from a ones gradient (leaf grads reset each run). */
function time(name: string, make: () => Tensor[], f: (...xs: Tensor[]) => Tensor, reps = 50): void {
  const xs = make();
  const seed = onesLike(noGrad(() => f(...xs)));
  const fwd = ms(reps, () => noGrad(() => f(...xs)));
  const both = ms(reps, () => {
    xs.forEach((x) => (x.grad = null));
    f(...xs).backward(seed);
  });
  console.log(`${name.padEnd(36)} forward ${fwd.toFixed(3).padStart(7)} ms   forward+backward ${both.toFixed(3).padStart(7)} ms`);
}

const r = (shape: number[], seed: number) => randn(shape, { seed, requiresGrad: true });
const labels = Int32Array.from({ length: 64 }, (_, i) => i % 10);
time('relu [64, 8, 24, 24]', () => [r([64, 8, 24, 24], 1)], relu);
time('maxPool2d 2×2 [64, 8, 24, 24]', () => [r([64, 8, 24, 24], 1)], (x) => maxPool2d(x, 2));
time('avgPool2d 2×2 [64, 8, 24, 24]', () => [r([64, 8, 24, 24], 1)], (x) => avgPool2d(x, 2));
time('relu+maxPool2d [64, 16, 8, 8]', () => [r([64, 16, 8, 8], 1)], (x) => maxPool2d(relu(x), 2));
time('matmul [64, 256] × [256, 32]', () => [r([64, 256], 1), r([256, 32], 2)], matmul);
time('matmul [64, 256] × [32, 256]ᵀ', () => [r([64, 256], 1), r([32, 256], 2)], (a, b) => matmul(a, b.transpose(0, 1)));
time('logSoftmax [64, 10]', () => [r([64, 10], 1)], (x) => logSoftmax(x));
time('softmaxCrossEntropy [64, 10]', () => [r([64, 10], 1)], (x) => softmaxCrossEntropy(x, labels));
