// The optimizers' fused wasm kernels (core's adamUpdate/sgdUpdate) against their reference loops here:
// the same parameters, gradients (with NaN, ±∞, ±0 among them) and settings on the js backend and on the
// wasm one give bit-identical parameters and state, for every option, odd sizes included (the kernels'
// scalar tails). A counting wrapper around the wasm backend shows the kernels ran.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend, randn, registerBackend, setBackend, tensor, type KernelBackend, type Tensor } from '@convgrad/core';
import { Adam, AdamW, SGD, type Optimizer } from '../src/index.ts';

const initial = getBackend().name;
afterAll(() => setBackend(initial));

setBackend('wasm');
const wasm = getBackend();
setBackend(initial);
const calls = { adam: 0, sgd: 0 };
const counted: KernelBackend = {
  ...wasm,
  name: 'wasm-counted',
  adamUpdate: (u) => { const ok = wasm.adamUpdate?.(u) ?? false; if (ok) calls.adam++; return ok; },
  sgdUpdate: (u) => { const ok = wasm.sgdUpdate?.(u) ?? false; if (ok) calls.sgd++; return ok; },
};
registerBackend(counted);

type Make = (p: Tensor[]) => Optimizer;
const configs: [string, Make][] = [
  ['Adam', (p) => new Adam(p, { lr: 0.01 })],
  ['Adam amsgrad + L2 decay', (p) => new Adam(p, { lr: 0.003, amsgrad: true, weightDecay: 0.1, betas: [0.8, 0.95] })],
  ['Adam maximize, eps 1e-3', (p) => new Adam(p, { lr: 0.01, maximize: true, eps: 1e-3 })],
  ['AdamW', (p) => new AdamW(p, { lr: 0.01 })],
  ['AdamW amsgrad', (p) => new AdamW(p, { lr: 0.02, amsgrad: true, weightDecay: 0.3 })],
  ['SGD', (p) => new SGD(p, { lr: 0.1 })],
  ['SGD momentum + dampening + decay', (p) => new SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 })],
  ['SGD Nesterov maximize', (p) => new SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true })],
];

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 3e38, 1e-40];

/** Parameters and 4 steps of gradients (some entries special), then the values and state after the steps. */
function train(backend: string, make: Make, sizes: number[], seed: number, specials: boolean): Float32Array[] {
  setBackend(backend);
  try {
    const params = sizes.map((n, i) => randn([n], { seed: seed + i, requiresGrad: true }));
    const opt = make(params);
    for (let step = 0; step < 4; step++) {
      params.forEach((p, i) => {
        const g = randn([p.size], { seed: seed * 7 + step * 31 + i }).data as Float32Array;
        if (specials && step === 2) g[(seed + i) % g.length] = SPECIAL[(seed + step + i) % SPECIAL.length];
        p.grad = tensor(Array.from(g), [p.size]);
      });
      opt.step();
    }
    const state = Object.values(opt.stateDict().state).flatMap((s) => Object.values(s.buffers).map((b) => b.data as Float32Array));
    return [...params.map((p) => p.data as Float32Array), ...state];
  } finally {
    setBackend(initial);
  }
}

describe('fused optimizer kernels (wasm) against the reference loops (js)', () => {
  it.each(configs)('%s: bit-identical parameters and state', (_, make) => {
    const before = { ...calls };
    fc.assert(fc.property(fc.array(fc.integer({ min: 256, max: 700 }), { minLength: 1, maxLength: 3 }), fc.nat({ max: 1000 }), fc.boolean(), (sizes, seed, specials) => {
      const ref = train('js', make, sizes, seed, specials), got = train('wasm-counted', make, sizes, seed, specials);
      expect(got.length).toBe(ref.length);
      ref.forEach((r, k) => r.forEach((v, i) => {
        if (!(Number.isNaN(v) && Number.isNaN(got[k][i])) && !Object.is(got[k][i], v)) expect.fail(`array ${k}, element ${i}: wasm ${got[k][i]}, js ${v}`);
      }));
    }), { numRuns: 12 });
    expect(calls.adam + calls.sgd).toBeGreaterThan(before.adam + before.sgd);
  });

  it('float64 parameters and small ones keep the reference loop', () => {
    const before = { ...calls };
    setBackend('wasm-counted');
    try {
      const p = randn([1000], { seed: 1, dtype: 'float64', requiresGrad: true }), q = randn([10], { seed: 2, requiresGrad: true });
      const opt = new Adam([p, q]);
      p.grad = randn([1000], { seed: 3, dtype: 'float64' });
      q.grad = randn([10], { seed: 4 });
      opt.step();
    } finally {
      setBackend(initial);
    }
    expect(calls).toEqual(before);
  });
});
