// The js conv kernel's plan (kernels/conv-plan.ts) checked as a plan, not only through the conv's values:
// its padded float64 copy of x holds exactly the rows and columns the taps reach (hp × wp per plane, no
// more), every product it schedules reads inside that copy, none reads a zero of a lattice input (the
// dilated δ: phases skip them), and when the output is large next to the kernel (the split into
// border classes) none reads x's zero padding either. Small outputs keep one class per phase.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Conv2dGeometry } from '../src/kernels/conv2d.ts';
import { planConv } from '../src/kernels/conv-plan.ts';
import { denseLattice, dilateLattice, padLattice, type LatticeView } from '../src/lattice.ts';
import { Rng } from '../src/rng.ts';
import { checkProperty } from './helpers.ts';

interface Case { n: number; c: number; h0: number; w0: number; k: number; s: number; pad: number; dil: number; step: number; top: number; lattice: boolean; seed: number }

function values(n: number, seed: number): Float64Array {
  const rng = new Rng(seed), out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(0.5, 1.5) * (rng.uniform() < 0.5 ? -1 : 1); // never 0
  return out;
}

/** Where input index i of an axis falls: on x's values, off a lattice's phase (a dilation zero), or outside (padding, past the lattice's ends). */
type Where = 'on' | 'off-phase' | 'outside';

interface Built { x: Float64Array | LatticeView; g: Conv2dGeometry; row: (i: number) => Where; col: (i: number) => Where }

/**
 * x [n, c, H, W]: dense (H = h0), or the lattice of a [n, c, h0, w0] block dilated by `step` and padded by
 * `top` on every side.
 */
function build(t: Case): Built | null {
  const base = values(t.n * t.c * t.h0 * t.w0, t.seed);
  const H = t.lattice ? (t.h0 - 1) * t.step + 1 + 2 * t.top : t.h0, W = t.lattice ? (t.w0 - 1) * t.step + 1 + 2 * t.top : t.w0;
  const ek = (t.k - 1) * t.dil + 1;
  const oh = Math.floor((H + 2 * t.pad - ek) / t.s) + 1, ow = Math.floor((W + 2 * t.pad - ek) / t.s) + 1;
  if (oh < 1 || ow < 1) return null;
  const g: Conv2dGeometry = { n: t.n, c: t.c, h: H, w: W, o: 1, kh: t.k, kw: t.k, sh: t.s, sw: t.s, pt: t.pad, pl: t.pad, dh: t.dil, dw: t.dil, oh, ow };
  const inside = (size: number) => (i: number): Where => (i >= 0 && i < size ? 'on' : 'outside');
  if (!t.lattice) return { x: base, g, row: inside(H), col: inside(W) };
  const x = padLattice(dilateLattice(denseLattice(base, [t.n, t.c, t.h0, t.w0]), t.step, t.step), t.top, t.top);
  const on = (size: number) => (i: number): Where =>
    i < t.top || i > t.top + (size - 1) * t.step ? 'outside' : (i - t.top) % t.step === 0 ? 'on' : 'off-phase';
  return { x, g, row: on(t.h0), col: on(t.w0) };
}

function checkPlan(t: Case): void {
  const built = build(t);
  if (!built) return;
  const { x, g, row, col } = built;
  const w = values(g.o * g.c * g.kh * g.kw, t.seed + 1);
  const plan = planConv(x, w, g);
  const what = JSON.stringify(t);
  // the rows and columns any tap reaches: (O − 1)·s + (K − 1)·d + 1
  const hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1, wp = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  const planes = g.n * g.c, size = planes * hp * wp;
  // xp: plane pc's row r, column c is x at (r − pt, c − pl), 0 in the padding (and on a lattice's zeros)
  const xd = ArrayBuffer.isView(x) ? x : null;
  for (let pc = 0; pc < planes; pc++) {
    for (let r = 0; r < hp; r++) {
      for (let c = 0; c < wp; c++) {
        const v = plan.xp[(pc * hp + r) * wp + c];
        const ok = row(r - g.pt) !== 'on' || col(c - g.pl) !== 'on' ? v === 0 : xd ? v === xd[(pc * g.h + r - g.pt) * g.w + c - g.pl] : v !== 0;
        if (!ok) expect.fail(`${what}: xp plane ${pc} row ${r} col ${c} = ${v}`);
      }
    }
  }
  // every scheduled product reads inside xp; count those that read a lattice zero, or outside along rows / columns
  const rowSplit = g.oh >= 2 * g.kh, colSplit = g.ow >= 2 * g.kw;
  let offPhase = 0, rowsOut = 0, colsOut = 0, products = 0;
  for (let gi = 0; gi < plan.groupCount; gi++) {
    const [q0, q1, t0, t1] = plan.groups.subarray(4 * gi, 4 * gi + 4);
    for (let q = q0; q < q1; q++) {
      if (plan.qd[q] < 0) continue;
      for (let k = t0; k < t1; k++) {
        const idx = plan.qs[q] + plan.off[k];
        if (!(idx >= 0 && idx < size)) expect.fail(`${what}: a product reads xp[${idx}], outside its ${planes}·${hp}·${wp} values`);
        products++;
        const rem = idx % (hp * wp);
        const wr = row(Math.floor(rem / wp) - g.pt), wc = col((rem % wp) - g.pl);
        if (wr === 'off-phase' || wc === 'off-phase') offPhase++;
        if (wr === 'outside') rowsOut++;
        if (wc === 'outside') colsOut++;
      }
    }
  }
  expect(products, `${what}: no products`).toBeGreaterThan(0);
  expect(offPhase, `${what}: products reading a lattice's dilation zeros`).toBe(0);
  if (rowSplit) expect(rowsOut, `${what}: products reading rows outside x (a large output: split)`).toBe(0);
  if (colSplit) expect(colsOut, `${what}: products reading columns outside x (a large output: split)`).toBe(0);
  if (!t.lattice && !rowSplit && !colSplit) expect(plan.groupCount, `${what}: classes of a small output`).toBe(1);
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }), h0: fc.integer({ min: 1, max: 9 }), w0: fc.integer({ min: 1, max: 9 }),
  k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), pad: fc.nat({ max: 2 }), dil: fc.integer({ min: 1, max: 2 }),
  step: fc.integer({ min: 1, max: 3 }), top: fc.nat({ max: 2 }), lattice: fc.boolean(), seed: fc.nat({ max: 1_000_000 }),
});

describe('planConv', () => {
  it('on fixed cases: a padded 3×3 layer (split, and at oh = 2·kh), a small one, strides, dilation, lattice inputs', () => {
    const base: Case = { n: 2, c: 2, h0: 8, w0: 9, k: 3, s: 1, pad: 1, dil: 1, step: 1, top: 0, lattice: false, seed: 1 };
    const cases: Case[] = [
      base,
      { ...base, h0: 4, w0: 4 }, // oh = ow = 4 < 2·3: one class
      { ...base, h0: 6, w0: 6, pad: 0, k: 2 }, // oh = 5 ≥ 4, no padding
      { ...base, h0: 4, w0: 4, k: 2, pad: 1 }, // oh = ow = 5 ≥ 2·2: split, exactly at the border
      { ...base, h0: 4, w0: 6, k: 2, pad: 0 }, // oh = 3 < 4 = 2·kh, ow = 5: no split
      { ...base, s: 2, dil: 2, h0: 9, w0: 9, pad: 2 },
      { ...base, lattice: true, h0: 3, w0: 4, step: 2, top: 2, pad: 0, k: 3 }, // the dX correlation's pad(dilate(δ), K − 1)
      { ...base, lattice: true, h0: 5, w0: 5, step: 2, top: 1, pad: 1, k: 3 },
      { ...base, lattice: true, h0: 2, w0: 3, step: 3, top: 2, pad: 0, k: 3, n: 1 },
      { ...base, lattice: true, h0: 4, w0: 4, step: 1, top: 2, pad: 0, k: 3 },
    ];
    for (const t of cases) checkPlan(t);
  });

  it('on random geometries', () => {
    checkProperty(caseArb, checkPlan);
  });
});
