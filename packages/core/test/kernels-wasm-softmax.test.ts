// The wasm softmax-family kernels (kernels/wasm/as/softmax.ts) against the js kernels (kernels/softmax.ts):
// log-softmax, softmax and the log-softmax backward along any axis, with NaN, ±∞, huge and tied values;
// then the ops (logSoftmax, softmax, softmaxCrossEntropy, crossEntropy) in float32 with either backend.
// Both kernels compute in f64; exp and log differ (V8's vs AssemblyScript's) by at most an f64 ulp, so a
// float32 result may differ by one f32 ulp.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, getBackend, logSoftmax, mul, setBackend, softmax, softmaxCrossEntropy, tensor, type Tensor } from '../src/index.ts';
import { logSoftmaxBackward, logSoftmaxForward, type AxisLayout } from '../src/kernels/softmax.ts';
import { wasmBackend } from '../src/kernels/wasm/index.ts';
import { softmaxLimits, softmaxStats } from '../src/kernels/wasm/softmax.ts';
import { Rng } from '../src/rng.ts';
import { outputAndGrad } from './backend-compare.ts';
import { checkProperty } from './helpers.ts';

const wasm = wasmBackend!;
if (!wasm) throw new Error('wasm kernels did not load: build them with `pnpm install` (prepare script)');
const initialBackend = getBackend().name;
const initialMin = softmaxLimits.min;
beforeAll(() => { softmaxLimits.min = 0; });
afterAll(() => { softmaxLimits.min = initialMin; setBackend(initialBackend); });

type Values = 'normal' | 'wide' | 'ties' | 'specials';
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e30, -1e30, 88, -104];

function fill(n: number, kind: Values, seed: number): Float32Array {
  const rng = new Rng(seed), out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'normal') out[i] = rng.normal();
    else if (kind === 'wide') out[i] = 40 * rng.normal();
    else if (kind === 'ties') out[i] = Math.floor(rng.uniform() * 3);
    else out[i] = rng.uniform() < 0.1 ? SPECIALS[Math.floor(rng.uniform() * SPECIALS.length)] : rng.normal();
  }
  return out;
}

/** Equal, both NaN, or at most one float32 ulp apart (plus a 1e-30 floor for results near 0). */
function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = got[i], b = want[i];
    if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    if (!(Math.abs(a - b) <= Math.abs(b) * 2 ** -23 + 1e-30)) expect.fail(`${what}[${i}]: wasm ${a}, js ${b}`);
  }
}

const caseArb = fc.record({
  outer: fc.integer({ min: 1, max: 5 }), len: fc.integer({ min: 1, max: 40 }), inner: fc.integer({ min: 1, max: 4 }),
  kind: fc.constantFrom<Values>('normal', 'wide', 'ties', 'specials'), seed: fc.nat(1_000_000),
});

describe('wasm softmax kernels ≈ js kernels (one f32 ulp)', () => {
  it('log-softmax and softmax forward, any axis', () => {
    const before = softmaxStats.forward;
    checkProperty(caseArb, ({ outer, len, inner, kind, seed }) => {
      const l: AxisLayout = { outer, len, inner }, x = fill(outer * len * inner, kind, seed);
      for (const asSoftmax of [false, true]) {
        const want = new Float32Array(x.length), got = new Float32Array(x.length);
        logSoftmaxForward(x, l, want, asSoftmax);
        expect(wasm.logSoftmaxForward!(x, l, got, asSoftmax)).toBe(true);
        expectNear(got, want, asSoftmax ? 'softmax' : 'logSoftmax');
      }
    }, 200);
    expect(softmaxStats.forward - before).toBe(400);
  });

  it('log-softmax backward', () => {
    checkProperty(caseArb, ({ outer, len, inner, kind, seed }) => {
      const l: AxisLayout = { outer, len, inner }, x = fill(outer * len * inner, kind, seed), g = fill(x.length, kind === 'specials' ? 'specials' : 'normal', seed + 1);
      const y = new Float32Array(x.length);
      logSoftmaxForward(x, l, y, false);
      const want = new Float32Array(x.length), got = new Float32Array(x.length);
      logSoftmaxBackward(g, y, l, want);
      expect(wasm.logSoftmaxBackward!(g, y, l, got)).toBe(true);
      expectNear(got, want, 'logSoftmaxBackward');
    }, 200);
  });

  it('float64 stays in js', () => {
    const l = { outer: 1, len: 2, inner: 1 };
    expect(wasm.logSoftmaxForward!(new Float64Array(2), l, new Float64Array(2), false)).toBe(false);
  });
});

describe('softmax ops in float32: the same results with either backend', () => {
  const labels = (n: number, c: number) => Int32Array.from({ length: n }, (_, i) => (i * 5 + 3) % c);
  // [name, op, wasm kernel calls per forward + backward (softmax's backward is written with ops; softmaxCrossEntropy's
  // is one js pass over [N, C])]
  const ops: [string, (x: Tensor) => Tensor, number][] = [
    ['logSoftmax dim 1', (x) => logSoftmax(x, 1), 2],
    ['softmax last dim', (x) => softmax(x, -1), 1],
    ['softmaxCrossEntropy', (x) => softmaxCrossEntropy(x.reshape([x.shape[0], -1]), labels(x.shape[0], x.size / x.shape[0]), { reduction: 'none' }), 1],
    ['crossEntropy label smoothing', (x) => crossEntropy(x, Int32Array.from({ length: x.shape[0] * x.shape[2] }, (_, i) => i % x.shape[1]), { labelSmoothing: 0.1, reduction: 'sum' }), 2],
  ];
  for (const [name, f, kernelCalls] of ops) {
    it(name, () => {
      checkProperty(fc.record({ n: fc.integer({ min: 1, max: 6 }), c: fc.integer({ min: 2, max: 12 }), d: fc.integer({ min: 1, max: 3 }),
        kind: fc.constantFrom<Values>('normal', 'wide', 'ties'), seed: fc.nat(1_000_000) }), ({ n, c, d, kind, seed }) => {
        const x = tensor(fill(n * c * d, kind, seed), [n, c, d]);
        const calls = softmaxStats.forward + softmaxStats.backward;
        const [yw, gw] = outputAndGrad('wasm', x, f);
        expect(softmaxStats.forward + softmaxStats.backward).toBe(calls + kernelCalls);
        const [yj, gj] = outputAndGrad('js', x, f);
        // sums over rows after the kernels (loss reductions, Σ g): float32 rounding of a few ulp
        for (const [a, b, what] of [[yw, yj, 'output'], [gw, gj, 'gradient']] as const) {
          const scale = Math.max(1, ...Array.from(b, Math.abs));
          for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-6 * scale)) expect.fail(`${name} ${what}[${i}]: wasm ${a[i]}, js ${b[i]}`);
        }
      }, 30);
    });
  }
});
