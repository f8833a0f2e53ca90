// The WebAssembly kernels against the js reference kernels: conv2d forward on random geometries (wide,
// dot, phased and compacted-weight paths, with lattice-sparse inputs and weights like the chapter's
// dilated, padded deltas), GEMM, float64 delegation, gradients through the graph with either backend,
// worker threads, and the backend selection.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { conv2d, getBackend, mean, randn, setBackend, sum, tensor, type Tensor } from '../src/index.ts';
import { jsBackend, type KernelBackend } from '../src/kernels/backend.ts';
import type { Conv2dGeometry } from '../src/kernels/conv2d.ts';
import { createWasmBackend } from '../src/kernels/wasm/backend.ts';
import { col2imSettings } from '../src/kernels/wasm/col2im.ts';
import { latticeOf } from '../src/kernels/wasm/operand.ts';
import { ROW_SUMS_MIN } from '../src/kernels/wasm/reduce.ts';
import { activateWasm, wasmBackend } from '../src/kernels/wasm/index.ts';
import { loadWasmKernels as loadMaybeAsync, relaxedSimdAvailable, WASM_RELAXED_URL, WASM_URL } from '../src/kernels/wasm/module.ts';
import { Rng } from '../src/rng.ts';
import { convCaseArb, gradcheck } from '../src/testing/index.ts';
import { checkProperty, convOptions, convTensors, expectGradOk } from './helpers.ts';

const wasm = wasmBackend;
/** Node reads the builds synchronously (null would mean the platform cannot). */
function loadWasmKernels(at?: URL | string) {
  const k = loadMaybeAsync(at);
  if (k === null) throw new Error('synchronous wasm loading unavailable');
  return k;
}
if (!wasm) throw new Error('wasm kernels did not load: build them with `pnpm install` (prepare script)');
const initialBackend = getBackend().name;
afterAll(() => setBackend(initialBackend));

/** N(0,1) values; with `lattice`, zero except rows y0 + ys·i and columns x0 + xs·j of every plane. */
function planes(count: number, h: number, w: number, seed: number, lattice?: [number, number, number, number], end?: [number, number]): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(count * h * w);
  for (let p = 0; p < count; p++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = rng.normal();
        const inside = !end || (y <= end[0] && x <= end[1]);
        if (!lattice || (inside && (y - lattice[0]) % lattice[1] === 0 && y >= lattice[0] && (x - lattice[2]) % lattice[3] === 0 && x >= lattice[2])) {
          out[(p * h + y) * w + x] = v;
        }
      }
    }
  }
  return out;
}

interface KernelCase {
  g: Conv2dGeometry;
  bias: boolean;
  seed: number;
  xLattice?: [number, number, number, number];
  /** last row and column of the x lattice (default: to the edge) */
  xEnd?: [number, number];
  wLattice?: [number, number, number, number];
}

const latticeArb = fc.option(fc.tuple(fc.nat({ max: 2 }), fc.integer({ min: 1, max: 3 }), fc.nat({ max: 2 }), fc.integer({ min: 1, max: 3 })), { nil: undefined });

/** Random valid geometries: 1–9 output channels (groups of 4 and leftovers), long kernel rows (dot kernel), strides, padding, dilation. */
const kernelCaseArb: fc.Arbitrary<KernelCase> = fc.record({
  n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 4 }), o: fc.integer({ min: 1, max: 9 }),
  kh: fc.integer({ min: 1, max: 5 }), kw: fc.integer({ min: 1, max: 11 }),
  sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
  pt: fc.nat({ max: 2 }), pl: fc.nat({ max: 2 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 3 }),
  oh: fc.integer({ min: 1, max: 9 }), ow: fc.integer({ min: 1, max: 21 }), remH: fc.nat({ max: 2 }), remW: fc.nat({ max: 2 }),
  bias: fc.boolean(), seed: fc.nat({ max: 1_000_000 }), xLattice: latticeArb, wLattice: latticeArb,
}).map(({ n, c, o, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow, remH, remW, bias, seed, xLattice, wLattice }) => {
  const ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
  const h = Math.max(1, (oh - 1) * sh + ekh + (remH % sh) - 2 * pt), w = Math.max(1, (ow - 1) * sw + ekw + (remW % sw) - 2 * pl);
  const g: Conv2dGeometry = {
    n, c, h, w, o, kh, kw, sh, sw, pt, pl, dh, dw,
    oh: Math.floor((h + 2 * pt - ekh) / sh) + 1, ow: Math.floor((w + 2 * pl - ekw) / sw) + 1,
  };
  return { g, bias, seed, xLattice, wLattice };
}).filter(({ g }) => g.oh >= 1 && g.ow >= 1);

/** Runs one geometry on both kernels; returns the largest error relative to the tolerance (≤ 1 passes). */
function compareConv({ g, bias, seed, xLattice, xEnd, wLattice }: KernelCase, kernels: KernelBackend = wasm!): number {
  const x = planes(g.n * g.c, g.h, g.w, seed, xLattice, xEnd);
  const w = planes(g.o * g.c, g.kh, g.kw, seed + 1, wLattice);
  const b = bias ? planes(1, 1, g.o, seed + 2) : null;
  const ref = new Float32Array(g.n * g.o * g.oh * g.ow), got = new Float32Array(ref.length).fill(NaN);
  jsBackend.conv2dForward(x, w, b, g, ref);
  kernels.conv2dForward(x, w, b, g, got);
  const k = g.c * g.kh * g.kw;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const tol = 1e-5 * (1 + k) + 1e-5 * Math.abs(ref[i]);
    const e = Math.abs(got[i] - ref[i]) / tol;
    worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
  }
  return worst;
}

describe('wasm conv2d forward', () => {
  it('matches the js kernels on random geometries, lattice-sparse inputs and weights', () => {
    const before = { ...wasm.stats };
    checkProperty(kernelCaseArb, (kc) => {
      expect(compareConv(kc)).toBeLessThanOrEqual(1);
    }, 300);
    // every path ran
    expect(wasm.stats.wide).toBeGreaterThan(before.wide);
    expect(wasm.stats.dot).toBeGreaterThan(before.dot);
    expect(wasm.stats.phased).toBeGreaterThan(before.phased);
    expect(wasm.stats.compactedWeights).toBeGreaterThan(before.compactedWeights);
  });

  it('loads the fused multiply-add (relaxed SIMD) build where the engine runs it; the other build matches the js kernels too', () => {
    // Node 20 runs relaxed SIMD once its V8 flag is on (module.ts turns it on); newer engines by default.
    expect(relaxedSimdAvailable(true)).toBe(true);
    expect(relaxedSimdAvailable(false)).toBe(false);
    expect(wasm.variant).toBe(process.env.CONVGRAD_RELAXED_SIMD === '0' ? 'simd' : 'relaxed-simd');
    const other = loadWasmKernels(wasm.variant === 'simd' ? WASM_RELAXED_URL : WASM_URL);
    if (typeof other === 'string') throw new Error(other);
    const otherBackend = createWasmBackend(other, 0);
    expect(otherBackend.variant).not.toBe(wasm.variant);
    checkProperty(kernelCaseArb, (kc) => {
      expect(compareConv(kc, otherBackend)).toBeLessThanOrEqual(1);
    }, 100);
    expect(otherBackend.stats.wide + otherBackend.stats.dot).toBeGreaterThan(0);
    expect(otherBackend.stats.js).toBe(0);
  });

  const G = (n: number, c: number, h: number, w: number, o: number, kh: number, kw: number, s: number, p: number): Conv2dGeometry => ({
    n, c, h, w, o, kh, kw, sh: s, sw: s, pt: p, pl: p, dh: 1, dw: 1,
    oh: Math.floor((h + 2 * p - kh) / s) + 1, ow: Math.floor((w + 2 * p - kw) / s) + 1,
  });

  it('matches the js kernels on the chapter\'s dX convolutions: pad(dilate(δ, S), K′−1) ⋆ W (col2im and phased paths)', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 5 }), o: fc.integer({ min: 1, max: 6 }),
      a: fc.integer({ min: 1, max: 9 }), b: fc.integer({ min: 1, max: 9 }), k: fc.integer({ min: 1, max: 5 }),
      s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), rem: fc.nat({ max: 2 }), bias: fc.boolean(), seed: fc.nat({ max: 1_000_000 }),
    });
    const before = { ...wasm.stats };
    checkProperty(arb, ({ n, c, o, a, b, k, s, d, rem, bias, seed }) => {
      const ek = d * (k - 1) + 1, pad = ek - 1;
      // δ dilated by s, a remainder of zero rows/cols at the bottom/right, then padded by K′−1 all round
      const h = (a - 1) * s + 1 + (rem % s) + 2 * pad, w = (b - 1) * s + 1 + (rem % s) + 2 * pad;
      const g: Conv2dGeometry = { n, c, h, w, o, kh: k, kw: k, sh: 1, sw: 1, pt: 0, pl: 0, dh: d, dw: d, oh: h - ek + 1, ow: w - ek + 1 };
      expect(compareConv({ g, bias, seed, xLattice: [pad, s, pad, s], xEnd: [pad + (a - 1) * s, pad + (b - 1) * s] })).toBeLessThanOrEqual(1);
    }, 150);
    expect(wasm.stats.col2im).toBeGreaterThan(before.col2im);
    expect(wasm.stats.phased).toBeGreaterThan(before.phased);
  });

  it('takes the phased path for a stride-1 conv of a dilated, padded delta (the chapter\'s dX)', () => {
    const before = wasm.stats.phased;
    // pad(dilate(δ, 2), 2): non-zeros at rows/cols 2, 4, …; 3×3 kernel; output 34×34 as in bench case d
    expect(compareConv({ g: G(2, 5, 36, 36, 6, 3, 3, 1, 0), bias: true, seed: 3, xLattice: [2, 2, 2, 2] })).toBeLessThanOrEqual(1);
    // stride 3, uneven lattice offsets
    expect(compareConv({ g: G(1, 3, 17, 20, 5, 4, 2, 1, 1), bias: false, seed: 4, xLattice: [1, 3, 2, 3] })).toBeLessThanOrEqual(1);
    expect(wasm.stats.phased).toBe(before + 2);
  });

  it('compacts a dilated kernel (the chapter\'s dW, whose kernel is the dilated delta) and takes the dot kernel', () => {
    const before = { ...wasm.stats };
    expect(compareConv({ g: G(3, 4, 34, 34, 5, 32, 32, 1, 0), bias: false, seed: 5, wLattice: [0, 2, 0, 2] })).toBeLessThanOrEqual(1);
    expect(wasm.stats.compactedWeights).toBe(before.compactedWeights + 1);
    expect(wasm.stats.dot).toBe(before.dot + 1);
  });

  it('gives bias alone for all-zero inputs and handles 1×1 images', () => {
    const g = G(2, 3, 1, 1, 5, 1, 1, 1, 0);
    expect(compareConv({ g, bias: true, seed: 6 })).toBeLessThanOrEqual(1);
    const x = new Float32Array(2 * 3 * 8 * 8), w = planes(5 * 3, 3, 3, 7), b = Float32Array.from([1, 2, 3, 4, 5]);
    const g2 = G(2, 3, 8, 8, 5, 3, 3, 1, 1);
    const out = new Float32Array(2 * 5 * 64);
    wasm.conv2dForward(x, w, b, g2, out);
    expect(out.every((v, i) => v === b[Math.floor(i / 64) % 5])).toBe(true);
  });

  it('hands float64 to the js kernels unchanged', () => {
    const g = G(2, 3, 9, 7, 5, 3, 2, 2, 1);
    const rng = new Rng(8);
    const x = Float64Array.from({ length: 2 * 3 * 9 * 7 }, () => rng.normal());
    const w = Float64Array.from({ length: 5 * 3 * 3 * 2 }, () => rng.normal());
    const ref = new Float64Array(2 * 5 * g.oh * g.ow), got = new Float64Array(ref.length);
    jsBackend.conv2dForward(x, w, null, g, ref);
    const before = wasm.stats.js;
    wasm.conv2dForward(x, w, null, g, got);
    expect(Array.from(got)).toEqual(Array.from(ref));
    expect(wasm.stats.js).toBe(before + 1);
  });
});

describe('wasm gemm', () => {
  it('matches the js kernel, with offsets and accumulation', () => {
    const arb = fc.record({
      m: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 70 }), k: fc.integer({ min: 1, max: 90 }),
      offs: fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 5 }), fc.nat({ max: 5 })), accumulate: fc.boolean(), seed: fc.nat({ max: 1_000_000 }),
    });
    const before = wasm.stats.gemm;
    checkProperty(arb, ({ m, n, k, offs: [ao, bo, co], accumulate, seed }) => {
      const a = planes(1, 1, ao + m * k, seed), b = planes(1, 1, bo + k * n, seed + 1);
      const c = planes(1, 1, co + m * n + 3, seed + 2);
      const ref = c.slice(), got = c.slice();
      jsBackend.gemm(m, n, k, a, ao, b, bo, ref, co, accumulate);
      wasm.gemm(m, n, k, a, ao, b, bo, got, co, accumulate);
      let worst = 0;
      for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]) / (1e-5 * (k + 1 + Math.abs(ref[i]))));
      expect(worst).toBeLessThanOrEqual(1);
    }, 100);
    expect(wasm.stats.gemm).toBeGreaterThan(before);
  });
});

describe('wasm row sums (sum / mean over trailing axes)', () => {
  it('match float64 sums of every row, NaN and ±∞ included; small inputs stay in js', () => {
    const arb = fc.record({ rows: fc.integer({ min: 1, max: 40 }), len: fc.integer({ min: 8, max: 3000 }), special: fc.boolean(), seed: fc.nat({ max: 1_000_000 }) });
    const before = wasm.stats.rowSums;
    checkProperty(arb, ({ rows, len, special, seed }) => {
      const x = planes(1, rows, len, seed);
      if (special) {
        x[Math.floor(x.length / 3)] = Number.NaN;
        x[x.length - 1] = Number.POSITIVE_INFINITY;
      }
      const got = wasm.rowSums!(x, len);
      if (x.length < ROW_SUMS_MIN) {
        expect(got).toBeNull();
        return;
      }
      expect(got).not.toBeNull();
      for (let r = 0; r < rows; r++) {
        let want = 0;
        for (let j = 0; j < len; j++) want += x[r * len + j];
        if (Number.isNaN(want) || !Number.isFinite(want)) expect(got![r]).toBe(want);
        else expect(Math.abs(got![r] - want)).toBeLessThanOrEqual(1e-12 * (1 + len));
      }
    }, 60);
    expect(wasm.stats.rowSums).toBeGreaterThan(before);
  });

  it('give the same sum and mean as the js kernels (the bias gradient of bench case c: Σδ over N, H, W)', () => {
    const x = randn([16, 32, 32, 32], { seed: 21 });
    const before = wasm.stats.rowSums;
    const per = (backend: string) => {
      setBackend(backend);
      const r = [sum(x, [0, 2, 3]), mean(x, [2, 3]), sum(x)];
      setBackend(initialBackend);
      return r;
    };
    const ref = per('js'), got = per('wasm');
    expect(wasm.stats.rowSums).toBe(before + 3);
    ref.forEach((r, i) => {
      expect(got[i].shape).toEqual(r.shape);
      Array.from(r.data).forEach((v, j) => expect(Math.abs(got[i].data[j] - v)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(v))));
    });
    // float64 tensors and leading-axis sums keep the js loop
    setBackend('wasm');
    sum(tensor([1, 2, 3], [3], { dtype: 'float64' }));
    sum(x, [0]);
    setBackend(initialBackend);
    expect(wasm.stats.rowSums).toBe(before + 3);
  });
});

describe('conv2d through the graph with either backend', () => {
  const grads = (backend: string, c: ReturnType<typeof convTensors>, opts: ReturnType<typeof convOptions>, seed: number) => {
    setBackend(backend);
    const x = c.x.detach().requiresGrad_(), w = c.w.detach().requiresGrad_(), b = c.b ? c.b.detach().requiresGrad_() : null;
    const y = conv2d(x, w, b, opts);
    const r = randn([...y.shape], { seed, dtype: y.dtype });
    y.mul(r).sum().backward();
    return [y, x.grad!, w.grad!, ...(b ? [b.grad!] : [])];
  };

  it('gives the same output and gradients (float32), strides with remainders, padding, dilation', () => {
    checkProperty(convCaseArb({ maxOut: 12, maxChannels: 5 }), (c) => {
      const t = convTensors(c, 'float32');
      const ref = grads('js', t, convOptions(c), c.seed + 9);
      const got = grads('wasm', t, convOptions(c), c.seed + 9);
      setBackend(initialBackend);
      ref.forEach((r: Tensor, i) => {
        const g = got[i];
        expect(g.shape).toEqual(r.shape);
        const scale = Math.max(1, ...Array.from(r.data, Math.abs));
        let worst = 0;
        for (let j = 0; j < r.size; j++) worst = Math.max(worst, Math.abs(g.data[j] - r.data[j]));
        expect(worst, `output/gradient ${i}`).toBeLessThanOrEqual(2e-5 * scale * (1 + c.cin * c.kh * c.kw));
      });
    }, 60);
  });

  // float64 always runs on the js kernels, so a gradcheck "under the wasm backend" would check no wasm code.
  // Instead: float32 gradients that the wasm kernels compute (forward and the backward's convs) against the
  // float64 js gradients, which gradcheck confirms against central differences.
  it('float32 gradients from the wasm kernels match the float64 gradients that pass gradcheck', () => {
    const convCalls = () => { const s = wasm.stats; return s.wide + s.dot + s.phased + s.col2im; };
    checkProperty(convCaseArb({ maxOut: 3 }), (c) => {
      const opts = convOptions(c);
      const t64 = convTensors(c);
      const f = (...t: Tensor[]) => conv2d(t[0], t[1], t[2] ?? null, opts);
      setBackend('js');
      expectGradOk(gradcheck(f, t64.b ? [t64.x, t64.w, t64.b] : [t64.x, t64.w]));
      const ref = grads('js', t64, opts, c.seed + 9);
      const before = convCalls(), jsBefore = wasm.stats.js;
      const got = grads('wasm', convTensors(c, 'float32'), opts, c.seed + 9);
      setBackend(initialBackend);
      // forward, dX and dW are convs: each must have run on a wasm path, none on the js fallback
      expect(convCalls() - before, 'wasm conv calls').toBeGreaterThanOrEqual(3);
      expect(wasm.stats.js - jsBefore, 'calls handed to js').toBe(0);
      ref.forEach((r: Tensor, i) => {
        const g = got[i];
        expect(g.dtype).toBe('float32');
        const scale = Math.max(1, ...Array.from(r.data, Math.abs));
        let worst = 0;
        for (let j = 0; j < r.size; j++) worst = Math.max(worst, Math.abs(g.data[j] - r.data[j]));
        expect(worst, `output/gradient ${i} (float32 wasm vs float64 js)`).toBeLessThanOrEqual(1e-5 * scale * (1 + c.cin * c.kh * c.kw * c.n));
      });
    }, 20);
  });
});

describe('worker threads', () => {
  it('split large jobs across threads with the same results', async () => {
    const loaded = loadWasmKernels();
    if (typeof loaded === 'string') throw new Error(loaded);
    const two = createWasmBackend(loaded, 1);
    two.pool.adaptive = false; // every job is offered, however busy the machine
    expect(await two.pool.warm()).toBe(1);
    const g: Conv2dGeometry = { n: 4, c: 8, h: 20, w: 20, o: 12, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1, oh: 20, ow: 20 };
    const x = planes(4 * 8, 20, 20, 10), w = planes(12 * 8, 3, 3, 11), b = planes(1, 1, 12, 12);
    const ref = new Float32Array(4 * 12 * 400), got = new Float32Array(ref.length);
    jsBackend.conv2dForward(x, w, b, g, ref);
    two.conv2dForward(x, w, b, g, got);
    expect(Math.max(...ref.map((r, i) => Math.abs(got[i] - r)))).toBeLessThanOrEqual(1e-4);
    // the weight gradient of the same conv: dot kernel, split over images
    const gw: Conv2dGeometry = { n: 8, c: 4, h: 22, w: 22, o: 12, kh: 20, kw: 20, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, oh: 3, ow: 3 };
    const xt = planes(8 * 4, 22, 22, 13), d = planes(12 * 4, 20, 20, 14);
    const refW = new Float32Array(8 * 12 * 9), gotW = new Float32Array(refW.length);
    jsBackend.conv2dForward(xt, d, null, gw, refW);
    two.conv2dForward(xt, d, null, gw, gotW);
    expect(Math.max(...refW.map((r, i) => Math.abs(gotW[i] - r)))).toBeLessThanOrEqual(2e-3);
    expect(two.pool.parallelJobs).toBe(2);
    // 8+ images: chunks of whole images, each padded and phase-split (stride 2) by the thread that claims it
    for (const [n, s] of [[8, 2], [11, 1], [9, 3]]) {
      const g3: Conv2dGeometry = { n, c: 6, h: 30, w: 29, o: 9, kh: 3, kw: 3, sh: s, sw: s, pt: 1, pl: 1, dh: 1, dw: 1,
        oh: Math.floor((30 + 2 - 3) / s) + 1, ow: Math.floor((29 + 2 - 3) / s) + 1 };
      const x3 = planes(n * 6, 30, 29, 15 + n), w3 = planes(9 * 6, 3, 3, 16), b3 = planes(1, 1, 9, 17);
      const ref3 = new Float32Array(n * 9 * g3.oh * g3.ow), got3 = new Float32Array(ref3.length).fill(Number.NaN);
      jsBackend.conv2dForward(x3, w3, b3, g3, ref3);
      two.conv2dForward(x3, w3, b3, g3, got3);
      expect(Math.max(...ref3.map((r, i) => Math.abs(got3[i] - r))), `n ${n}, stride ${s}`).toBeLessThanOrEqual(1e-4);
    }
    expect(two.pool.parallelJobs).toBe(5);
  });

  it('col2im fused per image (one job) = GEMM and col2im as two jobs, bit for bit, on 1 and 2 threads', async () => {
    const loaded = loadWasmKernels();
    if (typeof loaded === 'string') throw new Error(loaded);
    const two = createWasmBackend(loaded, 1);
    two.pool.adaptive = false;
    expect(await two.pool.warm()).toBe(1);
    // LeNet's conv2 dX: δ [n, 32→c, 8×8] padded by K−1 = 4, flipped weights; odd sizes and a NaN/±∞ tail too
    for (const [n, c, o, a, k, seed] of [[9, 7, 6, 8, 5, 1], [3, 5, 3, 5, 3, 2], [16, 32, 16, 8, 5, 3]]) {
      const h = a + 2 * (k - 1);
      const g: Conv2dGeometry = { n, c, h, w: h, o, kh: k, kw: k, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, oh: h - k + 1, ow: h - k + 1 };
      const x = planes(n * c, h, h, seed, [k - 1, 1, k - 1, 1], [k - 2 + a, k - 2 + a]);
      if (seed === 2) x[(k - 1) * h + k - 1] = Infinity;
      const w = planes(o * c, k, k, seed + 1), b = planes(1, 1, o, seed + 2);
      const runs: Float32Array[] = [];
      for (const be of [wasm!, two]) {
        for (const fused of [true, false]) {
          col2imSettings.fused = fused;
          const before = be.stats.col2im, out = new Float32Array(n * o * g.oh * g.ow).fill(NaN);
          try {
            be.conv2dForward(x, w, b, g, out);
          } finally {
            col2imSettings.fused = true;
          }
          expect(be.stats.col2im).toBe(before + 1);
          runs.push(out);
        }
      }
      for (const r of runs.slice(1)) expect(r.every((v, i) => Object.is(v, runs[0][i]))).toBe(true);
      if (seed !== 2) expect(compareConv({ g, bias: true, seed, xLattice: [k - 1, 1, k - 1, 1], xEnd: [k - 2 + a, k - 2 + a] })).toBeLessThanOrEqual(1);
    }
    expect(two.pool.parallelJobs).toBeGreaterThan(0);
  });
});

describe('backend selection', () => {
  it('falls back to the js kernels with one warning when the wasm file is missing', () => {
    const loaded = loadWasmKernels('/nonexistent/convgrad.wasm');
    expect(typeof loaded).toBe('string');
    expect(loaded).toContain('/nonexistent/convgrad.wasm');
    const warnings: string[] = [];
    const before = getBackend();
    expect(activateWasm(loaded, undefined, (m) => warnings.push(m))).toBeNull();
    expect(getBackend()).toBe(before);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/using the js kernels/);
    // asking for js explicitly: no warning
    expect(activateWasm(loaded, 'js', (m) => warnings.push(m))).toBeNull();
    expect(warnings).toHaveLength(1);
  });

  it('importing the core index selects wasm by default and js with CONVGRAD_BACKEND=js; threads let the process exit', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const script = `
      import { conv2d, getBackend, randn } from './packages/core/src/index.ts';
      import { wasmBackend } from './packages/core/src/kernels/wasm/index.ts';
      if (wasmBackend) await wasmBackend.pool.warm();
      const y = conv2d(randn([8, 8, 24, 24], { seed: 1 }), randn([8, 8, 3, 3], { seed: 2 }), null, { padding: 1 });
      console.log(getBackend().name, y.shape.join('x'), wasmBackend ? wasmBackend.pool.parallelJobs : -1);`;
    const run = (env: Record<string, string>) => new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: root, env: { ...process.env, ...env }, timeout: 30_000,
      }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim())));
    });
    const [dflt, js] = await Promise.all([run({ CONVGRAD_BACKEND: '', CONVGRAD_THREADS: '2' }), run({ CONVGRAD_BACKEND: 'js', CONVGRAD_THREADS: '2' })]);
    expect(dflt).toBe('wasm 8x8x24x24 1');
    expect(js).toBe('js 8x8x24x24 0');
  });
});

describe('latticeOf', () => {
  it('finds first, step and count of the flagged entries', () => {
    const f = (bits: string) => Int32Array.from(bits, (b) => (b === '1' ? -1 : 0));
    expect(latticeOf(f('0010101000'), 0, 10)).toEqual({ first: 2, step: 2, count: 3 });
    expect(latticeOf(f('1001000001'), 0, 10)).toEqual({ first: 0, step: 3, count: 4 });
    expect(latticeOf(f('0110'), 0, 4)).toEqual({ first: 1, step: 1, count: 2 });
    expect(latticeOf(f('0001'), 0, 4)).toEqual({ first: 3, step: 1, count: 1 });
    expect(latticeOf(f('0000'), 0, 4)).toBeNull();
  });
});
