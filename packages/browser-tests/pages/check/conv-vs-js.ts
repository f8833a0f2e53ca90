// conv2d forward and backward (dX, dW, db) on the wasm kernels equal the js kernels, on seeded random
// shapes, strides, paddings and dilations (core's convCaseArb) plus a few larger fixed cases big enough
// for the wasm backend to split the work across its threads.
import fc from 'fast-check';
import { conv2d, getBackend, randn, setBackend, type Tensor } from '@convgrad/core';
import { convCaseArb, type ConvCase } from '@convgrad/core/testing';
import { relError } from '../rel-error.ts';
import type { ConvVsJs, FieldError } from './result.ts';

/** float32, different summation orders: a relative error well under this is agreement. */
export const TOLERANCE = 1e-4;

interface Outputs { y: Float32Array; dx: Float32Array; dw: Float32Array; db: Float32Array }

const LARGE: ConvCase[] = [
  { n: 8, cin: 8, cout: 16, h: 24, w: 24, kh: 3, kw: 3, stride: [1, 1], padding: [1, 1], dilation: [1, 1], bias: true, seed: 7 },
  { n: 4, cin: 16, cout: 32, h: 20, w: 18, kh: 3, kw: 5, stride: [2, 1], padding: [1, 2], dilation: [1, 2], bias: true, seed: 8 },
  { n: 16, cin: 1, cout: 8, h: 28, w: 28, kh: 5, kw: 5, stride: [1, 1], padding: [0, 0], dilation: [1, 1], bias: false, seed: 9 },
];

function data(t: Tensor | null): Float32Array {
  return t ? Float32Array.from(t.data) : new Float32Array(0);
}

/** y = conv2d(x, w, b); y.backward(g) on one backend; the inputs depend only on the case (and shift). */
function run(c: ConvCase, backend: string, shift = 0): Outputs {
  setBackend(backend);
  const x = randn([c.n, c.cin, c.h, c.w], { seed: c.seed + shift, requiresGrad: true });
  const w = randn([c.cout, c.cin, c.kh, c.kw], { seed: c.seed + 1, requiresGrad: true });
  const b = c.bias ? randn([c.cout], { seed: c.seed + 2, requiresGrad: true }) : null;
  const y = conv2d(x, w, b, { stride: c.stride, padding: c.padding, dilation: c.dilation });
  y.backward(randn([...y.shape], { seed: c.seed + 3 }));
  return { y: data(y), dx: data(x.grad), dw: data(w.grad), db: data(b?.grad ?? null) };
}

/** The wasm backend's counters of the paths its calls took (a diagnostic field of the backend object). */
type PathStats = Record<string, number>;
const statsNow = (): PathStats => ({ ...((getBackend() as { stats?: PathStats }).stats ?? {}) });
const CONV_PATHS = ['wide', 'dot', 'phased', 'col2im'];

const describeCase = (c: ConvCase) =>
  `[${c.n},${c.cin},${c.h},${c.w}]⋆[${c.cout},${c.cin},${c.kh},${c.kw}] s${c.stride} p${c.padding} d${c.dilation}${c.bias ? ' +b' : ''}`;

export function convVsJs(count: number, seed: number): ConvVsJs {
  const active = getBackend().name;
  const cases = [...fc.sample(convCaseArb({ maxChannels: 5, maxOut: 7 }), { seed, numRuns: count }), ...LARGE];
  const worst: FieldError = { y: 0, dx: 0, dw: 0, db: 0 };
  const failures: string[] = [];
  let maxAbsJs = 0;
  let wasmConvCalls = 0, jsFallbacks = 0;
  for (const [i, c] of cases.entries()) {
    setBackend('wasm');
    const s0 = statsNow();
    const wasm = run(c, 'wasm');
    const s1 = statsNow();
    wasmConvCalls += CONV_PATHS.reduce((sum, k) => sum + (s1[k] ?? 0) - (s0[k] ?? 0), 0);
    jsFallbacks += (s1.js ?? 0) - (s0.js ?? 0);
    const js = run(c, 'js');
    for (const k of ['y', 'dx', 'dw', 'db'] as const) {
      const e = relError(wasm[k], js[k]);
      worst[k] = Math.max(worst[k], e);
      if (!(e <= TOLERANCE)) failures.push(`case ${i} ${describeCase(c)}: ${k} relative error ${e.toExponential(2)}`);
      for (const v of js[k]) maxAbsJs = Math.max(maxAbsJs, Math.abs(v));
    }
  }
  // The comparison can fail: wasm outputs against js outputs of a different input.
  const c0 = LARGE[0];
  const planted = relError(run(c0, 'wasm').y, run(c0, 'js', 1).y);
  setBackend(active);
  const off = (a: number[], b: number[]) => a.some((v, j) => v !== b[j]);
  return {
    cases: cases.length,
    stridedCases: cases.filter((c) => off(c.stride, [1, 1])).length,
    paddedCases: cases.filter((c) => off(c.padding, [0, 0])).length,
    dilatedCases: cases.filter((c) => off(c.dilation, [1, 1])).length,
    maxRelError: worst,
    wasmConvCalls,
    jsFallbacks,
    maxAbsJs,
    failures,
    planted,
  };
}
