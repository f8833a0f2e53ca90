// Depthwise and grouped conv2d on the js and wasm kernels: forward and forward+backward medians.
// `npx tsx bench/depthwise.bench.ts` in packages/core. Not part of the test suite.
import { conv2d, convTranspose2d, randn, setBackend, sum, type Tensor } from '../src/index.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';

function median(f: () => void, reps: number): number {
  f();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

const cases: { name: string; x: number[]; w: number[]; groups: number; transpose?: boolean; opts?: object }[] = [
  { name: 'depthwise N=32 C=32 28×28 3×3 p1', x: [32, 32, 28, 28], w: [32, 1, 3, 3], groups: 32, opts: { padding: 1 } },
  { name: 'grouped N=32 32→32 28×28 3×3 p1 g=4', x: [32, 32, 28, 28], w: [32, 8, 3, 3], groups: 4, opts: { padding: 1 } },
  { name: 'dense N=32 32→32 28×28 3×3 p1 (reference)', x: [32, 32, 28, 28], w: [32, 32, 3, 3], groups: 1, opts: { padding: 1 } },
  { name: 'convTranspose N=32 16→8 14×14 4×4 s2 p1', x: [32, 16, 14, 14], w: [16, 8, 4, 4], groups: 1, transpose: true, opts: { stride: 2, padding: 1 } },
];

for (const c of cases) {
  const x = randn(c.x, { seed: 1, requiresGrad: true });
  const w = randn(c.w, { seed: 2, requiresGrad: true });
  const f = (xx: Tensor) => (c.transpose ? convTranspose2d(xx, w, null, { ...c.opts, groups: c.groups }) : conv2d(xx, w, null, { ...c.opts, groups: c.groups }));
  const row: string[] = [c.name];
  for (const be of ['js', 'wasm']) {
    setBackend(be);
    const js0 = wasmBackend?.stats.js ?? 0;
    const fwd = median(() => f(x), 10);
    const train = median(() => {
      x.grad = null; w.grad = null;
      sum(f(x)).backward();
    }, 10);
    const fell = be === 'wasm' ? ` (js fallbacks: ${(wasmBackend?.stats.js ?? 0) - js0})` : '';
    row.push(`${be}: fwd ${fwd.toFixed(2)} ms, fwd+bwd ${train.toFixed(2)} ms${fell}`);
  }
  console.log(row.join(' | '));
}
