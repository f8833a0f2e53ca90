// A 4×4 transpose of f32 lanes in registers, stored as 4 vectors `stride` bytes apart.

/** Stores column m of the 4×4 block with rows r0…r3 (lane m of each row) at o + m·stride, for m = 0…3. */
// @ts-ignore: decorator
@inline
export function storeTransposed4(r0: v128, r1: v128, r2: v128, r3: v128, o: usize, stride: usize): void {
  const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
  v128.store(o, v128.shuffle<i64>(t0, t2, 0, 2));
  v128.store(o + stride, v128.shuffle<i64>(t0, t2, 1, 3));
  v128.store(o + 2 * stride, v128.shuffle<i64>(t1, t3, 0, 2));
  v128.store(o + 3 * stride, v128.shuffle<i64>(t1, t3, 1, 3));
}
