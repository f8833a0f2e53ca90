import { conv2d, randn, sum } from '@convgrad/core';
function bench(name: string, n: number, cin: number, hw: number, cout: number, k: number, reqX: boolean, pad = 0) {
  const x = randn([n, cin, hw, hw], { seed: 1 }); x.requiresGrad = reqX;
  const w = randn([cout, cin, k, k], { seed: 2 }).requiresGrad_();
  const b = randn([cout], { seed: 3 }).requiresGrad_();
  const reps = 5;
  let tf = 0, tb = 0;
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    const y = conv2d(x, w, b, { padding: pad });
    const t1 = performance.now();
    const l = sum(y);
    l.backward();
    const t2 = performance.now();
    if (r > 0) { tf += t1 - t0; tb += t2 - t1; }
  }
  const macs = n * cout * cin * k * k * ((hw + 2*pad - k + 1) ** 2);
  console.log(`${name}: fwd ${(tf / reps).toFixed(1)} ms (${(macs / (tf / reps) / 1e6).toFixed(2)} GMAC/s) bwd ${(tb / reps).toFixed(1)} ms`);
}
const N = Number(process.argv[2] ?? 64);
bench('c1 1->8 k5', N, 1, 28, 8, 5, false);
bench('c1 1->16 k5', N, 1, 28, 16, 5, false);
bench('c1 1->32 k3', N, 1, 28, 32, 3, false);
bench('c2 8->16 k5', N, 8, 12, 16, 5, true);
bench('c2 16->32 k5', N, 16, 12, 32, 5, true);
bench('c2 32->64 k3', N, 32, 13, 64, 3, true);
