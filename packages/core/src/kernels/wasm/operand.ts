// Conv operands in wasm memory: a strided block of non-zeros placed on a lattice of rows and columns,
// from a dense array (scanned for zeros) or from a lattice view (../../lattice.ts, never materialized).
import type { LatticeView } from '../../lattice.ts';
import type { StagedCopy } from './arena.ts';
import type { WasmContext } from './context.ts';

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
 * `staged`: the copy is still being made one image (index i above) at a time (arena.ts, StagedCopy):
 * image 0 is in; a kernel that does not wait for the others must call `staged.finish()` first.
 */
export interface Operand {
  ptr: number; s0: number; s1: number; sRow: number; sCol: number; rows: Lattice; cols: Lattice;
  staged?: StagedCopy | null;
}

export const trivial = (n: number): Lattice => ({ first: 0, step: 1, count: n });

const whole = (l: Lattice | null, n: number): boolean => l !== null && l.first === 0 && l.step === 1 && l.count === n;

/**
 * Copies a dense array in and finds the lattice of its non-zeros (null: all zero). With `staged`, only
 * image 0 is copied now when it has non-zeros in every row and column (the other images cannot change
 * the lattice then); the rest is left to `staged.finish()`.
 */
export function denseOperand(ctx: WasmContext, x: Float32Array, d0: number, d1: number, h: number, w: number, staged = false): Operand | null {
  const { arena } = ctx;
  const image = d1 * h * w;
  const copy = arena.copyInParts(x, 0, x.length, staged ? image : 0);
  const p = copy.ptr;
  const rowsAt = arena.alloc(4 * h), colsAt = arena.alloc(4 * w);
  const { i32 } = arena;
  i32.fill(0, rowsAt >> 2, (rowsAt >> 2) + h);
  i32.fill(0, colsAt >> 2, (colsAt >> 2) + w);
  ctx.exports.scanNonzero(p, copy.staged ? d1 : d0 * d1, h, w, rowsAt, colsAt);
  let rows = latticeOf(i32, rowsAt >> 2, h), cols = latticeOf(i32, colsAt >> 2, w);
  if (copy.staged && !(whole(rows, h) && whole(cols, w))) {
    copy.staged.finish();
    copy.staged = null;
    ctx.exports.scanNonzero(p + 4 * image, (d0 - 1) * d1, h, w, rowsAt, colsAt);
    rows = latticeOf(i32, rowsAt >> 2, h);
    cols = latticeOf(i32, colsAt >> 2, w);
  }
  if (!rows || !cols) return null;
  return {
    ptr: p + 4 * (rows.first * w + cols.first), s0: 4 * d1 * h * w, s1: 4 * h * w, sRow: 4 * rows.step * w, sCol: 4 * cols.step,
    rows, cols, staged: copy.staged,
  };
}

/**
 * Copies the block a lattice view reads into wasm memory (its zeros never exist). With `staged`, image by
 * image when each image's block lies in a range of its own (a positive image stride that covers it).
 */
export function viewOperand(ctx: WasmContext, v: LatticeView, staged = false): Operand {
  const base = v.base as Float32Array;
  let lo = v.offset, hi = v.offset;
  v.strides.forEach((s, k) => {
    const span = (v.counts[k] - 1) * s;
    if (span < 0) lo += span;
    else hi += span;
  });
  const image = v.strides[0];
  const copy = ctx.arena.copyInParts(base, lo, hi + 1, staged && image > 0 && hi + 1 - lo <= v.counts[0] * image ? image : 0);
  const p = copy.ptr;
  ctx.stats.latticeOperands++;
  const [s0, s1, sRow, sCol] = v.strides.map((s) => 4 * s);
  return {
    ptr: p + 4 * (v.offset - lo), s0, s1, sRow, sCol, staged: copy.staged,
    rows: { first: v.first[0], step: v.step[0], count: v.counts[2] },
    cols: { first: v.first[1], step: v.step[1], count: v.counts[3] },
  };
}

/** True when the operand is the whole [d0, d1, h, w] array, contiguous and without zeros skipped. */
export function isPlain(op: Operand, d1: number, h: number, w: number): boolean {
  return op.rows.first === 0 && op.rows.step === 1 && op.rows.count === h && op.cols.first === 0 && op.cols.step === 1
    && op.cols.count === w && op.sCol === 4 && op.sRow === 4 * w && op.s1 === 4 * h * w && op.s0 === 4 * d1 * h * w;
}
