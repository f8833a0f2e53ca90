// Plans a float32 conv2d forward on the wasm kernels: copies the operands into wasm memory, writes job
// descriptors (layout.ts) and runs them on the thread pool. Kernels (as/):
//   wide — vectorised along output rows, an implicit-im2col GEMM; for ordinary convolutions.
//   dot  — vectorised along kernel rows; for short output rows and long kernel rows (weight gradients).
// Zeros on a lattice are skipped exactly (the chapter's backward convolves dilated, padded deltas):
//   - weights whose non-zero taps sit every S rows/columns become a smaller kernel with dilation ·S;
//   - a stride-1 conv of an input whose non-zeros sit every S rows/columns is split into S×S output
//     phases, each a dense conv of the compacted input with the taps that reach it (a transposed conv).
// Skipping drops products 0·x; only a non-finite x could tell (0·∞ is NaN), and the js GEMM skips
// zero multipliers too.
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
  /** convs whose weights were compacted to their non-zero lattice */
  compactedWeights: number;
  gemm: number;
  /** calls handed to the js kernels (float64, too large, tiny GEMMs) */
  js: number;
}

export function emptyStats(): WasmStats {
  return { wide: 0, dot: 0, phased: 0, compactedWeights: 0, gemm: 0, js: 0 };
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

/** Lattices of the rows and columns holding non-zeros in `planes` planes h×w at ptr (null: all zero). */
function scanLattice(ctx: WasmContext, ptr: number, planes: number, h: number, w: number): { rows: Lattice; cols: Lattice } | null {
  const rows = ctx.arena.alloc(4 * h), cols = ctx.arena.alloc(4 * w);
  const { i32 } = ctx.arena;
  i32.fill(0, rows >> 2, (rows >> 2) + h);
  i32.fill(0, cols >> 2, (cols >> 2) + w);
  ctx.exports.scanNonzero(ptr, planes, h, w, rows, cols);
  const r = latticeOf(i32, rows >> 2, h), c = latticeOf(i32, cols >> 2, w);
  return r && c ? { rows: r, cols: c } : null;
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;

/** Returns false when the problem does not fit in wasm memory (the caller then uses the js kernels). */
export function wasmConv2dForward(
  ctx: WasmContext, x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry, out: Float32Array,
): boolean {
  const { arena } = ctx;
  arena.reset();
  try {
    const desc = arena.alloc(4 * FIELDS);
    const xp = arena.alloc(4 * x.length);
    const wp = arena.alloc(4 * w.length);
    const biasp = bias ? arena.alloc(4 * g.o) : 0;
    const outLen = g.n * g.o * g.oh * g.ow;
    const outp = arena.alloc(4 * outLen);
    arena.f32.set(x, xp >> 2);
    arena.f32.set(w, wp >> 2);
    if (bias) arena.f32.set(bias, biasp >> 2);

    let wt = wp;
    const wl = scanLattice(ctx, wp, g.o * g.c, g.kh, g.kw);
    if (wl && (wl.rows.count < g.kh || wl.cols.count < g.kw)) {
      // Keep only the taps on the lattice: kernel row a is old row first + step·a, i.e. dilation ·step,
      // and the window starts first·dh later (padding shrinks, possibly below zero = cropping).
      const { rows, cols } = wl;
      wt = arena.alloc(4 * g.o * g.c * rows.count * cols.count);
      ctx.exports.subsample(wp, g.o * g.c, g.kh, g.kw, rows.first, rows.step, rows.count, cols.first, cols.step, cols.count, wt);
      ctx.stats.compactedWeights++;
      g = {
        ...g, kh: rows.count, kw: cols.count, dh: g.dh * rows.step, dw: g.dw * cols.step,
        pt: g.pt - rows.first * g.dh, pl: g.pl - cols.first * g.dw,
      };
    }

    const dot = useDotKernel(g);
    if (!dot && g.sh === 1 && g.sw === 1) {
      const xl = scanLattice(ctx, xp, g.n * g.c, g.h, g.w);
      if (xl && xl.rows.step * xl.cols.step > 1) {
        phasedConv(ctx, g, xp, xl.rows, xl.cols, wt, biasp, outp);
        ctx.stats.phased++;
        out.set(arena.f32.subarray(outp >> 2, (outp >> 2) + outLen));
        return true;
      }
    }

    const p = dot ? g.dw : g.sw; // phases: the stride the vectorised walk takes along an input row
    const hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
    const wq = Math.ceil(((g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1) / p);
    const wr = p * wq;
    const imgFloats = g.c * hp * wr;
    // The raw input is read in place when no padding, cropping or phase split is needed.
    const inPlace = p === 1 && g.pt === 0 && g.pl === 0 && hp === g.h && wq === g.w;
    const k = g.c * g.kh * g.kw;
    const bp = inPlace ? xp : arena.alloc(4 * g.n * imgFloats);
    const tabLen = dot ? Math.ceil((g.oh * g.ow) / 4) * 4 : k;
    const tab = arena.alloc(4 * tabLen);
    const apack = dot ? 0 : arena.alloc(4 * g.o * k);
    const flags = arena.alloc(4 * g.n);
    const { i32 } = arena;

    const d = desc >> 2;
    i32.fill(0, d, d + FIELDS);
    writePrep(i32, d, xp, g, { first: 0, step: 1, count: g.h }, { first: 0, step: 1, count: g.w }, g.pt, g.pl, p, hp, wq, bp, flags);
    i32[d + F.PREP] = inPlace ? 0 : 1;
    writeOut(i32, d, g, g.oh, g.ow, outp, g.ow * 4, 4, biasp);
    const flops = 2 * outLen * k;
    const groups = (g.o >> 2) + (g.o & 3);
    const tb = tab >> 2;
    if (dot) {
      // POS[q] locates output (oy, ox): row oy·sh, column ox·sw = a·P + r → phase r, offset a.
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
    out.set(arena.f32.subarray(outp >> 2, (outp >> 2) + outLen));
    return true;
  } catch (e) {
    if (e instanceof WasmMemoryFull) return false;
    throw e;
  }
}

/** Prep fields: compact rows/cols of the source given by lattices, padding, phases, destination. */
function writePrep(i32: Int32Array, d: number, xp: number, g: Conv2dGeometry, rows: Lattice, cols: Lattice,
  pt: number, pl: number, p: number, hp: number, wq: number, bp: number, flags: number): void {
  i32.fill(0, flags >> 2, (flags >> 2) + g.n);
  i32[d + F.FLAGS] = flags;
  i32[d + F.X] = xp;
  i32[d + F.CH] = g.c;
  i32[d + F.SH] = g.h;
  i32[d + F.SW] = g.w;
  i32[d + F.H] = rows.count;
  i32[d + F.W] = cols.count;
  i32[d + F.SY0] = rows.first;
  i32[d + F.SYS] = rows.step;
  i32[d + F.SX0] = cols.first;
  i32[d + F.SXS] = cols.step;
  i32[d + F.PT] = pt;
  i32[d + F.PL] = pl;
  i32[d + F.P] = p;
  i32[d + F.HP] = hp;
  i32[d + F.WQ] = wq;
  i32[d + F.B] = bp;
  i32[d + F.BIMG] = 4 * g.c * hp * p * wq;
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
 * Stride-1 conv of an input whose non-zeros are rows.first + rows.step·a, cols.first + cols.step·b.
 * Output row y = py + Sy·m meets a non-zero through tap ki only when Sy divides py + ki·dh − pt − first;
 * then the compact row is m + e(ki). So each phase (py, px) is a dense stride-1 conv of the compacted
 * input over m with its own tap list, written every Sy rows and Sx columns of the output.
 */
function phasedConv(ctx: WasmContext, g: Conv2dGeometry, xp: number, rows: Lattice, cols: Lattice, wt: number, biasp: number, outp: number): void {
  const { arena } = ctx;
  const sy = rows.step, sx = cols.step;
  const axis = (phases: number, outLen: number, k: number, dil: number, pad: number, first: number) => {
    const list: { count: number; taps: { k: number; e: number }[] }[] = [];
    let eMin = 0, eMax = 0, maxCount = 1;
    for (let ph = 0; ph < phases; ph++) {
      const count = Math.max(0, Math.ceil((outLen - ph) / phases));
      const taps: { k: number; e: number }[] = [];
      for (let t = 0; t < k; t++) {
        const v = ph + t * dil - pad - first;
        if (mod(v, phases) !== 0 || count === 0) continue;
        const e = v / phases;
        taps.push({ k: t, e });
        eMin = Math.min(eMin, e);
        eMax = Math.max(eMax, e);
      }
      maxCount = Math.max(maxCount, count);
      list.push({ count, taps });
    }
    // prepared index of compact index a is a + lead; covers every m + e read by any phase
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
  writePrep(i32, p0, xp, g, rows, cols, ay.lead, ax.lead, 1, hp, wq, bp, flags);
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
