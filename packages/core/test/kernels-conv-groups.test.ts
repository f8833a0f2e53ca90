// The grouped-conv kernel (kernels/conv-groups.ts) called directly, against a grouped conv loop written
// from the definition on the materialized operands: dense and lattice inputs (the backward's dilated,
// padded δ) and lattice weights, grouped and depthwise, with a backend that takes lattices (the js one:
// every group must reach it as a lattice, never materialized), one that does not (only conv2dForward:
// the kernel materializes each group's block), and one without a depthwise kernel.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend, type KernelBackend } from '../src/kernels/backend.ts';
import { groupedConv2d } from '../src/kernels/conv-groups.ts';
import type { Conv2dGeometry } from '../src/kernels/conv2d.ts';
import { denseLattice, dilateLattice, materializeLattice, padLattice, permuteLattice, type LatticeView } from '../src/lattice.ts';
import { Rng } from '../src/rng.ts';
import type { DType, TypedArray } from '../src/tensor.ts';
import { checkProperty } from './helpers.ts';

const make = (dtype: DType, n: number): TypedArray => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));

function values(n: number, seed: number, dtype: DType): TypedArray {
  const rng = new Rng(seed), out = make(dtype, n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

/** out[i][o][y][x] = b[o] + Σ over group(o)'s channels and taps of x · w (zero outside x), in float64. */
function reference(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, g: Conv2dGeometry, groups: number): Float64Array {
  const cg = g.c / groups, og = g.o / groups;
  const out = new Float64Array(g.n * g.o * g.oh * g.ow);
  for (let i = 0; i < g.n; i++) for (let o = 0; o < g.o; o++) for (let y = 0; y < g.oh; y++) for (let xx = 0; xx < g.ow; xx++) {
    let s = b ? b[o] : 0;
    const c0 = Math.floor(o / og) * cg;
    for (let c = 0; c < cg; c++) for (let p = 0; p < g.kh; p++) for (let q = 0; q < g.kw; q++) {
      const iy = y * g.sh - g.pt + p * g.dh, ix = xx * g.sw - g.pl + q * g.dw;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      s += x[((i * g.c + c0 + c) * g.h + iy) * g.w + ix] * w[((o * cg + c) * g.kh + p) * g.kw + q];
    }
    out[((i * g.o + o) * g.oh + y) * g.ow + xx] = s;
  }
  return out;
}

interface Case {
  n: number; groups: number; cg: number; og: number; h0: number; w0: number; dilate: number; top: number; left: number;
  latticeX: boolean; permuteX: boolean; latticeW: boolean; k: number; pad: number; stride: number; bias: boolean; seed: number;
}

interface Built { x: TypedArray | LatticeView; w: TypedArray | LatticeView; xd: TypedArray; wd: TypedArray; b: TypedArray | null; g: Conv2dGeometry }

function build(t: Case, dtype: DType): Built | null {
  const c = t.groups * t.cg, o = t.groups * t.og;
  // x: [n, C, H, W], as a lattice the dilated, padded block of a [n, C, h0, w0] tensor (bottom/right padding = top/left)
  const H = t.latticeX ? (t.h0 - 1) * t.dilate + 1 + 2 * t.top : t.h0, W = t.latticeX ? (t.w0 - 1) * t.dilate + 1 + 2 * t.left : t.w0;
  const xBase = values(t.n * c * t.h0 * t.w0, t.seed, dtype);
  // (permuteX: the block of a [C, n, h0, w0] tensor seen as [n, C, h0, w0], strided)
  const block = t.permuteX ? permuteLattice(denseLattice(xBase, [c, t.n, t.h0, t.w0]), [1, 0, 2, 3]) : denseLattice(xBase, [t.n, c, t.h0, t.w0]);
  const x = t.latticeX ? padLattice(dilateLattice(block, t.dilate, t.dilate), t.top, t.left) : xBase;
  const xd = t.latticeX ? materializeLattice(x as LatticeView, [t.n, c, H, W], dtype) : xBase;
  // w: [O, C/G, k, k], as a lattice a permuted [C/G, O, k, k] tensor (the dW correlation's kind of operand)
  const wBase = values(o * t.cg * t.k * t.k, t.seed + 1, dtype);
  const w = t.latticeW ? permuteLattice(denseLattice(wBase, [t.cg, o, t.k, t.k]), [1, 0, 2, 3]) : wBase;
  const wd = t.latticeW ? materializeLattice(w as LatticeView, [o, t.cg, t.k, t.k], dtype) : wBase;
  const oh = Math.floor((H + 2 * t.pad - t.k) / t.stride) + 1, ow = Math.floor((W + 2 * t.pad - t.k) / t.stride) + 1;
  if (oh < 1 || ow < 1) return null;
  const g: Conv2dGeometry = { n: t.n, c, h: H, w: W, o, kh: t.k, kw: t.k, sh: t.stride, sw: t.stride, pt: t.pad, pl: t.pad, dh: 1, dw: 1, oh, ow };
  return { x, w, xd, wd, b: t.bias ? values(o, t.seed + 2, dtype) : null, g };
}

/** A backend's calls, by kind, and whether any operand it got was a lattice. */
interface Calls { dense: number; lattice: number; depthwise: number; latticeOperands: number; depthwiseGeometry?: Conv2dGeometry }

function spied(base: KernelBackend, withLattice: boolean, withDepthwise: boolean): { be: KernelBackend; calls: Calls } {
  const calls: Calls = { dense: 0, lattice: 0, depthwise: 0, latticeOperands: 0 };
  const be: KernelBackend = {
    name: 'spied',
    gemm: base.gemm,
    conv2dForward: (x, w, b, g, out) => { calls.dense++; base.conv2dForward(x, w, b, g, out); },
    ...(withLattice ? {
      conv2dForwardLattice: (x: TypedArray | LatticeView, w: TypedArray | LatticeView, b: TypedArray | null, g: Conv2dGeometry, out: TypedArray) => {
        calls.lattice++;
        if (!ArrayBuffer.isView(x) || !ArrayBuffer.isView(w)) calls.latticeOperands++;
        base.conv2dForwardLattice!(x, w, b, g, out);
      },
    } : {}),
    ...(withDepthwise ? {
      depthwiseConv2d: (x: TypedArray, w: TypedArray, b: TypedArray | null, g: Conv2dGeometry, out: TypedArray) => { calls.depthwise++; calls.depthwiseGeometry = g; return base.depthwiseConv2d!(x, w, b, g, out); },
    } : {}),
  };
  return { be, calls };
}

function run(t: Case, dtype: DType, withLattice: boolean, withDepthwise: boolean): void {
  const built = build(t, dtype);
  if (!built) return;
  const { x, w, xd, wd, b, g } = built;
  const want = reference(xd, wd, b, g, t.groups);
  const { be, calls } = spied(jsBackend, withLattice, withDepthwise);
  const out = make(dtype, want.length).fill(Number.NaN);
  groupedConv2d(be, x, w, b, g, t.groups, out);
  const what = `${dtype} ${JSON.stringify(t)} lattice backend ${withLattice}, depthwise ${withDepthwise}`;
  const tol = dtype === 'float64' ? 1e-12 : 1e-5;
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(out[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])))) expect.fail(`${what}: out[${i}] = ${out[i]}, definition ${want[i]}`);
  }
  const anyLattice = t.latticeX || t.latticeW;
  if (calls.depthwise > 0) {
    expect(t.cg, `${what}: the depthwise kernel ran with ${t.cg} channels per group`).toBe(1);
    expect(calls.dense + calls.lattice, `${what}: per-group convs after the depthwise kernel`).toBe(0);
    // a padded-only contiguous δ reaches it as its block, the padding moved into the geometry; any other lattice materialized
    const blockOnly = t.latticeX && t.dilate === 1 && !t.permuteX;
    const dg = calls.depthwiseGeometry!;
    expect([dg.h, dg.w, dg.pt, dg.pl], `${what}: the depthwise kernel's geometry`).toEqual(blockOnly ? [t.h0, t.w0, t.pad + t.top, t.pad + t.left] : [g.h, g.w, g.pt, g.pl]);
  } else if (withLattice && anyLattice) {
    // every group's conv gets its block as a lattice (zeros never materialized)
    expect([calls.lattice, calls.latticeOperands, calls.dense], `${what}: lattice calls, with a lattice operand, dense calls`).toEqual([t.groups, t.groups, 0]);
  } else {
    expect([calls.dense, calls.lattice], `${what}: dense calls, lattice calls`).toEqual([t.groups, 0]);
  }
  if (withDepthwise && t.cg === 1) expect(calls.depthwise, `${what}: depthwise kernel calls`).toBe(1);
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  n: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 2, max: 3 }), cg: fc.integer({ min: 1, max: 2 }), og: fc.integer({ min: 1, max: 2 }),
  h0: fc.integer({ min: 1, max: 4 }), w0: fc.integer({ min: 1, max: 4 }), dilate: fc.integer({ min: 1, max: 2 }),
  top: fc.nat({ max: 2 }), left: fc.nat({ max: 2 }), latticeX: fc.boolean(), permuteX: fc.boolean(), latticeW: fc.boolean(),
  k: fc.integer({ min: 1, max: 3 }), pad: fc.nat({ max: 1 }), stride: fc.integer({ min: 1, max: 2 }), bias: fc.boolean(), seed: fc.nat({ max: 1_000_000 }),
});

const BACKENDS: [boolean, boolean][] = [[true, true], [true, false], [false, true], [false, false]];

describe('groupedConv2d (kernel) equals the grouped conv of the materialized operands', () => {
  it('on fixed cases: grouped and depthwise, dense and lattice operands, for each kind of backend', () => {
    const base: Case = { n: 2, groups: 2, cg: 2, og: 2, h0: 3, w0: 4, dilate: 2, top: 1, left: 2, latticeX: true, permuteX: false, latticeW: false, k: 3, pad: 1, stride: 1, bias: true, seed: 3 };
    const cases: Case[] = [
      base,
      { ...base, latticeX: false, latticeW: false, h0: 5, w0: 6 },
      { ...base, latticeX: false, latticeW: true, h0: 5, w0: 6, groups: 3 },
      { ...base, latticeW: true, stride: 2 },
      { ...base, cg: 1, og: 2 }, // depthwise, a dilated δ (materialized for the depthwise kernel)
      { ...base, cg: 1, og: 1, dilate: 1 }, // depthwise, a padded-only δ (its block, the padding moved into the geometry)
      { ...base, cg: 1, og: 1, dilate: 1, permuteX: true }, // depthwise, a padded strided block (materialized)
      { ...base, permuteX: true, latticeW: true }, // grouped, a strided lattice x
      { ...base, cg: 1, og: 1, latticeX: false, groups: 3 },
    ];
    for (const t of cases) for (const dtype of ['float64', 'float32'] as DType[]) for (const [l, d] of BACKENDS) run(t, dtype, l, d);
  });

  it('on random geometries', () => {
    checkProperty(caseArb, (t) => BACKENDS.forEach(([l, d]) => run(t, 'float64', l, d)));
  });
});
