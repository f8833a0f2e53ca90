// Plans a float32 conv2d forward on the wasm kernels: copies the operands into wasm memory, writes the
// job descriptor and runs it on the thread pool. Two kernels (see as/):
//   wide — vectorised along output rows, an implicit-im2col GEMM; for ordinary convolutions.
//   dot  — vectorised along kernel rows; for short output rows and long kernel rows (weight gradients).
import type { Conv2dGeometry } from '../conv2d.ts';
import type { Arena } from './arena.ts';
import { F, FIELDS, KIND_DOT, KIND_WIDE } from './layout.ts';
import type { Pool } from './pool.ts';
import type { WasmExports } from './module.ts';

export interface WasmContext {
  arena: Arena;
  pool: Pool;
  exports: WasmExports;
  desc: number; // FIELDS i32 reserved for the descriptor
}

/** Output rows shorter than this, with longer kernel rows, go to the dot kernel. */
const DOT_MAX_OW = 8;

export function useDotKernel(g: Conv2dGeometry): boolean {
  return g.ow < DOT_MAX_OW && g.kw > g.ow;
}

/** Rows and phase-row length of the prepared input for phase count p. */
function prepShape(g: Conv2dGeometry, p: number): { hp: number; wq: number } {
  const hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const wneed = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  return { hp, wq: Math.ceil(wneed / p) };
}

/** Returns false when the problem does not fit in wasm memory (the caller then uses the js kernels). */
export function wasmConv2dForward(
  ctx: WasmContext, x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry, out: Float32Array,
): boolean {
  const dot = useDotKernel(g);
  const p = dot ? g.dw : g.sw;
  const { hp, wq } = prepShape(g, p);
  const wr = p * wq;
  const imgFloats = g.c * hp * wr;
  // The input can be used in place when no padding, cropping or phase split is needed.
  const inPlace = p === 1 && g.pt === 0 && g.pl === 0 && hp === g.h && wq === g.w;
  const k = g.c * g.kh * g.kw;
  const outLen = g.n * g.o * g.oh * g.ow;
  const bytes = 4 * (x.length + (inPlace ? 0 : g.n * imgFloats) + 2 * w.length + k + (bias ? g.o : 0) + outLen + 4 * g.oh * g.ow + 4);
  const { arena } = ctx;
  if (!arena.fits(bytes)) return false;

  arena.reset();
  const xp = arena.alloc(4 * x.length);
  const bp = inPlace ? xp : arena.alloc(4 * g.n * imgFloats);
  const wp = arena.alloc(4 * w.length);
  const biasp = bias ? arena.alloc(4 * g.o) : 0;
  const outp = arena.alloc(4 * outLen);
  const tabLen = dot ? Math.ceil((g.oh * g.ow) / 4) * 4 : k;
  const tab = arena.alloc(4 * tabLen);
  const apack = dot ? 0 : arena.alloc(4 * w.length);
  const { f32, i32 } = arena; // views are final once every alloc is done
  f32.set(x, xp >> 2);
  f32.set(w, wp >> 2);
  if (bias) f32.set(bias, biasp >> 2);

  const d = ctx.desc >> 2;
  i32.fill(0, d, d + FIELDS);
  i32[d + F.X] = xp;
  i32[d + F.CH] = g.c;
  i32[d + F.H] = g.h;
  i32[d + F.W] = g.w;
  i32[d + F.PT] = g.pt;
  i32[d + F.PL] = g.pl;
  i32[d + F.P] = p;
  i32[d + F.HP] = hp;
  i32[d + F.WQ] = wq;
  i32[d + F.B] = bp;
  i32[d + F.BIMG] = 4 * imgFloats;
  i32[d + F.PREP] = inPlace ? 0 : 1;
  i32[d + F.N] = g.n;
  i32[d + F.O] = g.o;
  i32[d + F.OH] = g.oh;
  i32[d + F.OW] = g.ow;
  i32[d + F.K] = k;
  i32[d + F.OUT] = outp;
  i32[d + F.BIAS] = biasp;
  const flops = 2 * outLen * k;
  const groups = (g.o >> 2) + (g.o & 3);

  if (dot) {
    // POS[p] locates output position (oy, ox): row oy·sh, and column ox·sw = a·P + r → phase r, offset a.
    const tb = tab >> 2;
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
    i32[d + F.WT] = wp;
    i32[d + F.POS] = tab;
    ctx.pool.run(KIND_DOT, ctx.desc, g.n * groups, flops, groups);
  } else {
    // OFF[k] locates tap (c, ki, kj): column ox·sw + kj·dw = (ox + ⌊kj·dw/P⌋)·P + kj·dw mod P with P = sw.
    const tb = tab >> 2;
    for (let c = 0, q = 0; c < g.c; c++) {
      for (let ki = 0; ki < g.kh; ki++) {
        for (let kj = 0; kj < g.kw; kj++, q++) {
          const col = kj * g.dw;
          i32[tb + q] = 4 * (c * hp * wr + ki * g.dh * wr + (col % p) * wq + Math.floor(col / p));
        }
      }
    }
    ctx.exports.packA(wp, g.o, k, apack);
    i32[d + F.APACK] = apack;
    i32[d + F.OFF] = tab;
    i32[d + F.BROW] = 4 * g.sh * wr;
    ctx.pool.run(KIND_WIDE, ctx.desc, g.n * g.oh * groups, flops, g.oh * groups);
  }
  out.set(f32.subarray(outp >> 2, (outp >> 2) + outLen));
  return true;
}
