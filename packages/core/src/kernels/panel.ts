// The register-blocked inner product shared by the plain-TypeScript GEMM and conv2d kernels.
//
// Plain JS has no SIMD, so the ceiling is the scalar floating-point units (two multiplies or adds per
// cycle). What keeps V8's loop near it:
//  - a 3×4 block of C lives in twelve local doubles for a whole depth pass (7 loads per 24 flops;
//    V8 11 re-checks the array and bounds on every load, so loads are what the loop pays for);
//  - every operand is in ONE module-level Float64Array (the arena), read with constant offsets;
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

/**
 * A block: panels of three rows, then pairs, then at most one single row (tripleCount), each
 * depth-major with its rows interleaved; the panel starting at row r sits at A_OFF + r·kc.
 */
export const A_OFF = 0;
/** One B tile: kc rows of 4 values. */
export const B_OFF = MC * KC;
/** C block: MC rows × NB columns, row stride NB. */
export const C_OFF = B_OFF + 4 * KC;

export const ARENA = new Float64Array(C_OFF + MC * NB);

/**
 * C[r][col..col+3] += A-block · B-tile for rows [0, rows): three-row panels keep a 3×4 block of sums
 * in twelve locals for the whole depth (7 loads per 24 flops), pairs a 2×4 block, a single row a 1×4
 * block. (3×4 measured 5–10% faster than 2×4 in case c; 4×4 spilled and was no faster.)
 *
 * The loops are written out in this one function on purpose: it is then too large for V8 to inline
 * into its callers, so it is compiled on its own with the few live values the loops need. Inlined
 * into a big driver loop, similar code ran up to 2× slower in isolated tests (register pressure).
 */
export function tileTimesBlock(kc: number, rows: number, col: number): void {
  const s = ARENA;
  const bEnd = (B_OFF + 4 * kc) | 0;
  const r3 = 3 * tripleCount(rows);
  let r = 0, ai = A_OFF, ci = C_OFF + col;
  for (; r < r3; r += 3, ci += 3 * NB) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0;
    for (let bi = B_OFF; bi < bEnd; ai = (ai + 3) | 0, bi = (bi + 4) | 0) {
      const a0 = s[ai], a1 = s[(ai + 1) | 0], a2 = s[(ai + 2) | 0];
      const b0 = s[bi], b1 = s[(bi + 1) | 0], b2 = s[(bi + 2) | 0], b3 = s[(bi + 3) | 0];
      c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
      c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    }
    s[ci] += c00; s[ci + 1] += c01; s[ci + 2] += c02; s[ci + 3] += c03;
    let cj = ci + NB;
    s[cj] += c10; s[cj + 1] += c11; s[cj + 2] += c12; s[cj + 3] += c13;
    cj += NB;
    s[cj] += c20; s[cj + 1] += c21; s[cj + 2] += c22; s[cj + 3] += c23;
  }
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
 * into the A block: three-row panels, then two-row panels, then at most one single row (tripleCount),
 * each depth-major with its rows interleaved.
 */
export function packA(src: ArrayLike<number>, off: number, ld: number, rows: number, kc: number): void {
  const s = ARENA;
  const i3 = 3 * tripleCount(rows);
  let i = 0;
  for (; i < i3; i += 3) {
    const s0 = off + i * ld, s1 = s0 + ld, s2 = s1 + ld;
    // Stryker disable next-line EqualityOperator: p <= kc packs one more depth slot, which is the next panel's first (packed after it) or past the block, where only the B tile lies (packed after A, before use)
    for (let p = 0, d = A_OFF + i * kc; p < kc; p++, d += 3) {
      s[d] = src[s0 + p];
      s[d + 1] = src[s1 + p];
      s[d + 2] = src[s2 + p];
    }
  }
  for (; i + 1 < rows; i += 2) {
    const s0 = off + i * ld, s1 = s0 + ld;
    // Stryker disable next-line EqualityOperator: p <= kc packs one more depth slot, which is the next panel's first (packed after it) or past the block, where only the B tile lies (packed after A, before use)
    for (let p = 0, d = A_OFF + i * kc; p < kc; p++, d += 2) {
      s[d] = src[s0 + p];
      s[d + 1] = src[s1 + p];
    }
  }
  if (i < rows) {
    const s0 = off + i * ld;
    // Stryker disable next-line EqualityOperator: p <= kc packs one more depth slot, which is the next panel's first (packed after it) or past the block, where only the B tile lies (packed after A, before use)
    for (let p = 0, d = A_OFF + i * kc; p < kc; p++) s[d + p] = src[s0 + p];
  }
}

/**
 * As packA, with the depth gathered: element (i, p) at src[off + i·ld + cols[c0 + p]] (the weights of
 * the taps a conv keeps).
 */
export function packAGather(src: ArrayLike<number>, off: number, ld: number, cols: Int32Array, c0: number, rows: number, kc: number): void {
  const s = ARENA;
  const i3 = 3 * tripleCount(rows);
  let i = 0;
  for (; i < i3; i += 3) {
    const s0 = off + i * ld, s1 = s0 + ld, s2 = s1 + ld;
    // Stryker disable next-line EqualityOperator: p <= kc packs one more depth slot, which is the next panel's first (packed after it) or past the block, where only the B tile lies (packed after A, before use)
    for (let p = 0, d = A_OFF + i * kc; p < kc; p++, d += 3) {
      const t = cols[c0 + p];
      s[d] = src[s0 + t];
      s[d + 1] = src[s1 + t];
      s[d + 2] = src[s2 + t];
    }
  }
  for (; i + 1 < rows; i += 2) {
    const s0 = off + i * ld, s1 = s0 + ld;
    // Stryker disable next-line EqualityOperator: p <= kc packs one more depth slot, which is the next panel's first (packed after it) or past the block, where only the B tile lies (packed after A, before use)
    for (let p = 0, d = A_OFF + i * kc; p < kc; p++, d += 2) {
      const t = cols[c0 + p];
      s[d] = src[s0 + t];
      s[d + 1] = src[s1 + t];
    }
  }
  if (i < rows) {
    const s0 = off + i * ld;
    // Stryker disable next-line EqualityOperator: p <= kc packs one more depth slot, which is the next panel's first (packed after it) or past the block, where only the B tile lies (packed after A, before use)
    for (let p = 0, d = A_OFF + i * kc; p < kc; p++) s[d + p] = src[s0 + cols[c0 + p]];
  }
}

/**
 * How many three-row panels a block of `rows` rows starts with; the rest are pairs and at most one
 * single row (a remainder of 1 after the triples becomes two pairs: 16 rows = 4 triples + 2 pairs).
 */
export function tripleCount(rows: number): number {
  const t = Math.floor(rows / 3);
  return rows % 3 === 1 && t > 0 ? t - 1 : t;
}

/** Zeroes C rows [0, rows) (columns [0, NB)). */
export function clearC(rows: number): void {
  ARENA.fill(0, C_OFF, C_OFF + rows * NB);
}
