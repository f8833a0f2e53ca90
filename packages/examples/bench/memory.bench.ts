// Bounded memory over a long training loop, without ever freeing a tensor by hand (PyTorch users never
// call dispose): the MNIST example's LeNet on random batches, Adam, and the process's resident memory
// printed every `--every` steps. RSS must plateau: the last quarter's peak may not exceed the second
// quarter's peak by more than --tolerance (default 10 %), else exit code 1.
// Run: npx tsx --conditions=source packages/examples/bench/memory.bench.ts [--steps 20000] [--batch 8]
import { parseArgs } from 'node:util';
import { randn, runtimeInfo, softmaxCrossEntropy, tensor } from '@convgrad/core';
import { Adam } from '@convgrad/layers';
import { buildLeNet, LENET_SPEC } from '../src/mnist/model.ts';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '8' },
    every: { type: 'string', default: '1000' },
    tolerance: { type: 'string', default: '0.1' },
  },
});
const steps = Number(values.steps), batch = Number(values.batch), every = Number(values.every), tolerance = Number(values.tolerance);
for (const [k, v] of Object.entries({ steps, batch, every, tolerance })) {
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`--${k} must be a positive number, got ${v}`);
}

const model = buildLeNet(LENET_SPEC, 1);
const opt = new Adam(model.parameters(), { lr: 1e-3 });
// A few fixed batches, cycled (a fresh tensor per step would test the data pipeline, not the framework).
const inputs = Array.from({ length: 16 }, (_, i) => randn([batch, 1, 28, 28], { seed: 100 + i }));
const labels = Array.from({ length: 16 }, (_, i) => tensor(Array.from({ length: batch }, (_, j) => (i + 3 * j) % 10)));
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1).padStart(7);

console.log(`${runtimeInfo().backend} kernels, ${steps} steps of batch ${batch}; MiB:`);
console.log('   step     rss    heap  arrays   loss   ms/step');
const samples: { step: number; rss: number }[] = [];
let t0 = performance.now();
for (let step = 1; step <= steps; step++) {
  const k = step % inputs.length;
  opt.zeroGrad();
  const loss = softmaxCrossEntropy(model.call(inputs[k]), labels[k]);
  loss.backward();
  opt.step();
  if (step % every === 0) {
    const m = process.memoryUsage();
    samples.push({ step, rss: m.rss });
    const ms = (performance.now() - t0) / every;
    console.log(`${String(step).padStart(7)} ${mb(m.rss)} ${mb(m.heapUsed)} ${mb(m.arrayBuffers)} ${loss.item().toFixed(3).padStart(6)} ${ms.toFixed(2).padStart(9)}`);
    t0 = performance.now();
  }
}

const quarter = (q: number) => samples.filter((s) => s.step > (q * steps) / 4 && s.step <= ((q + 1) * steps) / 4);
const peak = (q: number) => Math.max(...quarter(q).map((s) => s.rss));
if (quarter(1).length === 0 || quarter(3).length === 0) {
  console.log('too few samples to judge the plateau (raise --steps or lower --every)');
} else {
  const growth = peak(3) / peak(1) - 1;
  console.log(`RSS peak: second quarter ${mb(peak(1))} MiB, last quarter ${mb(peak(3))} MiB (${(100 * growth).toFixed(1)} %): ${growth <= tolerance ? 'plateau' : 'GROWING'}`);
  if (growth > tolerance) process.exitCode = 1;
}
