// In-process A/B of one training step with and without some optional wasm kernels (the backend's
// optional methods removed and restored between blocks, so machine load hits both alike): by default the
// elementwise/optimizer kernels; STEP_KEYS=a,b,… names others (e.g. the batch-norm ones:
// STEP_KEYS=channelStats,channelAffine,gradSums,batchNormInputGrad). STEP_AB=linear instead compares
// Linear on the linear op (on) with Linear as matmul(x, transpose(W)) + b, as before that op (off).
// MNIST LeNet (the example's default spec) or the resnet-style GELU net; synthetic batches of 64.
// Run: CONVGRAD_THREADS=1 npx tsx --conditions=source packages/core/bench/step-ab.ts [lenet|gelu] [blocks]
import { add, matmul, randn, softmaxCrossEntropy, type Tensor, transpose } from '@convgrad/core';
import { Adam, BatchNorm2d, Conv2d, Flatten, GELU, GlobalAvgPool2d, Linear, type Module, Sequential } from '@convgrad/layers';
import { buildLeNet, LENET_SPEC } from '../../examples/src/mnist/model.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';

const linearAb = process.env.STEP_AB === 'linear';
const KEYS = linearAb ? [] : process.env.STEP_KEYS?.split(',') ?? ['leakyRelu', 'stepScale', 'binary', 'smooth', 'smoothGrad', 'adamUpdate', 'sgdUpdate'];
for (const k of KEYS) if (typeof (wasmBackend as unknown as Record<string, unknown>)[k] !== 'function') throw new Error(`step-ab: the wasm backend has no method ${k}`);
const be = wasmBackend as unknown as Record<string, unknown>;
const saved = Object.fromEntries(KEYS.map((k) => [k, be[k]]));
const linearForward = Linear.prototype.forward;
function matmulForward(this: Linear, x: Tensor): Tensor {
  const y = matmul(x, transpose(this.weight, 0, 1));
  return this.bias ? add(y, this.bias) : y;
}
const set = (on: boolean) => {
  KEYS.forEach((k) => { if (on) be[k] = saved[k]; else delete be[k]; });
  if (linearAb) Linear.prototype.forward = on ? linearForward : matmulForward;
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
// process CPU time, not wall time: on a loaded machine wall time mostly measures the other processes
// (run with CONVGRAD_THREADS=1 so no kernel worker's time mixes in)
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const time = (n: number) => { const t = cpu(); for (let i = 0; i < n; i++) step(); return (cpu() - t) / n; };
for (const on of [true, false]) { set(on); time(5); }
const res: Record<string, number[]> = { on: [], off: [] };
// STEP_MODE=on|off runs one side only (for a profiler)
const sides = process.env.STEP_MODE ? [process.env.STEP_MODE === 'on'] : null;
for (let b = 0; b < blocks; b++) for (const on of sides ?? (b % 2 ? [false, true] : [true, false])) { set(on); res[on ? 'on' : 'off'].push(time(10)); }
const med = (a: number[]) => (a.length ? a.slice().sort((p, q) => p - q)[a.length >> 1] : NaN);
console.log(`${which}: CPU ms/step median ${linearAb ? 'linear op' : `wasm ${KEYS.join(', ')}`} on ${med(res.on).toFixed(2)}, off ${med(res.off).toFixed(2)}, off/on ${(med(res.off) / med(res.on)).toFixed(3)}`);
console.log(`  on: ${res.on.map((v) => v.toFixed(1)).join(' ')}\n  off: ${res.off.map((v) => v.toFixed(1)).join(' ')}`);
