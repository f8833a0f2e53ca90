// Optimizer updates over float32 parameters and state, computed in float64 and rounded once per stored
// value, exactly as the reference loops in @convgrad/layers (optim/adam.ts, optim/sgd.ts) do: the same
// operations in the same order, so both agree bit for bit. Two lanes (f64x2) per step; odd tails scalar.

@inline function lo(p: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(p)); }
@inline function put(p: usize, v: v128): void { v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0); }

/**
 * Adam/AdamW: th = θ·shrink; g = sign·∇ + l2·th; m ← b1·m + (1 − b1)·g; v ← b2·v + (1 − b2)·g·g;
 * v̂ = max(vMax, v) (vMax ← v̂) when vMax ≠ 0, else v; θ ← th − stepSize·m / (√v̂ / c2 + eps).
 */
export function adam(theta: usize, grad: usize, m: usize, v: usize, vMax: usize, n: i32,
  b1: f64, b2: f64, stepSize: f64, c2: f64, eps: f64, l2: f64, shrink: f64, sign: f64): void {
  const B1 = f64x2.splat(b1), B1c = f64x2.splat(1 - b1), B2 = f64x2.splat(b2), B2c = f64x2.splat(1 - b2);
  const S = f64x2.splat(stepSize), C2 = f64x2.splat(c2), E = f64x2.splat(eps), L2 = f64x2.splat(l2), K = f64x2.splat(shrink), G = f64x2.splat(sign);
  const pairs = <usize>(n >> 1) << 3;
  for (let i: usize = 0; i < pairs; i += 8) {
    const th = f64x2.mul(lo(theta + i), K);
    const g = f64x2.add(f64x2.mul(G, lo(grad + i)), f64x2.mul(L2, th));
    put(m + i, f64x2.add(f64x2.mul(B1, lo(m + i)), f64x2.mul(B1c, g)));
    put(v + i, f64x2.add(f64x2.mul(B2, lo(v + i)), f64x2.mul(f64x2.mul(B2c, g), g)));
    let vHat = lo(v + i);
    if (vMax) {
      vHat = f64x2.max(lo(vMax + i), vHat);
      put(vMax + i, vHat);
    }
    put(theta + i, f64x2.sub(th, f64x2.div(f64x2.mul(S, lo(m + i)), f64x2.add(f64x2.div(f64x2.sqrt(vHat), C2), E))));
  }
  if (n & 1) {
    const i = pairs;
    const th = <f64>load<f32>(theta + i) * shrink;
    const g = sign * <f64>load<f32>(grad + i) + l2 * th;
    store<f32>(m + i, <f32>(b1 * <f64>load<f32>(m + i) + (1 - b1) * g));
    store<f32>(v + i, <f32>(b2 * <f64>load<f32>(v + i) + (1 - b2) * g * g));
    let vHat = <f64>load<f32>(v + i);
    if (vMax) {
      vHat = max<f64>(<f64>load<f32>(vMax + i), vHat);
      store<f32>(vMax + i, <f32>vHat);
    }
    store<f32>(theta + i, <f32>(th - stepSize * <f64>load<f32>(m + i) / (Math.sqrt(vHat) / c2 + eps)));
  }
}

/**
 * SGD: g = sign·∇ + wd·θ; without momentum (buf = 0) θ ← θ − lr·g; else b ← g (fresh) or μ·b + (1 − τ)·g,
 * θ ← θ − lr·(g + μ·b) (nesterov) or θ − lr·b.
 */
export function sgd(theta: usize, grad: usize, buf: usize, n: i32, lr: f64, mu: f64, tau: f64, wd: f64, sign: f64, fresh: bool, nesterov: bool): void {
  const LR = f64x2.splat(lr), MU = f64x2.splat(mu), T = f64x2.splat(1 - tau), WD = f64x2.splat(wd), G = f64x2.splat(sign);
  const pairs = <usize>(n >> 1) << 3;
  for (let i: usize = 0; i < pairs; i += 8) {
    const th = lo(theta + i);
    const g = f64x2.add(f64x2.mul(G, lo(grad + i)), f64x2.mul(WD, th));
    if (!buf) {
      put(theta + i, f64x2.sub(th, f64x2.mul(LR, g)));
      continue;
    }
    put(buf + i, fresh ? g : f64x2.add(f64x2.mul(MU, lo(buf + i)), f64x2.mul(T, g)));
    const b = lo(buf + i);
    put(theta + i, f64x2.sub(th, f64x2.mul(LR, nesterov ? f64x2.add(g, f64x2.mul(MU, b)) : b)));
  }
  if (n & 1) {
    const i = pairs;
    const th = <f64>load<f32>(theta + i);
    const g = sign * <f64>load<f32>(grad + i) + wd * th;
    if (!buf) {
      store<f32>(theta + i, <f32>(th - lr * g));
      return;
    }
    store<f32>(buf + i, <f32>(fresh ? g : mu * <f64>load<f32>(buf + i) + (1 - tau) * g));
    const b = <f64>load<f32>(buf + i);
    store<f32>(theta + i, <f32>(th - lr * (nesterov ? g + mu * b : b)));
  }
}
