// Plans a float32 conv2d forward on the wasm kernels: copies the operands into wasm memory, writes job
// descriptors (layout.ts) and runs them on the thread pool. Kernels (as/):
//   wide — vectorised along output rows, an implicit-im2col GEMM; for ordinary convolutions.
//   dot  — vectorised along kernel rows; for short output rows and long kernel rows (weight gradients).
// Zeros on a lattice are skipped exactly (the chapter's backward convolves padded, dilated deltas). An
// operand is a strided block of non-zeros placed on a lattice of rows/columns: given as a LatticeView
// (pad2d/dilate2d/permute inside the conv backward, never materialized) or found by scanning a dense array.
//   - weights on a lattice become a smaller dense kernel with dilation ·step;
//   - a stride-1 conv of an input on a lattice with step > 1 is split into step×step output phases, each
//     a dense conv of the block with the taps that reach it (a transposed convolution);
//   - otherwise the input is prepared (padded, zeros filled in) straight from its block.
// Skipping drops products 0·x; only a non-finite x could tell (0·∞ is NaN), and the js GEMM skips
// zero multipliers too.
import type { LatticeView } from '../../lattice.ts';
import type { Conv2dGeometry } from '../conv2d.ts';
import { WasmMemoryFull, type Arena } from './arena.ts';
import { F, FIELDS, KIND_DOT, KIND_PREP, KIND_WIDE } from './layout.ts';
import type { Pool } from './pool.ts';
import type { WasmExports } from './module.ts';

export interface WasmContext {
  arena: Arena;
  pool: Pool;
  exports: WasmExports;
  stats: WasmStats;
}

/** How many calls took each path (for tests and tuning). */
export interface WasmStats {
  wide: number;
  dot: number;
  /** stride-1 convs of a lattice-sparse input, split into output phases */
  phased: number;
  /** convs whose weights were gathered into a smaller or contiguous kernel */
  compactedWeights: number;
  /** operands passed as lattice views (not materialized) */
  latticeOperands: number;
  gemm: number;
  /** calls handed to the js kernels (float64, too large, tiny GEMMs) */
  js: number;
}

export function emptyStats(): WasmStats {
  return { wide: 0, dot: 0, phased: 0, compactedWeights: 0, latticeOperands: 0, gemm: 0, js: 0 };
}

/** Output rows shorter than this, with longer kernel rows, go to the dot kernel. */
const DOT_MAX_OW = 8;

export function useDotKernel(g: Conv2dGeometry): boolean {
  return g.ow < DOT_MAX_OW && g.kw > g.ow;
}

/** Non-zero indices of one axis lie in {first + step·i : i < count}. */
export interface Lattice { first: number; step: number; count: number }

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The lattice of the flagged entries of flags[at … at+len), or null when none is flagged. */
export function latticeOf(flags: Int32Array, at: number, len: number): Lattice | null {
  let first = -1, last = -1, step = 0;
  for (let i = 0; i < len; i++) {
    if (flags[at + i] === 0) continue;
    if (first < 0) first = i;
    else step = gcd(step, i - first);
    last = i;
  }
  if (first < 0) return null;
  if (step === 0) step = 1;
  return { first, step, count: (last - first) / step + 1 };
}

/**
 * A conv operand [d0, d1, rows, cols] in wasm memory: block element (i, j, a, b) at
 * ptr + i·s0 + j·s1 + a·sRow + b·sCol (bytes) is the tensor's element at row rows.first + rows.step·a,
 * column cols.first + cols.step·b; all other elements are zero. Null rows: the tensor is all zero.
 */
interface Operand { ptr: number; s0: number; s1: number; sRow: number; sCol: number; rows: Lattice; cols: Lattice }

const trivial = (n: number): Lattice => ({ first: 0, step: 1, count: n });

/** Copies a dense array in and finds the lattice of its non-zeros (null: all zero). */
function denseOperand(ctx: WasmContext, x: Float32Array, d0: number, d1: number, h: number, w: number): Operand | null {
  const { arena } = ctx;
  const p = arena.alloc(4 * x.length);
  arena.f32.set(x, p >> 2);
  const rowsAt = arena.alloc(4 * h), colsAt = arena.alloc(4 * w);
  const { i32 } = arena;
  i32.fill(0, rowsAt >> 2, (rowsAt >> 2) + h);
  i32.fill(0, colsAt >> 2, (colsAt >> 2) + w);
  ctx.exports.scanNonzero(p, d0 * d1, h, w, rowsAt, colsAt);
  const rows = latticeOf(i32, rowsAt >> 2, h), cols = latticeOf(i32, colsAt >> 2, w);
  if (!rows || !cols) return null;
  return {
    ptr: p + 4 * (rows.first * w + cols.first), s0: 4 * d1 * h * w, s1: 4 * h * w, sRow: 4 * rows.step * w, sCol: 4 * cols.step,
    rows, cols,
  };
}

/** Copies the block a lattice view reads into wasm memory (its zeros never exist). */
function viewOperand(ctx: WasmContext, v: LatticeView): Operand {
  const base = v.base as Float32Array;
  let lo = v.offset, hi = v.offset;
  v.strides.forEach((s, k) => {
    const span = (v.counts[k] - 1) * s;
    if (span < 0) lo += span;
    else hi += span;
  });
  const p = ctx.arena.alloc(4 * (hi - lo + 1));
  ctx.arena.f32.set(base.subarray(lo, hi + 1), p >> 2);
  ctx.stats.latticeOperands++;
  const [s0, s1, sRow, sCol] = v.strides.map((s) => 4 * s);
  return {
    ptr: p + 4 * (v.offset - lo), s0, s1, sRow, sCol,
    rows: { first: v.first[0], step: v.step[0], count: v.counts[2] },
    cols: { first: v.first[1], step: v.step[1], count: v.counts[3] },
  };
}

/** True when the operand is the whole [d0, d1, h, w] array, contiguous and without zeros skipped. */
function isPlain(op: Operand, d1: number, h: number, w: number): boolean {
  return op.rows.first === 0 && op.rows.step === 1 && op.rows.count === h && op.cols.first === 0 && op.cols.step === 1
    && op.cols.count === w && op.sCol === 4 && op.sRow === 4 * w && op.s1 === 4 * h * w && op.s0 === 4 * d1 * h * w;
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;

/**
 * x: [N, C, H, W] and w: [O, C, KH, KW] as arrays or lattice views. Returns false when the problem does
 * not fit in wasm memory (the caller then uses the js kernels).
 */
export function wasmConv2dForward(
  ctx: WasmContext, x: Float32Array | LatticeView, w: Float32Array | LatticeView, bias: Float32Array | null,
  g: Conv2dGeometry, out: Float32Array,
): boolean {
  const { arena } = ctx;
  arena.reset();
  try {
    const desc = arena.alloc(4 * FIELDS);
    const biasp = bias ? arena.alloc(4 * g.o) : 0;
    const outLen = g.n * g.o * g.oh * g.ow;
    const outp = arena.alloc(4 * outLen);
    if (bias) arena.f32.set(bias, biasp >> 2);
    const wo = ArrayBuffer.isView(w) ? denseOperand(ctx, w, g.o, g.c, g.kh, g.kw) : viewOperand(ctx, w);
    const xo = wo && (ArrayBuffer.isView(x) ? denseOperand(ctx, x, g.n, g.c, g.h, g.w) : viewOperand(ctx, x));
    if (!wo || !xo) {
      // an all-zero operand: the output is the bias
      for (let n = 0, i = 0; n < g.n; n++) {
        for (let o = 0; o < g.o; o++, i += g.oh * g.ow) out.fill(bias ? bias[o] : 0, i, i + g.oh * g.ow);
      }
      return true;
    }

    // Weights: keep the taps on their lattice, contiguous. Kernel row a is old row first + step·a, i.e.
    // dilation ·step, and the window starts first·dh later (padding shrinks, possibly below zero = cropping).
    let wt = wo.ptr, wos = wo.s0, wcs = wo.s1;
    if (!isPlain(wo, g.c, g.kh, g.kw)) {
      const { rows, cols } = wo;
      const dotAfter = useDotKernel({ ...g, kw: cols.count });
      // The dot kernel reads weight rows in place when they are contiguous (channels may be strided,
      // e.g. the batch/channel-swapped delta of a weight gradient); otherwise gather a dense kernel.
      if (!(dotAfter && wo.sCol === 4 && wo.sRow === 4 * cols.count)) {
        wt = arena.alloc(4 * g.o * g.c * rows.count * cols.count);
        ctx.exports.gather4(wo.ptr, g.o, g.c, rows.count, cols.count, wo.s0, wo.s1, wo.sRow, wo.sCol, wt);
        wcs = 4 * rows.count * cols.count;
        wos = g.c * wcs;
      }
      g = {
        ...g, kh: rows.count, kw: cols.count, dh: g.dh * rows.step, dw: g.dw * cols.step,
        pt: g.pt - rows.first * g.dh, pl: g.pl - cols.first * g.dw,
      };
      ctx.stats.compactedWeights++;
    }

    const dot = useDotKernel(g);
    if (!dot && g.sh === 1 && g.sw === 1 && xo.rows.step * xo.cols.step > 1) {
      phasedConv(ctx, g, xo, wt, biasp, outp);
      ctx.stats.phased++;
    } else {
      const p = dot ? g.dw : g.sw; // phases: the stride the vectorised walk takes along an input row
      const hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
      const wq = Math.ceil(((g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1) / p);
      const wr = p * wq;
      // The input block is read in place when it is the whole input and no padding or phase split is needed.
      const inPlace = p === 1 && g.pt === 0 && g.pl === 0 && hp === g.h && wq === g.w && isPlain(xo, g.c, g.h, g.w);
      const k = g.c * g.kh * g.kw;
      const bp = inPlace ? xo.ptr : arena.alloc(4 * g.n * g.c * hp * wr);
      const tabLen = dot ? Math.ceil((g.oh * g.ow) / 4) * 4 : k;
      const tab = arena.alloc(4 * tabLen);
      const apack = dot ? 0 : arena.alloc(4 * g.o * k);
      const flags = arena.alloc(4 * g.n);
      const { i32 } = arena;

      const d = desc >> 2;
      i32.fill(0, d, d + FIELDS);
      writePrep(i32, d, g, xo, xo.rows, xo.cols, g.pt, g.pl, p, hp, wq, bp, flags);
      i32[d + F.PREP] = inPlace ? 0 : 1;
      writeOut(i32, d, g, g.oh, g.ow, outp, g.ow * 4, 4, biasp);
      const flops = 2 * outLen * k;
      const groups = (g.o >> 2) + (g.o & 3);
      const tb = tab >> 2;
      if (dot) {
        // POS[q] locates output (oy, ox): row oy·sh, and column ox·sw = a·P + r → phase r, offset a.
        for (let oy = 0, q = 0; oy < g.oh; oy++) {
          for (let ox = 0; ox < g.ow; ox++, q++) {
            const col = ox * g.sw;
            i32[tb + q] = 4 * (oy * g.sh * wr + (col % p) * wq + Math.floor(col / p));
          }
        }
        for (let q = g.oh * g.ow; q < tabLen; q++) i32[tb + q] = i32[tb + q - 1];
        i32[d + F.KH] = g.kh;
        i32[d + F.KW] = g.kw;
        i32[d + F.KROW] = 4 * g.dh * wr;
        i32[d + F.CSTR] = 4 * hp * wr;
        i32[d + F.WT] = wt;
        i32[d + F.WOS] = wos;
        i32[d + F.WCS] = wcs;
        i32[d + F.POS] = tab;
        ctx.pool.run(KIND_DOT, desc, g.n * groups, flops);
        ctx.stats.dot++;
      } else {
        // OFF[k] locates tap (c, ki, kj): column ox·sw + kj·dw = (ox + ⌊kj·dw/P⌋)·P + (kj·dw mod P), P = sw.
        for (let c = 0, q = 0; c < g.c; c++) {
          for (let ki = 0; ki < g.kh; ki++) {
            for (let kj = 0; kj < g.kw; kj++, q++) {
              const col = kj * g.dw;
              i32[tb + q] = 4 * (c * hp * wr + ki * g.dh * wr + (col % p) * wq + Math.floor(col / p));
            }
          }
        }
        ctx.exports.packA(wt, g.o, k, apack);
        i32[d + F.K] = k;
        i32[d + F.APACK] = apack;
        i32[d + F.OFF] = tab;
        i32[d + F.BROW] = 4 * g.sh * wr;
        ctx.pool.run(KIND_WIDE, desc, g.n * g.oh * groups, flops);
        ctx.stats.wide++;
      }
    }
    out.set(arena.f32.subarray(outp >> 2, (outp >> 2) + outLen));
    return true;
  } catch (e) {
    if (e instanceof WasmMemoryFull) return false;
    throw e;
  }
}

/**
 * Prep fields: the operand's block, where it sits (rows/cols lattices: virtual first, step, count),
 * the conv's padding pt/pl, phases, prepared size and destination.
 */
function writePrep(i32: Int32Array, d: number, g: Conv2dGeometry, op: Operand, rows: Lattice, cols: Lattice,
  pt: number, pl: number, p: number, hp: number, wq: number, bp: number, flags: number): void {
  i32.fill(0, flags >> 2, (flags >> 2) + g.n);
  i32[d + F.X] = op.ptr;
  i32[d + F.SIMG] = op.s0;
  i32[d + F.SCH] = op.s1;
  i32[d + F.SROW] = op.sRow;
  i32[d + F.SCOL] = op.sCol;
  i32[d + F.CH] = g.c;
  i32[d + F.H] = rows.count;
  i32[d + F.W] = cols.count;
  i32[d + F.FY] = rows.first;
  i32[d + F.SY] = rows.step;
  i32[d + F.FX] = cols.first;
  i32[d + F.SX] = cols.step;
  i32[d + F.PT] = pt;
  i32[d + F.PL] = pl;
  i32[d + F.P] = p;
  i32[d + F.HP] = hp;
  i32[d + F.WQ] = wq;
  i32[d + F.B] = bp;
  i32[d + F.BIMG] = 4 * g.c * hp * p * wq;
  i32[d + F.FLAGS] = flags;
  i32[d + F.N] = g.n;
}

/** Output fields of a wide/dot job writing oh×ow positions, rows orow and columns ocs bytes apart. */
function writeOut(i32: Int32Array, d: number, g: Conv2dGeometry, oh: number, ow: number, outp: number, orow: number, ocs: number, biasp: number): void {
  i32[d + F.N] = g.n;
  i32[d + F.O] = g.o;
  i32[d + F.OH] = oh;
  i32[d + F.OW] = ow;
  i32[d + F.OUT] = outp;
  i32[d + F.OIMG] = 4 * g.o * g.oh * g.ow;
  i32[d + F.OCH] = 4 * g.oh * g.ow;
  i32[d + F.OROW] = orow;
  i32[d + F.OCS] = ocs;
  i32[d + F.BIAS] = biasp;
  i32[d + F.ACC] = 0;
}

/**
 * Stride-1 conv of an input whose non-zeros sit at rows first + Sy·a, columns first + Sx·b.
 * Output row y = py + Sy·m meets a non-zero through tap ki only when Sy divides py + ki·dh − pt − first;
 * then the block row is m + e(ki). So each phase (py, px) is a dense stride-1 conv of the block over m
 * with its own tap list, written every Sy rows and Sx columns of the output.
 */
function phasedConv(ctx: WasmContext, g: Conv2dGeometry, xo: Operand, wt: number, biasp: number, outp: number): void {
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
  const flags = arena.alloc(4 * g.n);
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
  writePrep(i32, p0, g, xo, trivial(rows.count), trivial(cols.count), ay.lead, ax.lead, 1, hp, wq, bp, flags);
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
