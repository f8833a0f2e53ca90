// The MNIST LeNet's training step (forward + backward, batch 64; conv5×5(16) → pool → ReLU → conv5×5(32) →
// pool → ReLU → FC128 → ReLU → FC10 → softmax cross-entropy) on the wasm backend, with pooling and
// softmax on the wasm kernels or on the js kernels: the two alternate in blocks of steps in one process,
// so a shared machine's drifting speed hits both alike. Prints median wall ms per step and the ratio, and
// the process CPU time per step (on a crowded machine the CPU time says more; with CONVGRAD_THREADS=1 it
// is the main thread's alone).
// Run: cd packages/core && CONVGRAD_THREADS=1 npx tsx --conditions=source bench/lenet-step.bench.ts
import { conv2d, matmul, maxPool2d, randn, relu, softmaxCrossEntropy, type Tensor } from '../src/index.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { poolingLimits } from '../src/kernels/wasm/pooling.ts';
import { softmaxLimits } from '../src/kernels/wasm/softmax.ts';

if (!wasmBackend) throw new Error('wasm kernels not loaded');
const p = (shape: number[], seed: number, scale: number) => {
  const t = randn(shape, { seed }).mul(scale);
  t.requiresGrad = true;
  return t;
};
const w1 = p([16, 1, 5, 5], 1, 0.2), b1 = p([16], 2, 0.1), w2 = p([32, 16, 5, 5], 3, 0.05), b2 = p([32], 4, 0.1);
const w3 = p([512, 128], 5, 0.04), w4 = p([128, 10], 6, 0.1);
const x = randn([64, 1, 28, 28], { seed: 7 });
const labels = Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 10);

function step(): void {
  for (const t of [w1, b1, w2, b2, w3, w4]) t.grad = null;
  let h: Tensor = relu(maxPool2d(conv2d(x, w1, b1), 2));
  h = relu(maxPool2d(conv2d(h, w2, b2), 2)).reshape([64, 512]);
  softmaxCrossEntropy(matmul(relu(matmul(h, w3)), w4), labels).backward();
}

const defaults = { pool: poolingLimits.min, softmax: softmaxLimits.min };
function setWasmOps(on: boolean): void {
  poolingLimits.min = poolingLimits.scatterMin = on ? defaults.pool : Infinity;
  softmaxLimits.min = on ? defaults.softmax : Infinity;
}

const times: Record<'js' | 'wasm', number[]> = { js: [], wasm: [] };
const cpu: Record<'js' | 'wasm', number> = { js: 0, wasm: 0 };
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (let i = 0; i < 10; i++) step(); // warm-up
for (let block = 0; block < 16; block++) {
  for (const mode of block % 2 ? (['wasm', 'js'] as const) : (['js', 'wasm'] as const)) {
    setWasmOps(mode === 'wasm');
    const c0 = cpuNow();
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      step();
      times[mode].push(performance.now() - t0);
    }
    cpu[mode] += cpuNow() - c0;
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const js = median(times.js), wasm = median(times.wasm);
const n = times.js.length, cj = cpu.js / n, cw = cpu.wasm / n;
console.log(`LeNet step, batch 64 (${n} steps each): pooling + softmax on js ${js.toFixed(2)} ms, on wasm ${wasm.toFixed(2)} ms wall (median): ${(js / wasm).toFixed(3)}×; `
  + `CPU ${cj.toFixed(2)} vs ${cw.toFixed(2)} ms per step: ${(cj / cw).toFixed(3)}×`);
