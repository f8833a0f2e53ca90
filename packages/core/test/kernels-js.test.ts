// The plain-TypeScript kernels (blocked GEMM, implicit-im2col conv over packed float64 panels, the
// lattice-skipping conv of the backward) against loops written from the definitions, in float32 and
// float64, on random sizes with odd remainders and across the MC/KC/NB block boundaries.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.ts';
import { conv2dForward, conv2dForwardLattice, type Conv2dGeometry } from '../src/kernels/conv2d.ts';
import { gemm } from '../src/kernels/gemm.ts';
import { KC, MC, NB, tripleCount } from '../src/kernels/panel.ts';
import { denseLattice, dilateLattice, materializeLattice, padLattice, permuteLattice, type LatticeView } from '../src/lattice.ts';
import type { DType, TypedArray } from '../src/tensor.ts';
import { checkProperty } from './helpers.ts';

const DTYPES: DType[] = ['float32', 'float64'];

/** Seeded N(0,1)-ish values of the dtype (float32 values are exact float32 numbers). */
function values(n: number, seed: number, dtype: DType): TypedArray {
  const rng = new Rng(seed);
  const out = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1) + rng.uniform(-1, 1);
  return out;
}

/**
 * The kernels sum in float64 (in their own order) and round once: the error bound is float64 rounding
 * of the sum of |terms|, plus one float32 rounding of the result for float32.
 */
function expectSum(actual: number, exact: number, absSum: number, dtype: DType, where: () => string): void {
  const tol = 1e-12 * absSum + (dtype === 'float32' ? 6e-8 * Math.abs(exact) : 0) + 1e-300;
  if (!(Math.abs(actual - exact) <= tol)) expect.fail(`${where()}: kernel ${actual}, definition ${exact} (|terms| sum ${absSum})`);
}

interface GemmCase { m: number; n: number; k: number; aOff: number; bOff: number; cOff: number; accumulate: boolean; seed: number }

function checkGemm(t: GemmCase, dtype: DType): void {
  const { m, n, k, aOff, bOff, cOff } = t;
  const a = values(aOff + m * k, t.seed, dtype), b = values(bOff + k * n, t.seed + 1, dtype);
  const c = values(cOff + m * n + 2, t.seed + 2, dtype);
  const c0 = c.slice();
  gemm(m, n, k, a, aOff, b, bOff, c, cOff, t.accumulate);
  for (let i = 0; i < cOff; i++) expect(c[i], 'gemm wrote before cOff').toBe(c0[i]);
  for (let i = cOff + m * n; i < c.length; i++) expect(c[i], 'gemm wrote past the end of C').toBe(c0[i]);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = t.accumulate ? c0[cOff + i * n + j] : 0, abs = Math.abs(s);
      for (let p = 0; p < k; p++) {
        const term = a[aOff + i * k + p] * b[bOff + p * n + j];
        s += term;
        abs += Math.abs(term);
      }
      expectSum(c[cOff + i * n + j], s, abs, dtype, () => `${dtype} gemm ${JSON.stringify(t)} at C[${i}][${j}]`);
    }
  }
}

const gemmArb: fc.Arbitrary<GemmCase> = fc.record({
  m: fc.integer({ min: 1, max: 19 }), n: fc.integer({ min: 1, max: 23 }), k: fc.integer({ min: 1, max: 40 }),
  aOff: fc.nat({ max: 3 }), bOff: fc.nat({ max: 3 }), cOff: fc.nat({ max: 3 }),
  accumulate: fc.boolean(), seed: fc.nat({ max: 1_000_000 }),
});

describe('js gemm equals the triple loop', () => {
  it('on random sizes (odd rows, partial 4-column tiles), offsets, with and without accumulate', () => {
    checkProperty(gemmArb, (t) => DTYPES.forEach((d) => checkGemm(t, d)));
  });

  it(`across block boundaries (m > MC = ${MC}, n > NB = ${NB}, k > KC = ${KC}, all with remainders)`, () => {
    for (const dtype of DTYPES) checkGemm({ m: MC + 3, n: NB + 5, k: KC + 7, aOff: 1, bOff: 2, cOff: 3, accumulate: true, seed: 7 }, dtype);
  });

  it('every panel mix of the 3×4 product (triples, pairs, a single row: m = 1…10 and 16 = 4 triples + 2 pairs)', () => {
    for (const m of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16]) {
      for (const dtype of DTYPES) checkGemm({ m, n: 9, k: 13, aOff: 0, bOff: 1, cOff: 0, accumulate: m % 2 === 0, seed: 40 + m }, dtype);
    }
    expect([tripleCount(16), tripleCount(4), tripleCount(1), tripleCount(5)]).toEqual([4, 0, 0, 1]);
  });

  it('k = 0 gives zeros (or leaves C when accumulating)', () => {
    const c = new Float64Array([5, 6]);
    gemm(1, 2, 0, new Float64Array(0), 0, new Float64Array(0), 0, c, 0, true);
    expect([...c]).toEqual([5, 6]);
    gemm(1, 2, 0, new Float64Array(0), 0, new Float64Array(0), 0, c, 0, false);
    expect([...c]).toEqual([0, 0]);
  });
});

interface ConvShape { n: number; c: number; h: number; w: number; o: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; bias: boolean; seed: number }

function geometry(s: ConvShape): Conv2dGeometry | null {
  const ekh = s.dh * (s.kh - 1) + 1, ekw = s.dw * (s.kw - 1) + 1;
  if (ekh > s.h + 2 * s.ph || ekw > s.w + 2 * s.pw) return null;
  return {
    n: s.n, c: s.c, h: s.h, w: s.w, o: s.o, kh: s.kh, kw: s.kw, sh: s.sh, sw: s.sw, pt: s.ph, pl: s.pw, dh: s.dh, dw: s.dw,
    oh: Math.floor((s.h + 2 * s.ph - ekh) / s.sh) + 1, ow: Math.floor((s.w + 2 * s.pw - ekw) / s.sw) + 1,
  };
}

/** out[i][o][y][x] = b[o] + Σ_{c,p,q} x[i][c][y·sh − ph + p·dh][x·sw − pw + q·dw] · w[o][c][p][q] (zero outside), checked against `out`. */
function expectConv(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, g: Conv2dGeometry, out: TypedArray, dtype: DType, what: string): void {
  for (let i = 0; i < g.n; i++) for (let o = 0; o < g.o; o++) for (let y = 0; y < g.oh; y++) for (let xx = 0; xx < g.ow; xx++) {
    let s = b ? b[o] : 0, abs = Math.abs(s);
    for (let c = 0; c < g.c; c++) for (let p = 0; p < g.kh; p++) for (let q = 0; q < g.kw; q++) {
      const iy = y * g.sh - g.pt + p * g.dh, ix = xx * g.sw - g.pl + q * g.dw;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      const term = x[((i * g.c + c) * g.h + iy) * g.w + ix] * w[((o * g.c + c) * g.kh + p) * g.kw + q];
      s += term;
      abs += Math.abs(term);
    }
    expectSum(out[((i * g.o + o) * g.oh + y) * g.ow + xx], s, abs, dtype, () => `${what} at out[${i}][${o}][${y}][${xx}]`);
  }
}

const convArb: fc.Arbitrary<ConvShape> = fc.record({
  n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 4 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }),
  o: fc.integer({ min: 1, max: 5 }), kh: fc.integer({ min: 1, max: 5 }), kw: fc.integer({ min: 1, max: 5 }),
  sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), ph: fc.nat({ max: 2 }), pw: fc.nat({ max: 2 }),
  dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }), bias: fc.boolean(), seed: fc.nat({ max: 1_000_000 }),
}).filter((s) => geometry(s) !== null);

function checkConv(s: ConvShape, dtype: DType): void {
  const g = geometry(s)!;
  const x = values(g.n * g.c * g.h * g.w, s.seed, dtype), w = values(g.o * g.c * g.kh * g.kw, s.seed + 1, dtype);
  const b = s.bias ? values(g.o, s.seed + 2, dtype) : null;
  const out = dtype === 'float64' ? new Float64Array(g.n * g.o * g.oh * g.ow) : new Float32Array(g.n * g.o * g.oh * g.ow);
  out.fill(Number.NaN); // every output must be written
  conv2dForward(x, w, b, g, out);
  expectConv(x, w, b, g, out, dtype, `${dtype} conv ${JSON.stringify(s)}`);
}

describe('js conv2d kernel equals the direct loop', () => {
  it('on random shapes, strides (with remainders), paddings, dilations, one or more output channels', () => {
    checkProperty(convArb, (s) => DTYPES.forEach((d) => checkConv(s, d)));
  });

  it(`across block boundaries (Cout > MC = ${MC}, Cin·KH·KW > KC = ${KC}, positions not a multiple of 4)`, () => {
    const s: ConvShape = { n: 1, c: 58, h: 7, w: 7, o: MC + 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 0, dh: 1, dw: 1, bias: true, seed: 11 };
    for (const dtype of DTYPES) checkConv(s, dtype);
  });
});

/** A lattice operand as the conv2d backward builds it: dilate, pad and lead-dim permute steps on a dense base. */
interface LatticeRecipe { shape: [number, number, number, number]; seed: number; dilate: [number, number]; pad: [number, number, number, number]; permute: boolean }

const latticeArb: fc.Arbitrary<LatticeRecipe> = fc.record({
  shape: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
  seed: fc.nat({ max: 1_000_000 }),
  dilate: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  pad: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 }), fc.nat({ max: 3 }), fc.nat({ max: 3 })),
  permute: fc.boolean(),
});

function buildLattice(r: LatticeRecipe, dtype: DType): { view: LatticeView; shape: number[] } {
  const [a, b, h, w] = r.shape;
  let view = denseLattice(values(a * b * h * w, r.seed, dtype), r.shape);
  let shape = [a, b, (h - 1) * r.dilate[0] + 1, (w - 1) * r.dilate[1] + 1];
  view = dilateLattice(view, r.dilate[0], r.dilate[1]);
  view = padLattice(view, r.pad[0], r.pad[2]);
  shape = [shape[0], shape[1], shape[2] + r.pad[0] + r.pad[1], shape[3] + r.pad[2] + r.pad[3]];
  if (r.permute) {
    view = permuteLattice(view, [1, 0, 2, 3]);
    shape = [shape[1], shape[0], shape[2], shape[3]];
  }
  return { view, shape };
}

describe('js conv2d kernel on lattice operands (the backward\'s padded, dilated, permuted deltas)', () => {
  it('a lattice input gives the values of its materialized array (phases that skip the lattice zeros)', () => {
    const arb = fc.record({ x: latticeArb, o: fc.integer({ min: 1, max: 4 }), k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })), dil: fc.integer({ min: 1, max: 2 }), seed: fc.nat({ max: 1_000_000 }) });
    checkProperty(arb, ({ x: r, o, k, dil, seed }) => {
      for (const dtype of DTYPES) {
        const { view, shape } = buildLattice(r, dtype);
        const [n, c, h, w] = shape;
        const s: ConvShape = { n, c, h, w, o, kh: k[0], kw: k[1], sh: 1, sw: 1, ph: 0, pw: 0, dh: dil, dw: dil, bias: false, seed };
        const g = geometry(s);
        if (!g) continue;
        const wt = values(o * c * k[0] * k[1], seed, dtype);
        const out = dtype === 'float64' ? new Float64Array(n * o * g.oh * g.ow) : new Float32Array(n * o * g.oh * g.ow);
        out.fill(Number.NaN);
        conv2dForwardLattice(view, wt, null, g, out);
        expectConv(materializeLattice(view, shape, dtype), wt, null, g, out, dtype, `${dtype} lattice input ${JSON.stringify({ r, o, k, dil, seed })}`);
      }
    });
  });

  it('a lattice weight (and input) gives the values of the materialized arrays (the dW correlation)', () => {
    const arb = fc.record({ w: latticeArb, extra: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 })), stride: fc.integer({ min: 1, max: 2 }), n: fc.integer({ min: 1, max: 2 }), seed: fc.nat({ max: 1_000_000 }) });
    checkProperty(arb, ({ w: r, extra, stride, n, seed }) => {
      for (const dtype of DTYPES) {
        const { view: wv, shape: ws } = buildLattice(r, dtype);
        const [o, c, kh, kw] = ws;
        // Input: a padded, permuted lattice of a dense [c, n, ...] tensor, as X is in the dW correlation.
        const xr: LatticeRecipe = { shape: [c, n, kh + extra[0], kw + extra[1]], seed: seed + 5, dilate: [1, 1], pad: [1, 0, 0, 1], permute: true };
        const { view: xv, shape: xs } = buildLattice(xr, dtype);
        const s: ConvShape = { n: xs[0], c: xs[1], h: xs[2], w: xs[3], o, kh, kw, sh: stride, sw: stride, ph: 0, pw: 0, dh: 1, dw: 1, bias: true, seed };
        const g = geometry(s)!;
        const b = values(o, seed + 9, dtype);
        const out = dtype === 'float64' ? new Float64Array(g.n * o * g.oh * g.ow) : new Float32Array(g.n * o * g.oh * g.ow);
        out.fill(Number.NaN);
        conv2dForwardLattice(xv, wv, b, g, out);
        expectConv(materializeLattice(xv, xs, dtype), materializeLattice(wv, ws, dtype), b, g, out, dtype, `${dtype} lattice weight ${JSON.stringify({ r, extra, stride, n, seed })}`);
      }
    });
  });
});
