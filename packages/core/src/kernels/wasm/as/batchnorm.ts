// Batch-norm loops over a contiguous float32 [N, C, S] buffer, the twins of ../../batchnorm.ts: the same
// float64 operations in the same order per channel (and per element), so the results agree bit for bit.
// Two channels per f64x2 for the per-channel sums (each lane keeps its channel's order); the elementwise
// passes two values of one channel per f64x2 (S ≥ 2), or two channels of one sample (S = 1, BatchNorm1d).
// Per-channel vectors (mean, scale, …) are float64 arrays in wasm memory.

// S = 1 (set per call): channels ch and ch + 1 are adjacent
let s1 = false;

@inline function ld(p: usize): f64 { return <f64>load<f32>(p); }
/** Values of channels ch and ch + 1 at the same sample and position (S floats apart) as float64. */
@inline function pair(p: usize, sBytes: usize): v128 {
  return s1 ? f64x2.promote_low_f32x4(v128.load64_zero(p)) : f64x2.replace_lane(f64x2.splat(ld(p)), 1, ld(p + sBytes));
}

/** sums (f64 [3·C]: K, Σd, Σd² per channel, d = x − K, K = the channel's first value), as channelStats. */
export function bnStats(x: usize, n: i32, c: i32, s: i32, sums: usize): void {
  s1 = s == 1;
  const sBytes = <usize>s << 2, rowBytes = <usize>(c * s) << 2;
  let ch = 0;
  for (; ch + 1 < c; ch += 2) {
    const base = x + <usize>ch * sBytes;
    const k = pair(base, sBytes);
    let a1 = f64x2.splat(0), a2 = a1;
    for (let i = 0; i < n; i++) {
      for (let p = base + <usize>i * rowBytes, e = p + sBytes; p < e; p += 4) {
        const d = f64x2.sub(pair(p, sBytes), k);
        a1 = f64x2.add(a1, d);
        a2 = f64x2.add(a2, f64x2.mul(d, d));
      }
    }
    const o = sums + (<usize>ch * 24);
    store<f64>(o, f64x2.extract_lane(k, 0));
    store<f64>(o, f64x2.extract_lane(a1, 0), 8);
    store<f64>(o, f64x2.extract_lane(a2, 0), 16);
    store<f64>(o, f64x2.extract_lane(k, 1), 24);
    store<f64>(o, f64x2.extract_lane(a1, 1), 32);
    store<f64>(o, f64x2.extract_lane(a2, 1), 40);
  }
  if (ch < c) {
    const base = x + <usize>ch * sBytes;
    const k = ld(base);
    let a1: f64 = 0, a2: f64 = 0;
    for (let i = 0; i < n; i++) {
      for (let p = base + <usize>i * rowBytes, e = p + sBytes; p < e; p += 4) {
        const d = ld(p) - k;
        a1 += d;
        a2 += d * d;
      }
    }
    const o = sums + (<usize>ch * 24);
    store<f64>(o, k);
    store<f64>(o, a1, 8);
    store<f64>(o, a2, 16);
  }
}

/** sums (f64 [2·C]: Σg, Σg·(x − μ) per channel), as gradSums before its ·invstd. */
export function bnGradSums(g: usize, x: usize, n: i32, c: i32, s: i32, mean: usize, sums: usize): void {
  s1 = s == 1;
  const sBytes = <usize>s << 2, rowBytes = <usize>(c * s) << 2;
  let ch = 0;
  for (; ch + 1 < c; ch += 2) {
    const off = <usize>ch * sBytes;
    const mu = v128.load(mean + (<usize>ch << 3));
    let sg = f64x2.splat(0), sgx = sg;
    for (let i = 0; i < n; i++) {
      const r = off + <usize>i * rowBytes;
      for (let p = r, e = r + sBytes; p < e; p += 4) {
        const gv = pair(g + p, sBytes);
        sg = f64x2.add(sg, gv);
        sgx = f64x2.add(sgx, f64x2.mul(gv, f64x2.sub(pair(x + p, sBytes), mu)));
      }
    }
    v128.store(sums + (<usize>ch << 4), v128.shuffle<f64>(sg, sgx, 0, 2));
    v128.store(sums + (<usize>ch << 4), v128.shuffle<f64>(sg, sgx, 1, 3), 16);
  }
  if (ch < c) {
    const off = <usize>ch * sBytes;
    const mu = load<f64>(mean + (<usize>ch << 3));
    let sg: f64 = 0, sgx: f64 = 0;
    for (let i = 0; i < n; i++) {
      const r = off + <usize>i * rowBytes;
      for (let p = r, e = r + sBytes; p < e; p += 4) {
        const gv = ld(g + p);
        sg += gv;
        sgx += gv * (ld(x + p) - mu);
      }
    }
    store<f64>(sums + (<usize>ch << 4), sg);
    store<f64>(sums + (<usize>ch << 4), sgx, 8);
  }
}

/** Two float64 pairs (a: elements 0–1, b: 2–3) rounded to float32 and stored as four. */
@inline function put4(p: usize, a: v128, b: v128): void {
  v128.store(p, v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5));
}
@inline function lo2(p: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(p)); }

/**
 * out = k·(g − mg − (x − μ)·b) per channel (k, mg, b, μ: f64 [C]) when g ≠ 0, as batchNormInputGrad's
 * last loop; with g = 0: out = (x − μ)·k + mg, channelAffine's loop (mg = the shift). One pass, either form.
 */
export function bnMap(g: usize, x: usize, n: i32, c: i32, s: i32, mean: usize, k: usize, mg: usize, b: usize, out: usize): void {
  const affine = g == 0;
  if (s == 1) {
    // BatchNorm1d: the channels of a sample are adjacent; two per f64x2, four per store
    const rowBytes = <usize>c << 2;
    for (let i = 0; i < n; i++) {
      const r = <usize>i * rowBytes;
      let ch = 0;
      for (; ch + 3 < c; ch += 4) {
        const q = r + (<usize>ch << 2), f = <usize>ch << 3;
        const x0 = lo2(x + q), x1 = lo2(x + q + 8);
        const mu0 = v128.load(mean + f), mu1 = v128.load(mean + f + 16);
        const k0 = v128.load(k + f), k1 = v128.load(k + f + 16), m0 = v128.load(mg + f), m1 = v128.load(mg + f + 16);
        if (affine) {
          put4(out + q, f64x2.add(f64x2.mul(f64x2.sub(x0, mu0), k0), m0), f64x2.add(f64x2.mul(f64x2.sub(x1, mu1), k1), m1));
        } else {
          const b0 = v128.load(b + f), b1 = v128.load(b + f + 16);
          const g0 = lo2(g + q), g1 = lo2(g + q + 8);
          put4(out + q,
            f64x2.mul(k0, f64x2.sub(f64x2.sub(g0, m0), f64x2.mul(f64x2.sub(x0, mu0), b0))),
            f64x2.mul(k1, f64x2.sub(f64x2.sub(g1, m1), f64x2.mul(f64x2.sub(x1, mu1), b1))));
        }
      }
      for (; ch < c; ch++) {
        const q = r + (<usize>ch << 2), f = <usize>ch << 3;
        mapOne(g, x, q, load<f64>(mean + f), load<f64>(k + f), load<f64>(mg + f), affine ? 0 : load<f64>(b + f), out, affine);
      }
    }
    return;
  }
  const sBytes = <usize>s << 2;
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const f = <usize>ch << 3;
      const mu = load<f64>(mean + f), kk = load<f64>(k + f), mm = load<f64>(mg + f), bb = affine ? 0 : load<f64>(b + f);
      const MU = f64x2.splat(mu), K = f64x2.splat(kk), M = f64x2.splat(mm), B = f64x2.splat(bb);
      let q = <usize>(i * c + ch) * sBytes;
      const e = q + sBytes;
      for (; q + 16 <= e; q += 16) {
        const x0 = lo2(x + q), x1 = lo2(x + q + 8);
        if (affine) {
          put4(out + q, f64x2.add(f64x2.mul(f64x2.sub(x0, MU), K), M), f64x2.add(f64x2.mul(f64x2.sub(x1, MU), K), M));
        } else {
          const g0 = lo2(g + q), g1 = lo2(g + q + 8);
          put4(out + q,
            f64x2.mul(K, f64x2.sub(f64x2.sub(g0, M), f64x2.mul(f64x2.sub(x0, MU), B))),
            f64x2.mul(K, f64x2.sub(f64x2.sub(g1, M), f64x2.mul(f64x2.sub(x1, MU), B))));
        }
      }
      for (; q < e; q += 4) mapOne(g, x, q, mu, kk, mm, bb, out, affine);
    }
  }
}

@inline function mapOne(g: usize, x: usize, q: usize, mu: f64, k: f64, m: f64, b: f64, out: usize, affine: bool): void {
  const xv = ld(x + q);
  store<f32>(out + q, <f32>(affine ? (xv - mu) * k + m : k * (ld(g + q) - m - (xv - mu) * b)));
}
