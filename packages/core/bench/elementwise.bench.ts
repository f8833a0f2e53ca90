// Elementwise kernels and optimizer updates, js loops against the wasm kernels (copies into and out of
// wasm memory included, as an op pays them) and against tfjs-wasm (tensors resident in its memory, as in a
// tfjs training step) where it has the op. Decides packages/core/src/kernels/wasm/elementwise.ts's
// ELEMENTWISE_MIN. Run: cd packages/core && npx tsx --conditions=source bench/elementwise.bench.ts
import { binaryBroadcast } from '../src/kernels/elementwise.ts';
import { smoothGradMap, smoothMap } from '../src/kernels/smooth.ts';
import { leakyReluMap, stepScale, unaryMap } from '../src/kernels/unary.ts';
import type { AdamUpdate, SgdUpdate } from '../src/kernels/optim.ts';
import { ELEMENTWISE_MIN } from '../src/kernels/wasm/elementwise.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { Rng } from '../src/rng.ts';
import { loadTfjs } from './tfjs-load.ts';

if (!wasmBackend) throw new Error('wasm kernels unavailable');
const be = wasmBackend;
for (const k of Object.keys(ELEMENTWISE_MIN) as (keyof typeof ELEMENTWISE_MIN)[]) ELEMENTWISE_MIN[k] = 0;

const rng = new Rng(1);
const data = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** Median per-call µs of `fns` over interleaved rounds (so load changes hit all alike). */
function race(fns: Record<string, () => void>, rounds = 15): Record<string, number> {
  const names = Object.keys(fns);
  const per: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) for (let i = 0; i < 20; i++) fns[n]();
  // calls per round: about 2 ms of the first function
  const t0 = performance.now();
  fns[names[0]]();
  const reps = Math.max(1, Math.round(2 / Math.max(1e-3, performance.now() - t0)));
  for (let r = 0; r < rounds; r++) {
    for (const n of names) {
      const t = performance.now();
      for (let i = 0; i < reps; i++) fns[n]();
      per[n].push(((performance.now() - t) / reps) * 1000);
    }
  }
  return Object.fromEntries(names.map((n) => [n, per[n].sort((a, b) => a - b)[per[n].length >> 1]]));
}

const { tf, backends } = await loadTfjs(['wasm']);
const haveTf = backends.includes('wasm');
const rows: string[] = ['| op | elements | js µs | wasm µs | js/wasm | tfjs-wasm µs |', '|---|---|---|---|---|---|'];
function report(op: string, n: number, t: Record<string, number>): void {
  const tfv = t.tfjs === undefined ? '–' : t.tfjs.toFixed(1);
  rows.push(`| ${op} | ${n} | ${t.js.toFixed(1)} | ${t.wasm.toFixed(1)} | ${(t.js / t.wasm).toFixed(2)} | ${tfv} |`);
  console.log(rows[rows.length - 1]);
}
/** A tfjs op on resident tensors (created once), disposed each call. */
function tfOp(make: () => unknown): (() => void) | undefined {
  if (!haveTf) return undefined;
  return () => { const y = make() as { dispose(): void }; y.dispose(); };
}

// small (where the copies start to pay); LeNet conv2 map [64,16,8,8]; conv1 map [64,8,24,24]. BENCH_SIZES=a,b overrides.
const sizes = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : [1024, 65536, 294912];
console.log(rows.join('\n'));
for (const n of sizes) {
  const x = data(n), g = data(n), out = new Float32Array(n);
  const tx = haveTf ? tf.tensor1d(x) : null, tg = haveTf ? tf.tensor1d(g) : null, half = haveTf ? tf.scalar(0.5) : null;
  const withTf = (fns: Record<string, () => void>, t?: () => void) => (t ? { ...fns, tfjs: t } : fns);
  report('relu', n, race(withTf({ js: () => unaryMap('relu', x, out), wasm: () => be.leakyRelu!(x, 0, out) }, tfOp(() => tf.relu(tx)))));
  report('leakyRelu', n, race(withTf({ js: () => leakyReluMap(x, 0.01, out), wasm: () => be.leakyRelu!(x, 0.01, out) }, tfOp(() => tf.leakyRelu(tx, 0.01)))));
  report('relu backward (stepScale)', n, race({ js: () => stepScale(g, x, 0, out), wasm: () => be.stepScale!(g, x, 0, out) }));
  report('add, same shape', n, race(withTf({ js: () => binaryBroadcast('add', x, [n], g, [n], [n], out), wasm: () => be.binary!('add', x, [n], g, [n], [n], out) }, tfOp(() => tf.add(tx, tg)))));
  report('mul by a scalar', n, race(withTf({ js: () => binaryBroadcast('mul', x, [n], g, [], [n], out), wasm: () => be.binary!('mul', x, [n], g.subarray(0, 1), [], [n], out) }, tfOp(() => tf.mul(tx, half)))));
  const c = 16, hw = n / (64 * c), shape = [64, c, hw], bshape = [1, c, 1], bias = data(c);
  const tb = haveTf ? tf.tensor3d(bias, [1, c, 1]) : null, tx3 = haveTf ? tf.reshape(tx, shape) : null;
  if (Number.isInteger(hw)) report('add per channel [N,C,HW]+[1,C,1]', n, race(withTf({ js: () => binaryBroadcast('add', x, shape, bias, bshape, shape, out), wasm: () => be.binary!('add', x, shape, bias, bshape, shape, out) }, tfOp(() => tf.add(tx3, tb)))));
  report('gelu', n, race({ js: () => smoothMap('gelu', x, out), wasm: () => be.smooth!('gelu', x, out) }));
  report('gelu backward', n, race({ js: () => smoothGradMap('gelu', g, x, out), wasm: () => be.smoothGrad!('gelu', g, x, out) }));
  report("gelu 'tanh'", n, race({ js: () => smoothMap('geluTanh', x, out), wasm: () => be.smooth!('geluTanh', x, out) }));
  report('silu', n, race({ js: () => smoothMap('silu', x, out), wasm: () => be.smooth!('silu', x, out) }));
  report('silu backward', n, race({ js: () => smoothGradMap('silu', g, x, out), wasm: () => be.smoothGrad!('silu', g, x, out) }));
}
// optimizer updates at LeNet parameter sizes (conv2 weight 2400, fc1 weight 30720 / 48000)
for (const n of process.env.BENCH_SIZES ? sizes : [2400, 48000]) {
  const theta = data(n), grad = data(n), m = new Float32Array(n), v = new Float32Array(n), buf = new Float32Array(n);
  const adam: AdamUpdate = { theta, grad, m, v, vMax: null, b1: 0.9, b2: 0.999, stepSize: 1e-3 / 0.1, c2: Math.sqrt(0.001), eps: 1e-8, l2: 0, shrink: 1, sign: 1 };
  const jsAdam = () => {
    for (let i = 0; i < n; i++) {
      const th = theta[i] * adam.shrink, gg = adam.sign * grad[i] + adam.l2 * th;
      m[i] = 0.9 * m[i] + (1 - 0.9) * gg;
      v[i] = 0.999 * v[i] + (1 - 0.999) * gg * gg;
      theta[i] = th - adam.stepSize * m[i] / (Math.sqrt(v[i]) / adam.c2 + adam.eps);
    }
  };
  report('adam update', n, race({ js: jsAdam, wasm: () => be.adamUpdate!(adam) }));
  const sgd: SgdUpdate = { theta, grad, buf, fresh: false, lr: 0.01, mu: 0.9, tau: 0, wd: 0, sign: 1, nesterov: false };
  const jsSgd = () => {
    for (let i = 0; i < n; i++) {
      const gg = grad[i] + 0 * theta[i];
      buf[i] = 0.9 * buf[i] + (1 - 0) * gg;
      theta[i] -= 0.01 * buf[i];
    }
  };
  report('sgd momentum update', n, race({ js: jsSgd, wasm: () => be.sgdUpdate!(sgd) }));
}
console.log(`\n${rows.join('\n')}\n(median µs per call over interleaved rounds; wasm includes the copies in and out)`);
