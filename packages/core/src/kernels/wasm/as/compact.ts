// Branch-free stream compaction of f32x4 lanes (the sparse paths' lists of δ's non-zeros): the lanes of a
// vector whose mask bit is set, moved to the front in lane order by one byte swizzle from a 16-entry table.

// COMPACT[m]: the swizzle that gathers the lanes set in the 4-bit mask m to the front (0xff: a zero lane)
const COMPACT = memory.data<u8>([
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  4, 5, 6, 7, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 4, 5, 6, 7, 255, 255, 255, 255, 255, 255, 255, 255,
  8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255,
  4, 5, 6, 7, 8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255, 255, 255, 255,
  12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255,
  4, 5, 6, 7, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 255, 255, 255, 255,
  8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255,
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
]);

/** The lanes of v where mask (4 bits, lane 0 lowest) is set, first; the rest zero. */
// @ts-ignore: decorator
@inline
export function compact4(v: v128, mask: i32): v128 {
  return i8x16.swizzle(v, v128.load(COMPACT + (<usize>mask << 4)));
}

/** Bit i set when lane i of v is non-zero (NaN counts, −0 does not): as the scalar test v != 0. */
// @ts-ignore: decorator
@inline
export function nonzeroMask(v: v128): i32 {
  return i32x4.bitmask(f32x4.ne(v, f32x4.splat(0)));
}
