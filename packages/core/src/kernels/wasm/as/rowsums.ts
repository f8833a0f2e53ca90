// Row sums for reductions (the bias gradient Σδ of eq. 13, means, losses): dst[r] = Σ src[r·len … (r+1)·len),
// float32 read, accumulated in float64 like the js reference (../../reduce.ts), two lanes per f64x2.

export function rowSums(src: usize, rows: i32, len: i32, dst: usize): void {
  const rowBytes = <usize>len << 2;
  for (let r = 0; r < rows; r++) {
    let p = src + <usize>r * rowBytes;
    const end = p + rowBytes;
    // four independent accumulators: one would wait on the latency of every add
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (; p + 32 <= end; p += 32) {
      const v = v128.load(p), w = v128.load(p, 16);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(w));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 0, 1)));
    }
    const a = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
    for (; p < end; p += 4) s += <f64>load<f32>(p);
    store<f64>(dst + (<usize>r << 3), s);
  }
}
