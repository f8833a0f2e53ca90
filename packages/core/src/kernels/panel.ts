// The register-blocked inner product shared by the plain-TypeScript GEMM and conv2d kernels.
//
// Plain JS has no SIMD, so the ceiling is the scalar floating-point units (two multiplies or adds per
// cycle). Three things keep V8's loop close to it:
//  - a 2×4 block of C lives in eight local doubles for a whole depth pass (6 loads per 16 flops);
//  - every operand is in ONE module-level Float64Array (the arena): V8 then knows its type, base and
//    length as constants, so the loop has no map checks and bounds checks against a constant;
//  - index arithmetic is written `(i + 1) | 0`, which V8 compiles to plain int32 adds with no
//    overflow checks.
// Callers pack a block of A (rows × depth) and one 4-column tile of B into the arena as float64,
// whatever their dtype, and read C back from it.

/** Rows of A packed at once (a block of output channels / GEMM rows). */
export const MC = 128;
/** Depth of one packed block. */
export const KC = 512;
/** Columns of C per block (output positions / GEMM columns); multiple of 4. */
export const NB = 256;

/** A block: panels of two rows, depth-major inside (row pair r at A_OFF + r·kc); an odd last row alone. */
export const A_OFF = 0;
/** One B tile: kc rows of 4 values. */
export const B_OFF = MC * KC;
/** C block: MC rows × NB columns, row stride NB. */
export const C_OFF = B_OFF + 4 * KC;

export const ARENA = new Float64Array(C_OFF + MC * NB);

/**
 * C[r][col..col+3] += A-block · B-tile for rows [0, rows): pairs of rows keep a 2×4 block of sums in
 * eight locals for the whole depth (6 loads per 16 flops), an odd last row a 1×4 block.
 *
 * Both loops are written out in this one function on purpose: it is then too large for V8 to inline
 * into its callers, so it is compiled on its own with the few live values the loops need. Inlined
 * into a big driver loop, similar code ran up to 2× slower in isolated tests (register pressure).
 */
export function tileTimesBlock(kc: number, rows: number, col: number): void {
  const s = ARENA;
  const bEnd = (B_OFF + 4 * kc) | 0;
  let r = 0, ai = A_OFF, ci = C_OFF + col;
  for (; r + 1 < rows; r += 2, ci += 2 * NB) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    for (let bi = B_OFF; bi < bEnd; ai = (ai + 2) | 0, bi = (bi + 4) | 0) {
      const a0 = s[ai], a1 = s[(ai + 1) | 0];
      const b0 = s[bi], b1 = s[(bi + 1) | 0], b2 = s[(bi + 2) | 0], b3 = s[(bi + 3) | 0];
      c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
      c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    }
    s[ci] += c00; s[ci + 1] += c01; s[ci + 2] += c02; s[ci + 3] += c03;
    const cj = ci + NB;
    s[cj] += c10; s[cj + 1] += c11; s[cj + 2] += c12; s[cj + 3] += c13;
  }
  if (r < rows) {
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (let bi = B_OFF; bi < bEnd; ai = (ai + 1) | 0, bi = (bi + 4) | 0) {
      const a = s[ai];
      c0 += a * s[bi]; c1 += a * s[(bi + 1) | 0]; c2 += a * s[(bi + 2) | 0]; c3 += a * s[(bi + 3) | 0];
    }
    s[ci] += c0; s[ci + 1] += c1; s[ci + 2] += c2; s[ci + 3] += c3;
  }
}

/**
 * Packs rows [0, rows) × depth [0, kc) of a row-major matrix (element (i, p) at src[off + i·ld + p])
 * into the A block: two-row panels (depth-major, row pairs interleaved), an odd last row as a
 * one-row panel.
 */
export function packA(src: ArrayLike<number>, off: number, ld: number, rows: number, kc: number): void {
  const s = ARENA;
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const s0 = off + i * ld, s1 = s0 + ld;
    for (let p = 0, d = A_OFF + i * kc; p < kc; p++, d += 2) {
      s[d] = src[s0 + p];
      s[d + 1] = src[s1 + p];
    }
  }
  if (i < rows) {
    const s0 = off + i * ld;
    for (let p = 0, d = A_OFF + i * kc; p < kc; p++) s[d + p] = src[s0 + p];
  }
}

/**
 * As packA, with the depth gathered: element (i, p) at src[off + i·ld + cols[c0 + p]] (the weights of
 * the taps a conv keeps).
 */
export function packAGather(src: ArrayLike<number>, off: number, ld: number, cols: Int32Array, c0: number, rows: number, kc: number): void {
  const s = ARENA;
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const s0 = off + i * ld, s1 = s0 + ld;
    for (let p = 0, d = A_OFF + i * kc; p < kc; p++, d += 2) {
      const t = cols[c0 + p];
      s[d] = src[s0 + t];
      s[d + 1] = src[s1 + t];
    }
  }
  if (i < rows) {
    const s0 = off + i * ld;
    for (let p = 0, d = A_OFF + i * kc; p < kc; p++) s[d + p] = src[s0 + cols[c0 + p]];
  }
}

/** Zeroes C rows [0, rows) (columns [0, NB)). */
export function clearC(rows: number): void {
  ARENA.fill(0, C_OFF, C_OFF + rows * NB);
}
