// The wasm batch-norm kernels (kernels/wasm/as/batchnorm.ts) against the js kernels (kernels/batchnorm.ts):
// statistics, normalization, gradient sums and input gradient bit for bit (same float64 operations in
// the same order), over random [N, C, S] layouts (S = 1: BatchNorm1d's channel pairs and odd tails; S ≥ 2:
// odd lengths, the f64x2 tail), with NaN, ±∞, ±0 and ties mixed in; then the batchNorm op's outputs and
// gradients in float32 with either backend, and the copies of x and g shared between the two calls each.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchNorm, getBackend, setBackend, tensor, type Tensor } from '../src/index.ts';
import * as js from '../src/kernels/batchnorm.ts';
import { batchNormLimits } from '../src/kernels/wasm/batchnorm.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { Rng } from '../src/rng.ts';
import { outputAndGrad } from './backend-compare.ts';
import { checkProperty } from './helpers.ts';

const wasm = wasmBackend!;
if (!wasm) throw new Error('wasm kernels did not load: build them with `pnpm install` (prepare script)');
const initialBackend = getBackend().name;
const initialMin = batchNormLimits.min;
beforeAll(() => { batchNormLimits.min = 0; }); // every size runs on wasm here
afterAll(() => { batchNormLimits.min = initialMin; setBackend(initialBackend); });

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2];
type Values = 'normal' | 'offset' | 'ties' | 'specials';
const valuesArb = fc.constantFrom<Values>('normal', 'offset', 'ties', 'specials');

function fill(n: number, kind: Values, seed: number): Float32Array {
  const rng = new Rng(seed), out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'normal') out[i] = rng.normal();
    else if (kind === 'offset') out[i] = 1e4 + rng.normal(); // a large common offset (the shifted sums)
    else if (kind === 'ties') out[i] = SPECIALS[3 + Math.floor(rng.uniform() * 5)];
    else out[i] = rng.uniform() < 0.1 ? SPECIALS[Math.floor(rng.uniform() * SPECIALS.length)] : rng.normal();
  }
  return out;
}

const f64 = (n: number, seed: number, lo: number, hi: number) => {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
};

/** Element-wise identity (NaN equals NaN, −0 differs from +0); the first difference is named. */
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}[${i}]: wasm ${got[i]}, js ${want[i]}`);
  }
}

const layoutArb = fc.record({
  n: fc.integer({ min: 1, max: 9 }), c: fc.integer({ min: 1, max: 11 }), s: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 13 })),
  kind: valuesArb, seed: fc.nat(1_000_000), gamma: fc.boolean(),
});

describe('wasm batch-norm kernels = js kernels, bit for bit', () => {
  it('statistics, normalization, gradient sums and input gradient', () => {
    const before = wasm.stats.batchNorm;
    checkProperty(layoutArb, ({ n, c, s, kind, seed, gamma }) => {
      const l = { n, c, s }, len = n * c * s;
      const x = fill(len, kind, seed), g = fill(len, kind === 'offset' ? 'normal' : kind, seed + 1);
      const st = wasm.channelStats!(x, l)!, stJs = js.channelStats(x, l);
      expectSame(st.mean, stJs.mean, 'mean');
      expectSame(st.variance, stJs.variance, 'variance');
      const scale = f64(c, seed + 2, -2, 2), shift = f64(c, seed + 3, -1, 1);
      const y = new Float32Array(len).fill(NaN), yJs = new Float32Array(len);
      expect(wasm.channelAffine!(x, l, stJs.mean, scale, shift, y)).toBe(true);
      js.channelAffine(x, l, stJs.mean, scale, shift, yJs);
      expectSame(y, yJs, 'affine');
      const invstd = f64(c, seed + 4, 0.1, 3);
      const sums = wasm.gradSums!(g, x, l, stJs.mean, invstd)!, sumsJs = js.gradSums(g, x, l, stJs.mean, invstd);
      expectSame(sums.sumG, sumsJs.sumG, 'Σg');
      expectSame(sums.sumGXhat, sumsJs.sumGXhat, 'Σg·x̂');
      const w = gamma ? fill(c, 'normal', seed + 5) : null;
      const dx = new Float32Array(len).fill(NaN), dxJs = new Float32Array(len);
      expect(wasm.batchNormInputGrad!(g, x, l, stJs.mean, invstd, w, sumsJs, dx)).toBe(true);
      js.batchNormInputGrad(g, x, l, stJs.mean, invstd, w, sumsJs, dxJs);
      expectSame(dx, dxJs, 'input gradient');
    }, 300);
    expect(wasm.stats.batchNorm - before).toBe(4 * 300); // every call ran on wasm
  });

  it('float64 and small inputs stay in js', () => {
    const l = { n: 2, c: 2, s: 1 };
    expect(wasm.channelStats!(new Float64Array(4), l)).toBeNull();
    expect(wasm.channelAffine!(new Float64Array(4), l, new Float64Array(2), new Float64Array(2), new Float64Array(2), new Float64Array(4))).toBe(false);
    batchNormLimits.min = 5;
    try {
      expect(wasm.channelStats!(new Float32Array(4), l)).toBeNull();
    } finally {
      batchNormLimits.min = 0;
    }
  });
});

describe('batchNorm op in float32: the same outputs and gradients with either backend', () => {
  const cases: [string, number[]][] = [['BatchNorm1d [N, C]', [6, 7]], ['BatchNorm2d [N, C, H, W]', [3, 4, 5, 3]], ['[N, C, L]', [2, 5, 9]]];
  for (const [name, shape] of cases) {
    it(name, () => {
      checkProperty(fc.record({ kind: valuesArb, seed: fc.nat(1_000_000) }), ({ kind, seed }) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const x = tensor(fill(size, kind, seed), shape);
        const c = shape[1];
        const weight = tensor(fill(c, 'normal', seed + 1), [c], { requiresGrad: true }), bias = tensor(fill(c, 'normal', seed + 2), [c], { requiresGrad: true });
        const f = (t: Tensor) => batchNorm(t, null, null, { training: true, weight, bias });
        const calls = wasm.stats.batchNorm;
        const [yw, gw] = outputAndGrad('wasm', x, f);
        expect(wasm.stats.batchNorm).toBe(calls + 4); // stats, affine, sums, input gradient
        const [yj, gj] = outputAndGrad('js', x, f);
        expectSame(yw, yj, `${name} output`);
        expectSame(gw, gj, `${name} gradient`);
      }, 25);
    });
  }

  it('x is copied into wasm memory once for the forward, g and x once for the backward', () => {
    setBackend('wasm');
    const x = tensor(fill(64 * 128, 'normal', 1), [64, 128], { requiresGrad: true });
    const b0 = wasm.arena.bytesCopied;
    const y = batchNorm(x, null, null, { training: true });
    expect(wasm.arena.bytesCopied - b0).toBe(4 * x.size);
    const b1 = wasm.arena.bytesCopied;
    y.backward(tensor(fill(64 * 128, 'normal', 2), [64, 128]));
    expect(wasm.arena.bytesCopied - b1).toBe(2 * 4 * x.size);
  });
});
