// Pooling kernels, wasm (copies in and out included) against the js kernels and tfjs-wasm, at the
// LeNet/MNIST sizes and a few others (float32). Ops-level figures: nn-ops.bench.ts.
// Run: cd packages/core && npx tsx --conditions=source bench/pooling.bench.ts
import { jsBackend } from '../src/kernels/backend.ts';
import { avgPool2dAdjoint, avgPool2dForward, maxPool2dForward, type Pool2dGeometry } from '../src/kernels/pool.ts';
import { scatterAddFlat } from '../src/kernels/indexing.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { adaptiveAxis, slidingAxis } from '../src/ops/pool-windows.ts';
import { Rng } from '../src/rng.ts';
import { loadTfjs } from './tfjs-load.ts';

const wasm = wasmBackend;
if (!wasm) throw new Error('wasm kernels not loaded');
void jsBackend;

/** Median ms of `reps` timed runs (after a warm-up). */
function ms(reps: number, fn: () => void): number {
  for (let i = 0; i < 5; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[reps >> 1];
}

function geometry(shape: number[], k: number, s: number, p: number, kind: 'max' | 'avg' | 'global'): Pool2dGeometry {
  const [n, c, h, w] = shape;
  const rows = kind === 'global' ? adaptiveAxis(h, 1) : slidingAxis(h, k, s, p, 1, false, kind);
  const cols = kind === 'global' ? adaptiveAxis(w, 1) : slidingAxis(w, k, s, p, 1, false, kind);
  const plain2x2 = kind === 'max' && k === 2 && s === 2 && p === 0;
  return { planes: n * c, h, w, rows, cols, plain2x2 };
}

function randomF32(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

const { tf, backends } = await loadTfjs(['wasm']);
const hasTf = backends.includes('wasm');
if (hasTf) await tf.setBackend('wasm');

const cases: [string, number[], number, number, number, 'max' | 'avg' | 'global'][] = [
  ['max 2×2 LeNet conv1 [64,16,24,24]', [64, 16, 24, 24], 2, 2, 0, 'max'],
  ['max 2×2 LeNet conv2 [64,32,8,8]', [64, 32, 8, 8], 2, 2, 0, 'max'],
  ['max 3×3 s2 p1 [32,32,28,28]', [32, 32, 28, 28], 3, 2, 1, 'max'],
  ['avg 2×2 [64,16,24,24]', [64, 16, 24, 24], 2, 2, 0, 'avg'],
  ['avg 3×3 s1 p1 [32,32,14,14]', [32, 32, 14, 14], 3, 1, 1, 'avg'],
  ['global avg [64,64,7,7]', [64, 64, 7, 7], 1, 1, 0, 'global'],
];
const reps = 41;
console.log('case                                   js fwd   wasm fwd  tfjs fwd |   js bwd  wasm bwd   (ms, median)');
for (const [name, shape, k, s, p, kind] of cases) {
  const g = geometry(shape, k, s, p, kind);
  const size = shape.reduce((a, b) => a * b, 1);
  const outN = g.planes * g.rows.start.length * g.cols.start.length;
  const x = randomF32(size, 1), dy = randomF32(outN, 2);
  const out = new Float32Array(outN), arg = new Int32Array(outN), dx = new Float32Array(size);
  let jf: number, wf: number, jb: number, wb: number;
  if (kind === 'max') {
    jf = ms(reps, () => maxPool2dForward(x, g, out, arg));
    wf = ms(reps, () => wasm.maxPool2dForward!(x, g, out, arg));
    jb = ms(reps, () => scatterAddFlat(dy, arg, dx));
    wb = ms(reps, () => wasm.scatterAddFlat!(dy, arg, dx));
  } else {
    jf = ms(reps, () => avgPool2dForward(x, g, out));
    wf = ms(reps, () => wasm.avgPool2dForward!(x, g, out));
    jb = ms(reps, () => avgPool2dAdjoint(dy, g, dx));
    wb = ms(reps, () => wasm.avgPool2dAdjoint!(dy, g, dx));
  }
  let tfms = NaN;
  if (hasTf) {
    const [n, c, h, w] = shape;
    const xt = tf.tensor4d(x, [n, h, w, c]); // NHWC: tfjs's layout (same work)
    const f = () => {
      const y = kind === 'max' ? tf.maxPool(xt, k, s, p === 0 ? 'valid' : 'same') : kind === 'avg' ? tf.avgPool(xt, k, s, p === 0 ? 'valid' : 'same') : tf.mean(xt, [1, 2]);
      y.dataSync();
      y.dispose();
    };
    tfms = ms(reps, f);
    xt.dispose();
  }
  const f = (v: number) => v.toFixed(3).padStart(8);
  console.log(`${name.padEnd(36)} ${f(jf)}  ${f(wf)}  ${f(tfms)} | ${f(jb)}  ${f(wb)}`);
}
