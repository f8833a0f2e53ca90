// The 4-phase split of one contiguous row for the Winograd kernels (prep.ts with P = 4): phase row r
// holds seg_r[q] = src[4q + c0 + r] where 0 ≤ 4q + c0 + r < w, else 0. Inside the row, 4 columns q
// per step: 16 floats loaded and transposed.

@inline function phaseScalar4(dst: usize, wq: i32, src: usize, c0: i32, w: i32, q0: i32, q1: i32): void {
  for (let r = 0; r < 4; r++) {
    const seg = dst + (<usize>(r * wq) << 2);
    for (let q = q0; q < q1; q++) {
      const t = 4 * q + c0 + r;
      store<f32>(seg + (<usize>q << 2), t >= 0 && t < w ? load<f32>(src + (<usize>t << 2)) : 0);
    }
  }
}

export function deinterleave4(dst: usize, src: usize, c0: i32, w: i32, wq: i32): void {
  // columns q whose 4 phases all read inside the row: 4q + c0 ≥ 0 and 4q + c0 + 3 < w
  let lo = c0 >= 0 ? 0 : (3 - c0) / 4;
  let hi = w - 4 - c0 < 0 ? 0 : (w - 4 - c0) / 4 + 1;
  if (lo > wq) lo = wq;
  if (hi > wq) hi = wq;
  if (hi < lo) hi = lo;
  if (hi - lo < 4) {
    phaseScalar4(dst, wq, src, c0, w, 0, wq);
    return;
  }
  phaseScalar4(dst, wq, src, c0, w, 0, lo);
  const ws = <usize>wq << 2;
  // the last step is moved back to end at hi (rewriting a few columns with the same values)
  for (let q = lo; ; q += 4) {
    if (q > hi - 4) q = hi - 4;
    const p = src + (<usize>(4 * q + c0) << 2), o = dst + (<usize>q << 2);
    const a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 32), e = v128.load(p, 48);
    const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(c, e, 0, 4, 1, 5), t3 = v128.shuffle<f32>(c, e, 2, 6, 3, 7);
    v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
    v128.store(o + ws, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
    v128.store(o + 2 * ws, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
    v128.store(o + 3 * ws, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    if (q == hi - 4) break;
  }
  phaseScalar4(dst, wq, src, c0, w, hi, wq);
}
