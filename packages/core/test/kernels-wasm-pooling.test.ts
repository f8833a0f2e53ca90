// The wasm pooling kernels (kernels/wasm/as/pooling.ts) against the js kernels (kernels/pool.ts,
// kernels/indexing.ts): max pooling values and argmax indices bit for bit (ties → first maximum, NaN,
// ±∞, ±0), average pooling and its adjoint bit for bit (same f64 accumulation order), the flat
// scatter-add, over random geometries (odd sizes, padding, dilation, ceil mode, adaptive windows);
// then the ops' outputs and gradients in float32 with either backend.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool2d, getBackend, maxPool2d, setBackend, tensor, type Tensor } from '../src/index.ts';
import { scatterAddFlat } from '../src/kernels/indexing.ts';
import { avgPool2dAdjoint, avgPool2dForward, maxPool2dForward, type Pool2dGeometry } from '../src/kernels/pool.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { poolingLimits, poolingStats } from '../src/kernels/wasm/pooling.ts';
import { adaptiveAxis, firstEmpty, slidingAxis } from '../src/ops/pool-windows.ts';
import { Rng } from '../src/rng.ts';
import { outputAndGrad } from './backend-compare.ts';
import { checkProperty } from './helpers.ts';

const wasm = wasmBackend!;
if (!wasm) throw new Error('wasm kernels did not load: build them with `pnpm install` (prepare script)');
const initialBackend = getBackend().name;
const initialLimits = { ...poolingLimits };
beforeAll(() => { poolingLimits.min = 0; poolingLimits.scatterMin = 0; }); // every size runs on wasm here
afterAll(() => { Object.assign(poolingLimits, initialLimits); setBackend(initialBackend); });

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2];

/** 'normal': N(0, 1); 'ties': a few small integers (many equal maxima, ±0); 'specials': with NaN, ±∞, ±0 mixed in. */
type Values = 'normal' | 'ties' | 'specials';
const valuesArb = fc.constantFrom<Values>('normal', 'ties', 'specials');

function fill(n: number, kind: Values, seed: number): Float32Array {
  const rng = new Rng(seed), out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'normal') out[i] = rng.normal();
    else if (kind === 'ties') out[i] = SPECIALS[3 + Math.floor(rng.uniform() * 5)];
    else out[i] = rng.uniform() < 0.15 ? SPECIALS[Math.floor(rng.uniform() * SPECIALS.length)] : rng.normal();
  }
  return out;
}

/** Element-wise identity (NaN equals NaN, −0 differs from +0); the first difference is named. */
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}[${i}]: wasm ${got[i]}, js ${want[i]}`);
  }
}

interface Case { g: Pool2dGeometry; kind: Values; seed: number }

/** Sliding windows on one axis: kernel, stride, padding ≤ k/2, dilation, ceil mode, and a size the window fits. */
const axisArb = fc.record({
  k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), p: fc.nat(2), d: fc.integer({ min: 1, max: 3 }),
  extra: fc.nat(9), ceil: fc.boolean(),
}).map(({ k, s, p, d, extra, ceil }) => ({ k, s, p: Math.min(p, k >> 1), d, ceil, size: Math.max(1, d * (k - 1) + 1 - 2 * Math.min(p, k >> 1) + extra) }));

function sliding(kind: 'max' | 'avg'): fc.Arbitrary<Case> {
  return fc.record({
    planes: fc.integer({ min: 1, max: 9 }), y: axisArb, x: axisArb, countIncludePad: fc.boolean(),
    divisor: fc.option(fc.integer({ min: -3, max: 9 }).filter((v) => v !== 0), { nil: undefined }), kind: valuesArb, seed: fc.nat(1_000_000),
  }).map(({ planes, y, x, countIncludePad, divisor, kind: values, seed }) => {
    const dy = kind === 'max' ? y.d : 1, dx = kind === 'max' ? x.d : 1;
    const rows = slidingAxis(y.size, y.k, y.s, y.p, dy, y.ceil, kind, countIncludePad);
    const cols = slidingAxis(x.size, x.k, x.s, x.p, dx, x.ceil, kind, countIncludePad);
    if (kind === 'avg' && divisor !== undefined) { rows.weight.fill(1); cols.weight.fill(1 / divisor); }
    const plain2x2 = false;
    return { g: { planes, h: y.size, w: x.size, rows, cols, plain2x2 }, kind: values, seed };
  }).filter(({ g }) => g.rows.start.length > 0 && g.cols.start.length > 0 && (kind === 'avg' || (firstEmpty(g.rows) < 0 && firstEmpty(g.cols) < 0)));
}

/** The 2×2 stride-2 fast path: odd sizes (a last row/column no window reads) and rows of any length. */
const plainArb: fc.Arbitrary<Case> = fc.record({
  planes: fc.integer({ min: 1, max: 5 }), oh: fc.integer({ min: 1, max: 6 }), ow: fc.integer({ min: 1, max: 19 }),
  eh: fc.nat(1), ew: fc.nat(1), kind: valuesArb, seed: fc.nat(1_000_000),
}).map(({ planes, oh, ow, eh, ew, kind, seed }) => {
  const h = 2 * oh + eh, w = 2 * ow + ew;
  return { g: { planes, h, w, rows: slidingAxis(h, 2, 2, 0, 1, false, 'max'), cols: slidingAxis(w, 2, 2, 0, 1, false, 'max'), plain2x2: true }, kind, seed };
});

/** Adaptive windows (overlapping when the output is larger than half the input). */
const adaptiveArb: fc.Arbitrary<Case> = fc.record({
  planes: fc.integer({ min: 1, max: 9 }), h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 12 }),
  oh: fc.integer({ min: 1, max: 14 }), ow: fc.integer({ min: 1, max: 14 }), kind: valuesArb, seed: fc.nat(1_000_000),
}).map(({ planes, h, w, oh, ow, kind, seed }) => ({ g: { planes, h, w, rows: adaptiveAxis(h, oh), cols: adaptiveAxis(w, ow), plain2x2: false }, kind, seed }));

const outputs = (g: Pool2dGeometry) => g.planes * g.rows.start.length * g.cols.start.length;

function checkMax({ g, kind, seed }: Case): void {
  const x = fill(g.planes * g.h * g.w, kind, seed), n = outputs(g);
  const want = new Float32Array(n), wantArg = new Int32Array(n), got = new Float32Array(n), gotArg = new Int32Array(n).fill(-1);
  maxPool2dForward(x, g, want, wantArg);
  expect(wasm.maxPool2dForward!(x, g, got, gotArg)).toBe(true);
  expectSame(got, want, 'max');
  expectSame(gotArg, wantArg, 'argmax');
}

function checkAvg({ g, kind, seed }: Case): void {
  const x = fill(g.planes * g.h * g.w, kind, seed), n = outputs(g);
  const want = new Float32Array(n), got = new Float32Array(n);
  avgPool2dForward(x, g, want);
  expect(wasm.avgPool2dForward!(x, g, got)).toBe(true);
  expectSame(got, want, 'avg');
  const dy = fill(n, kind, seed + 1), wantDx = new Float32Array(x.length), gotDx = new Float32Array(x.length).fill(7);
  avgPool2dAdjoint(dy, g, wantDx);
  expect(wasm.avgPool2dAdjoint!(dy, g, gotDx)).toBe(true);
  expectSame(gotDx, wantDx, 'avg adjoint');
}

describe('wasm pooling kernels = js kernels', () => {
  it('max pooling, 2×2 stride-2 fast path: values and argmax', () => {
    const before = poolingStats.maxPool2x2;
    checkProperty(plainArb, checkMax, 150);
    expect(poolingStats.maxPool2x2 - before).toBe(150);
  });

  it('max pooling, any windows (padding, dilation, ceil mode): values and argmax', () => {
    const before = poolingStats.maxPool;
    checkProperty(sliding('max'), checkMax, 200);
    expect(poolingStats.maxPool - before).toBe(200);
  });

  it('adaptive max and average pooling', () => {
    checkProperty(adaptiveArb, (c) => { checkMax(c); checkAvg(c); }, 100);
  });

  it('average pooling and its adjoint (countIncludePad, divisorOverride)', () => {
    const before = poolingStats.avgPool;
    checkProperty(sliding('avg'), checkAvg, 200);
    expect(poolingStats.avgPool - before).toBe(200);
  });

  it('scatter-add: repeated indices accumulate in order', () => {
    checkProperty(fc.record({ len: fc.integer({ min: 1, max: 40 }), n: fc.nat(60), kind: valuesArb, seed: fc.nat(1_000_000) }), ({ len, n, kind, seed }) => {
      const rng = new Rng(seed), src = fill(n, kind, seed);
      const idx = Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * len));
      const want = new Float32Array(len), got = new Float32Array(len).fill(3);
      scatterAddFlat(src, idx, want);
      expect(wasm.scatterAddFlat!(src, idx, got)).toBe(true);
      expectSame(got, want, 'scatterAdd');
    }, 100);
  });

  it('float64 stays in js', () => {
    const g: Pool2dGeometry = { planes: 1, h: 2, w: 2, rows: slidingAxis(2, 2, 2, 0, 1, false, 'max'), cols: slidingAxis(2, 2, 2, 0, 1, false, 'max'), plain2x2: true };
    expect(wasm.maxPool2dForward!(new Float64Array(4), g, new Float64Array(1), new Int32Array(1))).toBe(false);
    expect(wasm.avgPool2dForward!(new Float64Array(4), g, new Float64Array(1))).toBe(false);
  });
});

describe('pooling ops in float32: the same outputs and gradients with either backend', () => {
  const ops: [string, (x: Tensor) => Tensor][] = [
    ['maxPool2d 2', (x) => maxPool2d(x, 2)],
    ['maxPool2d 3 stride 2 padding 1 ceilMode', (x) => maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })],
    ['maxPool2d [2, 3] dilation 2', (x) => maxPool2d(x, [2, 3], { dilation: 2, stride: 1 })],
    ['avgPool2d 3 stride 2 padding 1 countIncludePad false', (x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })],
    ['avgPool2d 2 divisorOverride 3', (x) => avgPool2d(x, 2, { divisorOverride: 3 })],
    ['adaptiveAvgPool2d 1 (global)', (x) => adaptiveAvgPool2d(x, 1)],
    ['adaptiveMaxPool2d [3, 2]', (x) => adaptiveMaxPool2d(x, [3, 2])],
  ];
  for (const [name, f] of ops) {
    it(name, () => {
      checkProperty(fc.record({ n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 5, max: 11 }),
        w: fc.integer({ min: 5, max: 11 }), kind: valuesArb, seed: fc.nat(1_000_000) }), ({ n, c, h, w, kind, seed }) => {
        const x = tensor(fill(n * c * h * w, kind, seed), [n, c, h, w]);
        const calls = Object.values(poolingStats).reduce((a, b) => a + b, 0);
        const [yw, gw] = outputAndGrad('wasm', x, f);
        expect(Object.values(poolingStats).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(calls + 2); // forward and backward ran here
        const [yj, gj] = outputAndGrad('js', x, f);
        expectSame(yw, yj, `${name} output`);
        expectSame(gw, gj, `${name} gradient`);
      }, 30);
    });
  }
});
