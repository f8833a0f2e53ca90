// In-process A/B of one training step with and without some of the step's means (optional wasm kernels
// removed and restored, planner settings flipped, Linear's forward swapped) between blocks, so machine
// load hits both alike. STEP_AB names the means (comma-separated; default elementwise):
//   elementwise  the wasm elementwise/optimizer kernels
//   batchnorm    the wasm batch-norm kernels (channelStats, channelAffine, gradSums, batchNormInputGrad)
//   linear       Linear on the linear op (off: matmul(x, transpose(W)) + b)
//   col2im       the col2im GEMM and scatter fused per image (off: two jobs)
//   sparse-dw    the weight gradient over δ's non-zeros (off: the dense kernels)
//   sparse-dx    the input gradient over δ's non-zeros (off: col2im)
//   scatter-js   max pooling's backward scatter-add on the js kernel (the default; off: the wasm kernel from 8 Ki floats)
//   step         all of batchnorm, linear, col2im, sparse-dw, sparse-dx (issue 15's whole-step work)
// STEP_KEYS=a,b,… removes other optional backend methods instead.
// MNIST LeNet (the example's default spec) or the resnet-style GELU net; synthetic batches of 64; wall
// time and process CPU time (all threads) per step.
// Run: [CONVGRAD_THREADS=1] STEP_AB=step npx tsx --conditions=source packages/core/bench/step-ab.ts [lenet|gelu] [blocks]
import { add, matmul, randn, softmaxCrossEntropy, type Tensor, transpose } from '@convgrad/core';
import { Adam, BatchNorm2d, Conv2d, Flatten, GELU, GlobalAvgPool2d, Linear, type Module, Sequential } from '@convgrad/layers';
import { buildLeNet, LENET_SPEC } from '../../examples/src/mnist/model.ts';
import { col2imSettings } from '../src/kernels/wasm/col2im.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { poolingLimits } from '../src/kernels/wasm/pooling.ts';
import { sparseWeightGradSettings } from '../src/kernels/wasm/sparse-dw.ts';
import { sparseInputGradSettings } from '../src/kernels/wasm/sparse-dx.ts';

const ELEMENTWISE = ['leakyRelu', 'stepScale', 'binary', 'smooth', 'smoothGrad', 'adamUpdate', 'sgdUpdate'];
const BATCHNORM = ['channelStats', 'channelAffine', 'gradSums', 'batchNormInputGrad'];
const STEP = ['batchnorm', 'linear', 'col2im', 'sparse-dw', 'sparse-dx'];
const means = (process.env.STEP_AB ?? 'elementwise').split(',').flatMap((m) => (m === 'step' ? STEP : [m]));
const unknown = means.filter((m) => ![...STEP, 'elementwise', 'scatter-js'].includes(m));
if (unknown.length > 0) throw new Error(`step-ab: unknown STEP_AB ${unknown.join(', ')}`);
const KEYS = [...(process.env.STEP_KEYS?.split(',') ?? []), ...(means.includes('elementwise') ? ELEMENTWISE : []), ...(means.includes('batchnorm') ? BATCHNORM : [])];
const be = wasmBackend as unknown as Record<string, unknown>;
for (const k of KEYS) if (typeof be[k] !== 'function') throw new Error(`step-ab: the wasm backend has no method ${k}`);
const saved = Object.fromEntries(KEYS.map((k) => [k, be[k]]));
const linearForward = Linear.prototype.forward;
function matmulForward(this: Linear, x: Tensor): Tensor {
  const y = matmul(x, transpose(this.weight, 0, 1));
  return this.bias ? add(y, this.bias) : y;
}
const set = (on: boolean) => {
  KEYS.forEach((k) => { if (on) be[k] = saved[k]; else delete be[k]; });
  if (means.includes('linear')) Linear.prototype.forward = on ? linearForward : matmulForward;
  if (means.includes('col2im')) col2imSettings.fused = on;
  if (means.includes('sparse-dw')) sparseWeightGradSettings.mode = on ? 'auto' : 'never';
  if (means.includes('scatter-js')) poolingLimits.scatterMin = on ? Infinity : 1 << 13;
  if (means.includes('sparse-dx')) sparseInputGradSettings.mode = on ? 'auto' : 'never';
};

const which = process.argv[2] ?? 'lenet', blocks = Number(process.argv[3] ?? 8);
const model: Module = which === 'lenet' ? buildLeNet(LENET_SPEC, 1)
  : new Sequential(new Conv2d(1, 32, 3, { padding: 1 }), new BatchNorm2d(32), new GELU(), new Conv2d(32, 32, 3, { padding: 1, groups: 32 }), new GELU(),
    new Conv2d(32, 64, 1), new GELU(), new GlobalAvgPool2d(), new Flatten(), new Linear(64, 10));
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const x = randn([64, 1, 28, 28], { seed: 1 });
const labels = Uint8Array.from({ length: 64 }, (_, i) => i % 10);
const step = () => {
  opt.zeroGrad();
  softmaxCrossEntropy(model.call(x) as never, labels as never).backward();
  opt.step();
};
// process CPU time and wall time: on a loaded machine wall time mostly measures the other processes
// (with CONVGRAD_THREADS=1 the CPU time is the main thread's alone)
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const walls: Record<string, number[]> = { on: [], off: [] };
const time = (n: number, side?: 'on' | 'off') => {
  const t = cpu(), w = performance.now();
  for (let i = 0; i < n; i++) step();
  if (side) walls[side].push((performance.now() - w) / n);
  return (cpu() - t) / n;
};
for (const on of [true, false]) { set(on); time(5); }
const res: Record<string, number[]> = { on: [], off: [] };
// STEP_MODE=on|off runs one side only (for a profiler)
const sides = process.env.STEP_MODE ? [process.env.STEP_MODE === 'on'] : null;
for (let b = 0; b < blocks; b++) for (const on of sides ?? (b % 2 ? [false, true] : [true, false])) { set(on); res[on ? 'on' : 'off'].push(time(10, on ? 'on' : 'off')); }
const med = (a: number[]) => (a.length ? a.slice().sort((p, q) => p - q)[a.length >> 1] : NaN);
console.log(`${which} (${means.join(', ')}${KEYS.length ? `; methods ${KEYS.join(', ')}` : ''}): CPU ms/step median on ${med(res.on).toFixed(2)}, off ${med(res.off).toFixed(2)}, off/on ${(med(res.off) / med(res.on)).toFixed(3)}; `
  + `wall ms/step on ${med(walls.on).toFixed(2)}, off ${med(walls.off).toFixed(2)}, off/on ${(med(walls.off) / med(walls.on)).toFixed(3)}`);
console.log(`  on: ${res.on.map((v) => v.toFixed(1)).join(' ')}\n  off: ${res.off.map((v) => v.toFixed(1)).join(' ')}`);
