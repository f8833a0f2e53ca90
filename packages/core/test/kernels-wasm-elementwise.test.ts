// The wasm elementwise kernels (relu, leakyRelu, their gradient, broadcast binary ops, GELU/SiLU and their
// gradients) against the js reference kernels: bit for bit where the js loop rounds once (everything but
// exp), within one float32 ulp through exp; on NaN, ±∞, ±0, ties at 0, huge and subnormal values, odd
// lengths (SIMD tails) and broadcast shapes. Also: the ops take the wasm path on a float32 step.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gelu, getBackend, leakyRelu, neg, randn, relu, setBackend, silu, tensor, type Tensor } from '../src/index.ts';
import { binaryBroadcast, type BinaryOp } from '../src/kernels/elementwise.ts';
import { smoothGradMap, smoothMap, type SmoothFn, type SmoothGradFn } from '../src/kernels/smooth.ts';
import { leakyReluMap, stepScale, unaryMap } from '../src/kernels/unary.ts';
import { ELEMENTWISE_MIN } from '../src/kernels/wasm/elementwise.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { broadcastShapes, sizeOf } from '../src/shape.ts';
import { checkProperty } from './helpers.ts';

const wasm = wasmBackend!;
if (!wasm) throw new Error('wasm kernels did not load: build them with `pnpm install` (prepare script)');
const initialBackend = getBackend().name;
const saved = { ...ELEMENTWISE_MIN };
// every size goes to wasm here, so short arrays test the SIMD tails
beforeAll(() => { for (const k of Object.keys(ELEMENTWISE_MIN) as (keyof typeof ELEMENTWISE_MIN)[]) ELEMENTWISE_MIN[k] = 0; });
afterAll(() => {
  Object.assign(ELEMENTWISE_MIN, saved);
  setBackend(initialBackend);
});

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -1e-45, 1.2e-38, -1.2e-38, 1, -1, 88.7, -88.7, 40, -40, 1e-8, -1e-8];
/** float32 values: specials, moderate values (where GELU and SiLU bend), and anything fast-check makes. */
const value = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 5, arbitrary: fc.float({ min: -12, max: 12 }) },
  { weight: 2, arbitrary: fc.float() },
);
const array = (min = 1, max = 70) => fc.array(value, { minLength: min, maxLength: max }).map((v) => Float32Array.from(v));
const pair = fc.integer({ min: 1, max: 70 }).chain((n) => fc.tuple(array(n, n), array(n, n)));

/** Bit-level equality (every NaN equals every NaN). */
function expectSame(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i]) && Number.isNaN(got[i])) continue;
    if (!Object.is(got[i], want[i])) expect.fail(`${what}: element ${i} is ${got[i]}, the js kernel gives ${want[i]}`);
  }
}

/** Within `ulps` float32 units in the last place (same sign; ±∞ and NaN exactly). */
function expectUlps(got: Float32Array, want: Float32Array, ulps: number, what: string): void {
  const gi = new Int32Array(got.buffer, got.byteOffset, got.length), wi = new Int32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i]) && Number.isNaN(got[i])) continue;
    const ok = Object.is(got[i], want[i]) || (Math.sign(got[i]) === Math.sign(want[i]) && Math.abs(gi[i] - wi[i]) <= ulps);
    if (!ok) expect.fail(`${what}: element ${i} (x = ${want[i]}) is ${got[i]}, the js kernel gives ${want[i]}`);
  }
}

describe('wasm elementwise kernels against the js kernels', () => {
  it('relu and leakyRelu forward: bit for bit (NaN stays NaN, −0 → +0 for relu, slopes 0, 0.01, 0.2, −0.5, 1.7)', () => {
    checkProperty(fc.tuple(array(), fc.constantFrom(0, 0.01, 0.2, -0.5, 1.7)), ([x, slope]) => {
      const want = new Float32Array(x.length), got = new Float32Array(x.length);
      if (slope === 0) unaryMap('relu', x, want);
      else leakyReluMap(x, slope, want);
      expect(wasm.leakyRelu!(x, slope, got)).toBe(true);
      expectSame(got, want, `leakyRelu(slope ${slope})`);
    }, 150);
  });

  it('the (leaky) relu gradient: bit for bit, exactly 0 where x ≤ 0 for relu even for g = ±∞, NaN', () => {
    checkProperty(fc.tuple(pair, fc.constantFrom(0, 0.01, -0.5)), ([[g, x], slope]) => {
      const want = new Float32Array(x.length), got = new Float32Array(x.length);
      stepScale(g, x, slope, want);
      expect(wasm.stepScale!(g, x, slope, got)).toBe(true);
      expectSame(got, want, `stepScale(slope ${slope})`);
    }, 150);
    // the tie at 0: x = ±0 passes no gradient (PyTorch's convention), g = NaN included
    const g = Float32Array.from([5, NaN, Infinity, -0, 3]), x = Float32Array.from([0, -0, 0, 1, -0]), out = new Float32Array(5);
    wasm.stepScale!(g, x, 0, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0]);
    expect(Object.is(out[3], 0)).toBe(true);
  });

  // shapes whose broadcast a CNN step uses: same shape, scalar either side, a channel vector [1,C,1,1],
  // trailing [C] and leading [N,1,…] patterns, plus arbitrary ones
  const dim = fc.integer({ min: 1, max: 5 });
  const shapesArb = fc.oneof(
    fc.array(dim, { minLength: 1, maxLength: 4 }).map((s) => [s, s]),
    fc.array(dim, { minLength: 1, maxLength: 4 }).map((s) => [s, []]),
    fc.array(dim, { minLength: 1, maxLength: 4 }).map((s) => [[], s]),
    fc.tuple(dim, dim, dim, dim).map(([n, c, h, w]) => [[n, c, h, w], [1, c, 1, 1]]),
    fc.tuple(dim, dim, dim, dim).map(([n, c, h, w]) => [[1, c, 1, 1], [n, c, h, w]]),
    fc.tuple(dim, dim).map(([n, c]) => [[n, c], [c]]),
    fc.tuple(dim, dim, dim).map(([n, c, k]) => [[n, c, k], [n, 1, k]]),
    fc.tuple(fc.array(fc.constantFrom(1, 2, 3), { minLength: 0, maxLength: 4 }), fc.array(fc.constantFrom(1, 2, 3), { minLength: 0, maxLength: 4 }))
      .filter(([a, b]) => { try { broadcastShapes(a, b, 't'); return true; } catch { return false; } }),
  );
  it('binary ops with broadcasting: add, sub, mul, div bit for bit', () => {
    const arb = fc.tuple(shapesArb, fc.constantFrom<BinaryOp>('add', 'sub', 'mul', 'div'), fc.array(value, { minLength: 64, maxLength: 64 }));
    checkProperty(arb, ([[aShape, bShape], op, pool]) => {
      const outShape = broadcastShapes(aShape, bShape, op);
      const fill = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => pool[(i * 7 + k) % pool.length]);
      const a = fill(sizeOf(aShape), 0), b = fill(sizeOf(bShape), 3);
      const want = new Float32Array(sizeOf(outShape)), got = new Float32Array(want.length);
      binaryBroadcast(op, a, aShape, b, bShape, outShape, want);
      expect(wasm.binary!(op, a, aShape, b, bShape, outShape, got)).toBe(true);
      expectSame(got, want, `${op} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`);
    }, 200);
  });

  it('GELU (erf and tanh) and SiLU forward: within 1 ulp (float64 inside, exp to ~1 ulp)', () => {
    checkProperty(fc.tuple(array(), fc.constantFrom<SmoothFn>('gelu', 'geluTanh', 'silu')), ([x, fn]) => {
      const want = new Float32Array(x.length), got = new Float32Array(x.length);
      smoothMap(fn, x, want);
      expect(wasm.smooth!(fn, x, got)).toBe(true);
      expectUlps(got, want, 1, fn);
    }, 150);
  });

  it('GELU and SiLU gradients: within 1 ulp', () => {
    checkProperty(fc.tuple(pair, fc.constantFrom<SmoothGradFn>('gelu', 'silu')), ([[g, x], fn]) => {
      const want = new Float32Array(x.length), got = new Float32Array(x.length);
      smoothGradMap(fn, g, x, want);
      expect(wasm.smoothGrad!(fn, g, x, got)).toBe(true);
      expectUlps(got, want, 1, `${fn} gradient`);
    }, 150);
  });

  it('GELU and SiLU on a dense grid over [−100, 100] (exp over its whole range; large enough for the worker threads)', () => {
    const x = Float32Array.from({ length: 40001 }, (_, i) => -100 + i * 0.005), g = x.map((v) => 1 - v / 50);
    for (const fn of ['gelu', 'geluTanh', 'silu'] as const) {
      const got = new Float32Array(x.length), want = new Float32Array(x.length);
      wasm.smooth!(fn, x, got);
      smoothMap(fn, x, want);
      expectUlps(got, want, 1, fn);
      if (fn === 'geluTanh') continue;
      wasm.smoothGrad!(fn, g, x, got);
      smoothGradMap(fn, g, x, want);
      expectUlps(got, want, 1, `${fn} gradient`);
    }
    // e^x at the edges of float64: gelu(−40) is a tiny negative number, silu(−1000) is −0, silu(1000) = 1000
    const edge = Float32Array.from([-40, -1000, 1000, -Infinity, Infinity]), out = new Float32Array(5);
    wasm.smooth!('silu', edge, out);
    [Math.fround(-40 / (1 + Math.exp(40))), -0, 1000, NaN, Infinity].forEach((v, i) => expect(Object.is(out[i], v), `silu(${edge[i]}) = ${out[i]}`).toBe(true));
    wasm.smooth!('gelu', edge, out);
    [-0, -0, 1000].forEach((v, i) => expect(Object.is(out[i], v), `gelu(${edge[i]}) = ${out[i]}`).toBe(true));
    expect(out[3]).toBeNaN(); // −∞·Φ(−∞) = −∞·0, as PyTorch
    expect(out[4]).toBe(Infinity);
  });

  it('every special value at every position of arrays of 1–9 elements (the SIMD tails), in every kernel', () => {
    for (let n = 1; n <= 9; n++) {
      for (let at = 0; at < n; at++) {
        for (const sv of SPECIAL) {
          const x = Float32Array.from({ length: n }, (_, i) => (i === at ? sv : i - 2.5));
          const g = Float32Array.from({ length: n }, (_, i) => (i === at ? SPECIAL[(SPECIAL.indexOf(sv) + 3) % SPECIAL.length] : 1.5 - i));
          const want = new Float32Array(n), got = new Float32Array(n);
          const what = `n ${n}, x[${at}] = ${sv}`;
          for (const slope of [0, 0.01]) {
            if (slope === 0) unaryMap('relu', x, want);
            else leakyReluMap(x, slope, want);
            wasm.leakyRelu!(x, slope, got);
            expectSame(got, want, `leakyRelu ${slope}, ${what}`);
            stepScale(g, x, slope, want);
            wasm.stepScale!(g, x, slope, got);
            expectSame(got, want, `stepScale ${slope}, ${what}`);
          }
          for (const op of ['sub', 'div'] as const) {
            binaryBroadcast(op, x, [n], g, [n], [n], want);
            wasm.binary!(op, x, [n], g, [n], [n], got);
            expectSame(got, want, `${op}, ${what}`);
            binaryBroadcast(op, x, [n], g.subarray(at, at + 1), [1], [n], want);
            wasm.binary!(op, x, [n], g.subarray(at, at + 1), [1], [n], got);
            expectSame(got, want, `${op} by a scalar, ${what}`);
          }
          for (const fn of ['gelu', 'geluTanh', 'silu'] as const) {
            smoothMap(fn, x, want);
            wasm.smooth!(fn, x, got);
            expectUlps(got, want, 1, `${fn}, ${what}`);
          }
          for (const fn of ['gelu', 'silu'] as const) {
            smoothGradMap(fn, g, x, want);
            wasm.smoothGrad!(fn, g, x, got);
            expectUlps(got, want, 1, `${fn} gradient, ${what}`);
          }
        }
      }
    }
  });

  it('float64 data and small arrays stay on the js loops', () => {
    Object.assign(ELEMENTWISE_MIN, saved);
    try {
      const x64 = new Float64Array(4096), out64 = new Float64Array(4096);
      expect(wasm.leakyRelu!(x64, 0, out64)).toBe(false);
      expect(wasm.smooth!('gelu', x64, out64)).toBe(false);
      expect(wasm.binary!('add', x64, [4096], x64, [4096], [4096], out64)).toBe(false);
      const small = new Float32Array(ELEMENTWISE_MIN.relu - 1);
      expect(wasm.leakyRelu!(small, 0, small.slice())).toBe(false);
    } finally {
      for (const k of Object.keys(ELEMENTWISE_MIN) as (keyof typeof ELEMENTWISE_MIN)[]) ELEMENTWISE_MIN[k] = 0;
    }
  });
});

describe('a float32 step through the ops on either backend', () => {
  const run = (backend: string, f: (x: Tensor) => Tensor, seed: number) => {
    setBackend(backend);
    try {
      const x = randn([4, 8, 12, 12], { seed, requiresGrad: true });
      const y = f(x).mul(randn([8, 1, 1], { seed: seed + 1 })).add(randn([1, 12], { seed: seed + 2 }));
      y.sum().backward();
      return [y.detach(), x.grad!];
    } finally {
      setBackend(initialBackend);
    }
  };

  it.each([
    ['relu', relu, 0],
    ['leakyRelu', (x: Tensor) => leakyRelu(x, 0.1), 0],
    ['gelu', (x: Tensor) => gelu(x), 1],
    ["gelu 'tanh'", (x: Tensor) => gelu(x, { approximate: 'tanh' }), 1],
    ['silu', silu, 1],
  ] as const)('%s: output and input gradient match the js kernels (wasm path taken)', (_, f, ulps) => {
    const before = wasm.stats.elementwise;
    const ref = run('js', f, 7), got = run('wasm', f, 7);
    expect(wasm.stats.elementwise).toBeGreaterThan(before + 2);
    ref.forEach((r, i) => (ulps === 0 ? expectSame(got[i].data as Float32Array, r.data as Float32Array, `tensor ${i}`) : expectUlps(got[i].data as Float32Array, r.data as Float32Array, 4, `tensor ${i}`)));
  });
});

describe('neg', () => {
  it('negates float32 through the wasm multiply (bit for bit, −0 and NaN included), float64 in js', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? [0, -0, NaN, Infinity, 1e-45][i % 5] : Math.fround(Math.sin(i) * 1e3)));
    setBackend('wasm');
    try {
      const before = wasm.stats.elementwise;
      const got = neg(tensor(Array.from(x), [1000])).data;
      expect(wasm.stats.elementwise).toBe(before + 1);
      x.forEach((v, i) => expect(Object.is(got[i], -v) || (Number.isNaN(v) && Number.isNaN(got[i]))).toBe(true));
      expect(Array.from(neg(tensor([1, -2], [2], { dtype: 'float64' })).data)).toEqual([-1, 2]);
      expect(wasm.stats.elementwise).toBe(before + 1);
    } finally {
      setBackend(initialBackend);
    }
  });
});
