// logSoftmax / softmax kernels, wasm (copies included) against the js kernels and tfjs-wasm, rows of a
// few lengths (float32). Run: cd packages/core && npx tsx --conditions=source bench/softmax.bench.ts
import { logSoftmaxBackward, logSoftmaxForward } from '../src/kernels/softmax.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { softmaxLimits } from '../src/kernels/wasm/softmax.ts';
import { Rng } from '../src/rng.ts';
import { loadTfjs } from './tfjs-load.ts';

const wasm = wasmBackend;
if (!wasm) throw new Error('wasm kernels not loaded');
softmaxLimits.min = 0; // time every size on wasm

function ms(reps: number, fn: () => void): number {
  for (let i = 0; i < 5; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    for (let j = 0; j < 10; j++) fn();
    t.push((performance.now() - t0) / 10);
  }
  return t.sort((a, b) => a - b)[reps >> 1];
}

const { tf, backends } = await loadTfjs(['wasm']);
const hasTf = backends.includes('wasm');
if (hasTf) await tf.setBackend('wasm');

console.log('rows × len          js fwd   wasm fwd  tfjs fwd |   js bwd  wasm bwd   (ms, median; log-softmax)');
for (const [rows, len] of [[64, 10], [256, 10], [1024, 10], [64, 1000], [1024, 100]]) {
  const rng = new Rng(1);
  const x = Float32Array.from({ length: rows * len }, () => 3 * rng.normal()), g = Float32Array.from({ length: rows * len }, () => rng.normal());
  const l = { outer: rows, len, inner: 1 }, out = new Float32Array(x.length), y = new Float32Array(x.length);
  logSoftmaxForward(x, l, y, false);
  const jf = ms(21, () => logSoftmaxForward(x, l, out, false)), wf = ms(21, () => wasm.logSoftmaxForward!(x, l, out, false));
  const jb = ms(21, () => logSoftmaxBackward(g, y, l, out)), wb = ms(21, () => wasm.logSoftmaxBackward!(g, y, l, out));
  let tfms = NaN;
  if (hasTf) {
    const xt = tf.tensor2d(x, [rows, len]);
    tfms = ms(21, () => { const r = tf.logSoftmax(xt); r.dataSync(); r.dispose(); });
    xt.dispose();
  }
  const f = (v: number) => v.toFixed(4).padStart(8);
  console.log(`${`${rows} × ${len}`.padEnd(16)} ${f(jf)}  ${f(wf)}  ${f(tfms)} | ${f(jb)}  ${f(wb)}`);
}
