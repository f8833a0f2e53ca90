// A stride-1 convolution of an input whose non-zeros sit on a lattice with step > 1 (the chapter's
// dilated delta in dX), computed as a transposed convolution: one dense job per output phase.
import type { Conv2dGeometry } from '../conv2d.ts';
import type { WasmContext } from './context.ts';
import { writeOut, writePrep } from './descriptors.ts';
import { F, FIELDS, KIND_PREP, KIND_WIDE } from './layout.ts';
import { trivial, type Operand } from './operand.ts';

const mod = (a: number, m: number): number => ((a % m) + m) % m;

/**
 * Stride-1 conv of an input whose non-zeros sit at rows first + Sy·a, columns first + Sx·b.
 * Output row y = py + Sy·m meets a non-zero through tap ki only when Sy divides py + ki·dh − pt − first;
 * then the block row is m + e(ki). So each phase (py, px) is a dense stride-1 conv of the block over m
 * with its own tap list, written every Sy rows and Sx columns of the output.
 */
export function phasedConv(ctx: WasmContext, g: Conv2dGeometry, xo: Operand, wt: number, biasp: number, outp: number): void {
  const { arena } = ctx;
  const { rows, cols } = xo;
  const sy = rows.step, sx = cols.step;
  const axis = (phases: number, outLen: number, k: number, dil: number, pad: number, first: number) => {
    const list: { count: number; taps: { k: number; e: number }[] }[] = [];
    let eMin = 0, eMax = 0, maxCount = 1;
    for (let ph = 0; ph < phases; ph++) {
      const count = Math.max(0, Math.ceil((outLen - ph) / phases));
      const taps: { k: number; e: number }[] = [];
      for (let t = 0; t < k && count > 0; t++) {
        const v = ph + t * dil - pad - first;
        if (mod(v, phases) !== 0) continue;
        const e = v / phases;
        taps.push({ k: t, e });
        eMin = Math.min(eMin, e);
        eMax = Math.max(eMax, e);
      }
      maxCount = Math.max(maxCount, count);
      list.push({ count, taps });
    }
    // prepared index of block index a is a + lead; covers every m + e read by any phase
    const lead = -eMin;
    return { list, lead, len: maxCount - 1 + eMax + lead + 1 };
  };
  const ay = axis(sy, g.oh, g.kh, g.dh, g.pt, rows.first);
  const ax = axis(sx, g.ow, g.kw, g.dw, g.pl, cols.first);
  const hp = ay.len, wq = ax.len;
  const bp = arena.alloc(4 * g.n * g.c * hp * wq);
  const prep = arena.alloc(4 * FIELDS);
  const jobs: { py: number; px: number; k: number; desc: number; off: number; araw: number; apack: number }[] = [];
  for (let py = 0; py < sy; py++) {
    for (let px = 0; px < sx; px++) {
      if (ay.list[py].count === 0 || ax.list[px].count === 0) continue;
      const k = g.c * ay.list[py].taps.length * ax.list[px].taps.length;
      jobs.push({ py, px, k, desc: arena.alloc(4 * FIELDS), off: arena.alloc(4 * k), araw: arena.alloc(4 * g.o * k), apack: arena.alloc(4 * g.o * k) });
    }
  }
  const { i32, f32 } = arena;
  const p0 = prep >> 2;
  i32.fill(0, p0, p0 + FIELDS);
  // the block itself, compact (first 0, step 1), behind `lead` zero rows/columns
  writePrep(i32, p0, g, xo, trivial(rows.count), trivial(cols.count), ay.lead, ax.lead, 1, hp, wq, bp);
  ctx.pool.run(KIND_PREP, prep, g.n, 2 * g.n * g.c * hp * wq);

  const groups = (g.o >> 2) + (g.o & 3);
  const kk = g.kh * g.kw;
  for (const j of jobs) {
    const ty = ay.list[j.py], tx = ax.list[j.px];
    // taps in (c, ki, kj) order: offsets into the prepared image and the matching weight columns
    const ob = j.off >> 2, ab = j.araw >> 2, wb = wt >> 2;
    let q = 0;
    for (let c = 0; c < g.c; c++) {
      for (const a of ty.taps) {
        for (const b of tx.taps) {
          i32[ob + q] = 4 * (c * hp * wq + (a.e + ay.lead) * wq + b.e + ax.lead);
          const wi = wb + c * kk + a.k * g.kw + b.k;
          for (let o = 0; o < g.o; o++) f32[ab + o * j.k + q] = f32[wi + o * g.c * kk];
          q++;
        }
      }
    }
    ctx.exports.packA(j.araw, g.o, j.k, j.apack);
    const d = j.desc >> 2;
    i32.fill(0, d, d + FIELDS);
    i32[d + F.B] = bp;
    i32[d + F.BIMG] = 4 * g.c * hp * wq;
    writeOut(i32, d, g, ty.count, tx.count, outp + 4 * (j.py * g.ow + j.px), 4 * sy * g.ow, 4 * sx, biasp);
    i32[d + F.K] = j.k;
    i32[d + F.APACK] = j.apack;
    i32[d + F.OFF] = j.off;
    i32[d + F.BROW] = 4 * wq;
    ctx.pool.run(KIND_WIDE, j.desc, g.n * ty.count * groups, 2 * g.n * g.o * ty.count * tx.count * j.k);
  }
}
