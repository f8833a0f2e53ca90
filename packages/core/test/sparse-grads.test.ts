// The conv2d backward's convolutions over δ's non-zeros (kernels/wasm/sparse-dw.ts and sparse-dx.ts) against
// the js conv kernel. Weight gradient: random dot-kernel geometries (short output rows, long kernels = δ; strides, dilation,
// padding, image counts around the 16-image blocks) with δ sparse as after max pooling's backward (one
// non-zero per window) or at random, NaN/±∞/±0 mixed into δ; the same result on 1 and 2 threads bit for
// bit (the channels-last form and the rows form for few images); the cost rule. Input gradient: stride-1 convs of a padded,
// possibly dilated δ block (lattice operands, as the chapter's dX) with sparse δ, against js and the dense
// wasm path, 1 and 2 threads. Then LeNet's conv2 gradients through the graph, equal to the dense paths'
// within float32 rounding.
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { conv2d, getBackend, maxPool2d, randn, relu, setBackend, sum, tensor } from '../src/index.ts';
import { jsBackend } from '../src/kernels/backend.ts';
import type { Conv2dGeometry } from '../src/kernels/conv2d.ts';
import { createWasmBackend } from '../src/kernels/wasm/backend.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { loadWasmKernels } from '../src/kernels/wasm/module.ts';
import { sparseWeightGradSettings } from '../src/kernels/wasm/sparse-dw.ts';
import { sparseInputGradSettings } from '../src/kernels/wasm/sparse-dx.ts';
import { denseLattice } from '../src/lattice.ts';
import { Rng } from '../src/rng.ts';
import { checkProperty } from './helpers.ts';

const wasm = wasmBackend!;
if (!wasm) throw new Error('wasm kernels did not load: build them with `pnpm install` (prepare script)');
const initial = { backend: getBackend().name, ...sparseWeightGradSettings };
const initialDx = { ...sparseInputGradSettings };
afterEach(() => { Object.assign(sparseWeightGradSettings, { mode: initial.mode, maxCostRatio: initial.maxCostRatio }); Object.assign(sparseInputGradSettings, initialDx); });
afterAll(() => setBackend(initial.backend));

const SPECIALS = [NaN, Infinity, -Infinity, -0];

/** δ [o, c, kh, kw]: 'pool' keeps one value per 2×2 window, 'random' a fraction; 'specials' adds NaN/±∞/−0. */
function sparseKernel(g: Conv2dGeometry, kind: 'pool' | 'random' | 'specials', density: number, seed: number): Float32Array {
  const rng = new Rng(seed), out = new Float32Array(g.o * g.c * g.kh * g.kw);
  for (let p = 0; p < g.o * g.c; p++) {
    for (let a = 0; a < g.kh; a += 2) {
      for (let b = 0; b < g.kw; b += 2) {
        const cells = [[a, b], [a, b + 1], [a + 1, b], [a + 1, b + 1]].filter(([y, x]) => y < g.kh && x < g.kw);
        for (const [y, x] of cells) {
          const keep = kind === 'pool' ? false : rng.uniform() < density;
          if (keep) out[(p * g.kh + y) * g.kw + x] = rng.normal();
        }
        if (kind === 'pool') {
          const [y, x] = cells[Math.floor(rng.uniform() * cells.length)];
          out[(p * g.kh + y) * g.kw + x] = rng.normal();
        }
      }
    }
  }
  if (kind === 'specials') for (let i = 0; i < out.length; i++) if (rng.uniform() < 0.02) out[i] = SPECIALS[Math.floor(rng.uniform() * SPECIALS.length)];
  return out;
}

const caseArb = fc.record({
  n: fc.integer({ min: 1, max: 34 }), c: fc.integer({ min: 1, max: 5 }), o: fc.integer({ min: 1, max: 6 }),
  kh: fc.integer({ min: 2, max: 9 }), kw: fc.integer({ min: 2, max: 9 }), oh: fc.integer({ min: 1, max: 5 }), ow: fc.integer({ min: 1, max: 7 }),
  s: fc.integer({ min: 1, max: 2 }), dil: fc.integer({ min: 1, max: 2 }), pad: fc.nat({ max: 2 }),
  kind: fc.constantFrom<'pool' | 'random' | 'specials'>('pool', 'random', 'specials'), density: fc.double({ min: 0.02, max: 0.4, noNaN: true }), seed: fc.nat({ max: 1_000_000 }),
}).map(({ n, c, o, kh, kw, oh, ow, s, dil, pad, kind, density, seed }) => {
  const ekh = dil * (kh - 1) + 1, ekw = dil * (kw - 1) + 1;
  const h = Math.max(1, (oh - 1) * s + ekh - 2 * pad), w = Math.max(1, (ow - 1) * s + ekw - 2 * pad);
  const g: Conv2dGeometry = { n, c, h, w, o, kh, kw, sh: s, sw: s, pt: pad, pl: pad, dh: dil, dw: dil,
    oh: Math.floor((h + 2 * pad - ekh) / s) + 1, ow: Math.floor((w + 2 * pad - ekw) / s) + 1 };
  return { g, kind, density, seed };
}).filter(({ g }) => g.oh >= 1 && g.ow >= 1 && g.ow < 8 && g.kw > g.ow); // the dot kernel's shape

function inputs(g: Conv2dGeometry, kind: 'pool' | 'random' | 'specials', density: number, seed: number) {
  const rng = new Rng(seed + 1);
  return { x: Float32Array.from({ length: g.n * g.c * g.h * g.w }, () => rng.normal()), w: sparseKernel(g, kind, density, seed) };
}

/**
 * |wasm − js| / (1e-5·(1 + C·KH·KW) + 1e-5·|js|), worst over the output. Non-finite outputs must be those
 * of `nonFinite` (default ref) exactly: the dense wasm kernels multiply the zeros of the padding (∞·0 = NaN,
 * as PyTorch's padded GEMM), the js kernel skips those taps, so with ±∞ in δ the dense wasm path is the reference.
 */
function worstError(got: Float32Array, ref: Float32Array, k: number, nonFinite = ref): number {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    if (!Number.isFinite(nonFinite[i]) || !Number.isFinite(got[i])) {
      if (!Object.is(got[i], nonFinite[i])) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(got[i] - ref[i]) / (1e-5 * (1 + k) + 1e-5 * Math.abs(ref[i])));
  }
  return worst;
}

/**
 * LeNet's conv2 (x [64, 16, 12, 12], w [32, 16, 5, 5]) → max pool 2 → ReLU, weighted sum, backward: the
 * gradient of x or w with the sparse path on ('auto', taken once) and off ('never'), equal within float32 rounding.
 */
function expectSameAsDense(of: 'x' | 'w', settings: { mode: 'auto' | 'never' | 'always' }, taken: () => number): void {
  setBackend('wasm');
  const b = randn([32], { seed: 3 });
  const weights = tensor(Float32Array.from({ length: 64 * 32 * 16 }, (_, i) => (i % 7) - 3), [64, 32, 4, 4]);
  const grads: Float32Array[] = [];
  for (const mode of ['auto', 'never'] as const) {
    settings.mode = mode;
    const x = randn([64, 16, 12, 12], { seed: 1, requiresGrad: of === 'x' }), w = randn([32, 16, 5, 5], { seed: 2, std: 0.1, requiresGrad: of === 'w' });
    const s0 = taken();
    sum(relu(maxPool2d(conv2d(x, w, b), 2)).mul(weights)).backward();
    expect(taken() - s0).toBe(mode === 'auto' ? 1 : 0);
    grads.push((of === 'x' ? x : w).grad!.data as Float32Array);
  }
  const [sparse, dense] = grads;
  const scale = dense.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (let i = 0; i < dense.length; i++) expect(Math.abs(sparse[i] - dense[i])).toBeLessThanOrEqual(1e-5 * scale);
}

describe('weight gradient over δ\'s non-zeros (wasm)', () => {
  it('matches the js conv on random dot-kernel geometries, sparse δ with NaN/±∞/−0', () => {
    sparseWeightGradSettings.mode = 'always';
    const before = wasm.stats.sparseWeightGrad;
    let runs = 0;
    checkProperty(caseArb, ({ g, kind, density, seed }) => {
      const { x, w } = inputs(g, kind, density, seed);
      const ref = new Float32Array(g.n * g.o * g.oh * g.ow), got = new Float32Array(ref.length).fill(NaN);
      jsBackend.conv2dForward(x, w, null, g, ref);
      const s0 = wasm.stats.sparseWeightGrad;
      wasm.conv2dForward(x, w, null, g, got);
      if (wasm.stats.sparseWeightGrad > s0) runs++;
      sparseWeightGradSettings.mode = 'never';
      const dense = new Float32Array(ref.length);
      wasm.conv2dForward(x, w, null, g, dense);
      sparseWeightGradSettings.mode = 'always';
      expect(worstError(got, ref, g.c * g.kh * g.kw, dense)).toBeLessThanOrEqual(1);
    }, 200);
    // taken whenever δ is not all zero or compacted off the dot kernel's shape
    expect(wasm.stats.sparseWeightGrad - before).toBe(runs);
    expect(runs).toBeGreaterThan(100);
  });

  it('gives the same result on 1 and 2 threads, bit for bit (each unit sums its non-zeros in order)', async () => {
    const loaded = loadWasmKernels();
    if (loaded === null || typeof loaded === 'string') throw new Error(String(loaded));
    const two = createWasmBackend(loaded, 1);
    two.pool.adaptive = false;
    expect(await two.pool.warm()).toBe(1);
    // LeNet's conv2 dW: n' = 16 input channels, c' = 64 images, δ 8×8 (one in four non-zero), output 5×5
    const g: Conv2dGeometry = { n: 16, c: 64, h: 12, w: 12, o: 32, kh: 8, kw: 8, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, oh: 5, ow: 5 };
    const { x, w } = inputs(g, 'pool', 0, 5);
    const one = new Float32Array(16 * 32 * 25), both = new Float32Array(one.length).fill(NaN), ref = new Float32Array(one.length);
    wasm.conv2dForward(x, w, null, g, one);
    const s0 = two.stats.sparseWeightGrad;
    two.conv2dForward(x, w, null, g, both);
    expect(two.stats.sparseWeightGrad).toBe(s0 + 1);
    expect(two.pool.parallelJobs).toBeGreaterThan(0);
    expect(both.every((v, i) => Object.is(v, one[i]))).toBe(true);
    jsBackend.conv2dForward(x, w, null, g, ref);
    expect(worstError(one, ref, 64 * 64)).toBeLessThanOrEqual(1);
    // LeNet's conv1 dW (one input channel: the rows form), 6 kernels so that units remain for both threads
    const g1: Conv2dGeometry = { n: 1, c: 64, h: 28, w: 28, o: 6, kh: 24, kw: 24, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, oh: 5, ow: 5 };
    const in1 = inputs(g1, 'pool', 0, 6);
    const one1 = new Float32Array(6 * 25), both1 = new Float32Array(one1.length).fill(NaN), ref1 = new Float32Array(one1.length);
    wasm.conv2dForward(in1.x, in1.w, null, g1, one1);
    two.conv2dForward(in1.x, in1.w, null, g1, both1);
    expect(two.stats.sparseWeightGrad).toBe(s0 + 2);
    expect(both1.every((v, i) => Object.is(v, one1[i]))).toBe(true);
    jsBackend.conv2dForward(in1.x, in1.w, null, g1, ref1);
    expect(worstError(one1, ref1, 64 * 576)).toBeLessThanOrEqual(1);
  });

  it('takes the rows form for few images, keeps the dense kernel when neither form pays or δ is dense', () => {
    const run = (g: Conv2dGeometry, kind: 'pool' | 'random', density: number) => {
      const { x, w } = inputs(g, kind, density, 9);
      const s0 = wasm.stats.sparseWeightGrad;
      wasm.conv2dForward(x, w, null, g, new Float32Array(g.n * g.o * g.oh * g.ow));
      return wasm.stats.sparseWeightGrad > s0;
    };
    // LeNet's conv1 dW: one input channel (n' = 1): the rows form (8 columns × rows per non-zero)
    const conv1: Conv2dGeometry = { n: 1, c: 8, h: 28, w: 28, o: 4, kh: 24, kw: 24, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, oh: 5, ow: 5 };
    expect(run(conv1, 'pool', 0)).toBe(true);
    // a strided one (the rows form needs stride-1 columns): 16-image blocks for one image, dense stays
    expect(run({ ...conv1, h: 32, w: 32, kh: 12, kw: 12, sh: 2, sw: 2, dh: 2, dw: 2, oh: 5, ow: 5 }, 'pool', 0)).toBe(false);
    const g: Conv2dGeometry = { n: 16, c: 8, h: 12, w: 12, o: 4, kh: 8, kw: 8, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, oh: 5, ow: 5 };
    expect(run(g, 'pool', 0)).toBe(true);
    expect(run(g, 'random', 0.9)).toBe(false);
    sparseWeightGradSettings.mode = 'never';
    expect(run(g, 'pool', 0)).toBe(false);
  });

  it('LeNet\'s conv2 weight gradient through the graph (after max pooling and ReLU) equals the dense path\'s', () => {
    expectSameAsDense('w', sparseWeightGradSettings, () => wasm.stats.sparseWeightGrad);
  });
});

describe('input gradient over δ\'s non-zeros (wasm)', () => {
  /** pad(dilate(δ, s), K′−1 − p) ⋆ W as the conv backward forms it: δ a dense array placed on a lattice view. */
  const dxArb = fc.record({
    n: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 6 }), o: fc.integer({ min: 1, max: 20 }), a: fc.integer({ min: 1, max: 8 }), b: fc.integer({ min: 1, max: 8 }),
    k: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 2 }), dil: fc.integer({ min: 1, max: 2 }), p: fc.nat({ max: 2 }),
    kind: fc.constantFrom<'pool' | 'random' | 'specials'>('pool', 'random', 'specials'), seed: fc.nat({ max: 1_000_000 }),
  });

  it('matches the js conv and the dense wasm path on padded, dilated δ blocks, 1 and 2 threads', async () => {
    const loaded = loadWasmKernels();
    if (loaded === null || typeof loaded === 'string') throw new Error(String(loaded));
    const two = createWasmBackend(loaded, 1);
    two.pool.adaptive = false;
    expect(await two.pool.warm()).toBe(1);
    sparseInputGradSettings.mode = 'always';
    let runs = 0;
    checkProperty(dxArb, ({ n, c, o, a, b, k, s, dil, p, kind, seed }) => {
      const ek = dil * (k - 1) + 1, pad = Math.max(0, ek - 1 - p);
      // δ [n, c, a, b] (c = the conv's output channels) sparse as sparseKernel makes it
      const delta = sparseKernel({ n: 0, c, h: 0, w: 0, o: n, kh: a, kw: b, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, oh: 0, ow: 0 }, kind, 0.25, seed);
      const h = (a - 1) * s + 1 + 2 * pad, w = (b - 1) * s + 1 + 2 * pad;
      const g: Conv2dGeometry = { n, c, h, w, o, kh: k, kw: k, sh: 1, sw: 1, pt: 0, pl: 0, dh: dil, dw: dil, oh: h - ek + 1, ow: w - ek + 1 };
      if (g.oh < 1 || g.ow < 1) return;
      const rng = new Rng(seed + 7);
      const wt = Float32Array.from({ length: o * c * k * k }, () => rng.normal());
      const dense = new Float32Array(n * c * h * w);
      for (let i = 0; i < n * c; i++) for (let y = 0; y < a; y++) for (let x = 0; x < b; x++) dense[(i * h + pad + y * s) * w + pad + x * s] = delta[(i * a + y) * b + x];
      const lat = { ...denseLattice(delta, [n, c, a, b]), first: [pad, pad] as [number, number], step: [s, s] as [number, number] };
      const ref = new Float32Array(n * o * g.oh * g.ow);
      jsBackend.conv2dForward(dense, wt, null, g, ref);
      const outs: Float32Array[] = [];
      for (const be of [wasm, two]) {
        const got = new Float32Array(ref.length).fill(NaN), s0 = be.stats.sparseInputGrad;
        be.conv2dForwardLattice!(lat, wt, null, g, got);
        if (be.stats.sparseInputGrad > s0) runs++;
        outs.push(got);
      }
      sparseInputGradSettings.mode = 'never';
      const viaDense = new Float32Array(ref.length);
      wasm.conv2dForwardLattice!(lat, wt, null, g, viaDense);
      sparseInputGradSettings.mode = 'always';
      expect(outs[1].every((v, i) => Object.is(v, outs[0][i]))).toBe(true);
      expect(worstError(outs[0], ref, c * k * k, viaDense)).toBeLessThanOrEqual(1);
    }, 150);
    expect(runs).toBeGreaterThan(150);
  });

  it('keeps the dense paths for dense δ, strides and a bias', () => {
    const g: Conv2dGeometry = { n: 2, c: 4, h: 12, w: 12, o: 16, kh: 5, kw: 5, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, oh: 8, ow: 8 };
    const rng = new Rng(3);
    const x = Float32Array.from({ length: 2 * 4 * 144 }, () => (rng.uniform() < 0.2 ? rng.normal() : 0)), w = Float32Array.from({ length: 16 * 4 * 25 }, () => rng.normal());
    const ran = (gg: Conv2dGeometry, xx: Float32Array, bias: Float32Array | null) => {
      const s0 = wasm.stats.sparseInputGrad;
      wasm.conv2dForward(xx, w, bias, gg, new Float32Array(gg.n * gg.o * gg.oh * gg.ow));
      return wasm.stats.sparseInputGrad > s0;
    };
    expect(ran(g, x, null)).toBe(true);
    expect(ran(g, x.map((v) => v + 1), null)).toBe(false);
    expect(ran(g, x, new Float32Array(16))).toBe(false);
    expect(ran({ ...g, sh: 2, sw: 2, oh: 4, ow: 4 }, x, null)).toBe(false);
  });

  it('LeNet\'s conv2 input gradient through the graph equals the dense path\'s', () => {
    expectSameAsDense('x', sparseInputGradSettings, () => wasm.stats.sparseInputGrad);
  });
});
