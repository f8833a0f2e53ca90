// The chapter's hand-worked cases (17.3): every expected number is computed here from the chapter's
// formulas on plain JS arrays — never through the library's ops — and compared with autograd.
import { describe, it, expect } from 'vitest';
import { conv2d, dilate2d, mseLoss, pad2d, randn, rot180, tensor, type Tensor } from '../src/index.ts';
import { gradcheck } from '../src/testing/index.ts';
import { expectClose, expectGradOk } from './helpers.ts';

// ---- plain 2-D matrix arithmetic, independent of the library ----
type M = number[][];
const zerosM = (h: number, w: number): M => Array.from({ length: h }, () => new Array<number>(w).fill(0));
/** Valid cross-correlation (the chapter's "*"): out[i][j] = Σ a[i+p][j+q]·k[p][q]. */
function correlate(a: M, k: M): M {
  const out = zerosM(a.length - k.length + 1, a[0].length - k[0].length + 1);
  for (let i = 0; i < out.length; i++)
    for (let j = 0; j < out[0].length; j++)
      for (let p = 0; p < k.length; p++)
        for (let q = 0; q < k[0].length; q++) out[i][j] += a[i + p][j + q] * k[p][q];
  return out;
}
const rotM = (k: M): M => [...k].reverse().map((r) => [...r].reverse());
function padM(a: M, t: number, b = t, l = t, r = t): M {
  const out = zerosM(a.length + t + b, a[0].length + l + r);
  a.forEach((row, i) => row.forEach((v, j) => (out[i + t][j + l] = v)));
  return out;
}
/** 17.3.2: δ_ij goes to row i·S, column j·S of a zero matrix of (M−1)·S+1 × (N−1)·S+1. */
function dilateM(a: M, s: number): M {
  const out = zerosM((a.length - 1) * s + 1, (a[0].length - 1) * s + 1);
  a.forEach((row, i) => row.forEach((v, j) => (out[i * s][j * s] = v)));
  return out;
}
const addM = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v + b[i][j]));
/** Plane [n, c] of a 4-D tensor as a matrix. */
function plane(t: Tensor, n = 0, c = 0): M {
  const [, C, H, W] = t.shape;
  return Array.from({ length: H }, (_, i) => Array.from({ length: W }, (_, j) => t.data[((n * C + c) * H + i) * W + j]));
}
/** A 4-D float64 tensor from [N][C] planes. */
function t4(planes: M[][], requiresGrad = false): Tensor {
  const shape = [planes.length, planes[0].length, planes[0][0].length, planes[0][0][0].length];
  return tensor(planes.flat(3), shape, { dtype: 'float64', requiresGrad });
}
const f64 = (v: number[], shape: number[], requiresGrad = false) => tensor(v, shape, { dtype: 'float64', requiresGrad });
const seeded = (shape: number[], seed: number, requiresGrad = false) => randn(shape, { seed, dtype: 'float64', requiresGrad });
const expectM = (actual: M, expected: M, what: string) => expectClose(actual.flat(), expected.flat(), 1e-12, what);

// The running example of 17.3.1: a 3×3 input A, a 2×2 kernel W, a bias b, an incoming δ.
// Dyadic values, so every sum below is exact in float64 whatever order a kernel adds in (toBe is safe).
const [a11, a12, a13, a21, a22, a23, a31, a32, a33] = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const [w11, w12, w21, w22] = [0.5, -1, 2, 0.25];
const bias = 0.125;
const [d11, d12, d21, d22] = [1, -2, 0.5, 3];
const A: M = [[a11, a12, a13], [a21, a22, a23], [a31, a32, a33]];
const Wm: M = [[w11, w12], [w21, w22]];
const D: M = [[d11, d12], [d21, d22]];

describe('17.3.1 one input channel, one kernel', () => {
  it('forward z11…z22 (eq. 1–4)', () => {
    const z = conv2d(t4([[A]]), t4([[Wm]]), f64([bias], [1]));
    expect(z.shape).toEqual([1, 1, 2, 2]);
    const z11 = w11 * a11 + w12 * a12 + w21 * a21 + w22 * a22 + bias; // eq. 1
    const z12 = w11 * a12 + w12 * a13 + w21 * a22 + w22 * a23 + bias; // eq. 2
    const z21 = w11 * a21 + w12 * a22 + w21 * a31 + w22 * a32 + bias; // eq. 3
    const z22 = w11 * a22 + w12 * a23 + w21 * a32 + w22 * a33 + bias; // eq. 4
    expect(Array.from(z.data)).toEqual([z11, z12, z21, z22]);
  });

  it('∂J/∂a11, ∂J/∂a12, ∂J/∂a22 (eq. 5–7): a tensor used by several outputs gets every contribution', () => {
    const x = t4([[A]], true);
    conv2d(x, t4([[Wm]]), f64([bias], [1])).backward(t4([[D]]));
    const dA = plane(x.grad!);
    expect(dA[0][0]).toBe(d11 * w11); // eq. 5
    expect(dA[0][1]).toBe(d11 * w12 + d12 * w11); // eq. 6
    expect(dA[1][1]).toBe(d11 * w22 + d12 * w21 + d21 * w12 + d22 * w11); // eq. 7
    // "同理可得所有a的梯度": eq. 8, δ padded by K−1 = 1 and correlated with the rotated kernel.
    expectM(dA, correlate(padM(D, 1), rotM(Wm)), 'dA (eq. 8)');
  });

  it('the shape chain 10×8 * 5×5 → 6×4 → pad 4 → 14×12 → * rot180(W) → 10×8 equals autograd dX', () => {
    const x = seeded([1, 1, 10, 8], 1, true);
    const w = seeded([1, 1, 5, 5], 2);
    const z = conv2d(x, w);
    expect(z.shape).toEqual([1, 1, 6, 4]);
    const delta = seeded([1, 1, 6, 4], 3);
    z.backward(delta);

    const padded = pad2d(delta, 4);
    expect(padded.shape).toEqual([1, 1, 14, 12]);
    const viaOps = conv2d(padded, rot180(w));
    expect(viaOps.shape).toEqual([1, 1, 10, 8]);

    const byHand = correlate(padM(plane(delta), 4), rotM(plane(w)));
    expect([byHand.length, byHand[0].length]).toEqual([10, 8]);
    expectM(plane(x.grad!), byHand, 'autograd dX vs eq. 8 by hand');
    expectM(plane(viaOps), byHand, 'pad2d + rot180 + conv2d vs eq. 8 by hand');
  });
});

describe('17.3.2 stride > 1', () => {
  const delta: M = [[11, 12, 13], [21, 22, 23]]; // δ_ij written as ij

  it('stride 2: a 2×3 δ becomes the 3×5 matrix printed in the chapter', () => {
    expect(dilate2d(t4([[delta]]), 2).toArray()).toEqual([[[
      [11, 0, 12, 0, 13],
      [0, 0, 0, 0, 0],
      [21, 0, 22, 0, 23],
    ]]]);
  });

  it('stride 3: a 2×3 δ becomes the 4×7 matrix printed in the chapter', () => {
    expect(dilate2d(t4([[delta]]), 3).toArray()).toEqual([[[
      [11, 0, 0, 12, 0, 0, 13],
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
      [21, 0, 0, 22, 0, 0, 23],
    ]]]);
  });

  it('the stride-2 result is the stride-1 result at every second position (fig. 17-23), and so are the gradients', () => {
    const x = seeded([1, 1, 5, 5], 4, true), w = seeded([1, 1, 3, 3], 5);
    const z1 = plane(conv2d(x.detach(), w));
    const z2 = conv2d(x, w, null, { stride: 2 });
    expectM(plane(z2), [[z1[0][0], z1[0][2]], [z1[2][0], z1[2][2]]], 'stride-2 output');
    // Back-propagating δ through stride 2 = back-propagating the δ "with a cross filled in" through stride 1.
    const d = seeded([1, 1, 2, 2], 6);
    z2.backward(d);
    expectM(plane(x.grad!), correlate(padM(dilateM(plane(d), 2), 2), rotM(plane(w))), 'dX stride 2');
  });

  it('when H + 2P − K is not a multiple of S the chapter\'s sizes are wrong; dX keeps the input shape and matches finite differences', () => {
    // H = W = 7, K = 3, S = 3: the output is 2×2 (M = 2); the stride-1 output is 5×5, but
    // (M·S) = 6 and (M−1)·S+1 = 4. Input row/column 6 is never read by a window.
    const x = seeded([1, 1, 7, 7], 7, true), w = seeded([1, 1, 3, 3], 8);
    const z = conv2d(x, w, null, { stride: 3 });
    expect(z.shape).toEqual([1, 1, 2, 2]);
    const d = seeded([1, 1, 2, 2], 9);
    z.backward(d);
    expect(x.grad!.shape).toEqual([1, 1, 7, 7]);

    const chapterSize = correlate(padM(dilateM(plane(d), 3), 2), rotM(plane(w))); // (M−1)·S+1 = 4, pad K−1
    expect([chapterSize.length, chapterSize[0].length]).toEqual([6, 6]); // not the input's 7×7
    // The dilated δ must have the stride-1 output size 5×5: one extra zero row/column at the bottom/right.
    const right = correlate(padM(padM(dilateM(plane(d), 3), 0, 1, 0, 1), 2), rotM(plane(w)));
    expectM(plane(x.grad!), right, 'dX with remainder');
    const g = plane(x.grad!);
    expect(g[6].every((v) => v === 0) && g.every((row) => row[6] === 0)).toBe(true);

    const b = seeded([1], 10, true);
    expectGradOk(gradcheck((xi, wi, bi) => conv2d(xi, wi, bi, { stride: 3 }), [x.detach().requiresGrad_(), w.clone().requiresGrad_(), b]));
  });

  it('remainders with non-square kernel, stride and padding, several channels: finite differences', () => {
    // H: 7 + 0 − 3 = 4, not a multiple of 3; W: 7 + 2 − 2 = 7, not a multiple of 2.
    const x = seeded([2, 2, 7, 7], 11, true), w = seeded([3, 2, 3, 2], 12, true), b = seeded([3], 13, true);
    const opts = { stride: [3, 2], padding: [0, 1] };
    const z = conv2d(x, w, b, opts);
    expect(z.shape).toEqual([2, 3, 2, 4]);
    z.backward(seeded([2, 3, 2, 4], 14));
    expect(x.grad!.shape).toEqual(x.shape);
    expectGradOk(gradcheck((xi, wi, bi) => conv2d(xi, wi, bi, opts), [x.detach().requiresGrad_(), w.detach().requiresGrad_(), b.detach().requiresGrad_()]));
  });
});

describe('eq. 8 with forward padding: the crop folded into the padding', () => {
  /** The chapter's form, written out: δ' (dilated, remainder rows/cols of zeros), padded by K−1, ⋆ rot180(W), then the P border cropped. */
  function chapterDx(d: M, w: M, s: number, p: number, h: number, wd: number): M {
    const k = w.length;
    const hd = h + 2 * p - k + 1, wdd = wd + 2 * p - k + 1; // the stride-1 output size
    const dil = dilateM(d, s);
    const dPrime = padM(dil, 0, hd - dil.length, 0, wdd - dil[0].length);
    const full = correlate(padM(dPrime, k - 1), rotM(w)); // (H+2P) × (W+2P): the padded input's gradient
    expect([full.length, full[0].length]).toEqual([h + 2 * p, wd + 2 * p]);
    return full.slice(p, p + h).map((row) => row.slice(p, p + wd));
  }

  // P < K−1, P = K−1 and P > K−1 (the one case where autograd still crops), strides 1–3 with remainders
  for (const [h, wd, k, s, p] of [[7, 6, 3, 1, 1], [9, 8, 5, 2, 2], [8, 7, 3, 2, 2], [6, 7, 2, 3, 3], [10, 9, 5, 3, 4]]) {
    it(`H×W ${h}×${wd}, K ${k}, S ${s}, P ${p}: autograd dX = crop_P(pad(δ', K−1) ⋆ rot180(W))`, () => {
      const x = seeded([1, 1, h, wd], 40 + h, true), w = seeded([1, 1, k, k], 50 + k);
      const z = conv2d(x, w, null, { stride: s, padding: p });
      const d = seeded([...z.shape], 60 + s);
      z.backward(d);
      expectM(plane(x.grad!), chapterDx(plane(d), plane(w), s, p, h, wd), 'dX');
    });
  }
});

describe('17.3.3 several output channels (eq. 9)', () => {
  // W [2, 1, 2, 2]: w_mij is kernel m's entry (i, j); δ [1, 2, 2, 2]: δ_zmij.
  const W1: M = [[1, -2], [0.5, 3]], W2: M = [[-1, 0.25], [2, -0.5]];
  const D1: M = [[0.5, 1], [-1, 2]], D2: M = [[3, -0.5], [1, 0.25]];

  it('∂J/∂a22 sums over both output channels, and dX = Σ_m δ_m * rot180(W_m)', () => {
    const x = t4([[A]], true);
    const z = conv2d(x, t4([[W1], [W2]]));
    expect(z.shape).toEqual([1, 2, 2, 2]);
    // Forward: z1ij from W1, z2ij from W2 (z111 = w111·a11 + w112·a12 + w121·a21 + w122·a22, …).
    expectM(plane(z, 0, 0), correlate(A, W1), 'z1');
    expectM(plane(z, 0, 1), correlate(A, W2), 'z2');
    z.backward(t4([[D1, D2]]));
    const dA = plane(x.grad!);
    const [[w111, w112], [w121, w122]] = W1, [[w211, w212], [w221, w222]] = W2;
    const [[dz111, dz112], [dz121, dz122]] = D1, [[dz211, dz212], [dz221, dz222]] = D2;
    expect(dA[1][1]).toBeCloseTo(
      (dz111 * w122 + dz112 * w121 + dz121 * w112 + dz122 * w111) + (dz211 * w222 + dz212 * w221 + dz221 * w212 + dz222 * w211), 12);
    expectM(dA, addM(correlate(padM(D1, 1), rotM(W1)), correlate(padM(D2, 1), rotM(W2))), 'dX (eq. 9)');
  });
});

describe('17.3.4 several input channels (eq. 10–15)', () => {
  const A1 = A, A2: M = [[-1, 0, 2], [3, -2, 1], [0.5, 4, -3]];
  const W1: M = [[1, -2], [0.5, 3]], W2: M = [[-1, 0.25], [2, -0.5]];

  it('z11 sums both channels (eq. 10) and δ_out_c = δ_in * rot180(W_c) (eq. 14, 15)', () => {
    const x = t4([[A1, A2]], true);
    const z = conv2d(x, t4([[W1, W2]]));
    expect(z.shape).toEqual([1, 1, 2, 2]);
    const [[w111, w112], [w121, w122]] = W1, [[w211, w212], [w221, w222]] = W2;
    const z11 = w111 * A1[0][0] + w112 * A1[0][1] + w121 * A1[1][0] + w122 * A1[1][1]
      + w211 * A2[0][0] + w212 * A2[0][1] + w221 * A2[1][0] + w222 * A2[1][1]; // eq. 10
    expect(z.data[0]).toBeCloseTo(z11, 12);
    z.backward(t4([[D]]));
    // The corner-free element of each channel: ∂J/∂a122 and ∂J/∂a222.
    expect(plane(x.grad!, 0, 0)[1][1]).toBeCloseTo(d11 * w122 + d12 * w121 + d21 * w112 + d22 * w111, 12);
    expect(plane(x.grad!, 0, 1)[1][1]).toBeCloseTo(d11 * w222 + d12 * w221 + d21 * w212 + d22 * w211, 12);
    expectM(plane(x.grad!, 0, 0), correlate(padM(D, 1), rotM(W1)), 'δ_out1 (eq. 14)');
    expectM(plane(x.grad!, 0, 1), correlate(padM(D, 1), rotM(W2)), 'δ_out2 (eq. 15)');
  });
});

describe('17.3.5 kernel gradient (eq. 11)', () => {
  it('∂J/∂w11, ∂J/∂w12 by hand and δ_w = A * δ_in', () => {
    const w = t4([[Wm]], true);
    conv2d(t4([[A]]), w, f64([bias], [1])).backward(t4([[D]]));
    const dW = plane(w.grad!);
    expect(dW[0][0]).toBe(d11 * a11 + d12 * a12 + d21 * a21 + d22 * a22);
    expect(dW[0][1]).toBe(d11 * a12 + d12 * a13 + d21 * a22 + d22 * a23);
    expectM(dW, correlate(A, D), 'dW (eq. 11)');
  });

  it('with stride 2 and padding 1: δ_w = pad(A) * dilate(δ), summed over the batch', () => {
    const x = seeded([2, 1, 6, 6], 15), w = seeded([1, 1, 3, 3], 16, true);
    const z = conv2d(x, w, null, { stride: 2, padding: 1 });
    expect(z.shape).toEqual([2, 1, 3, 3]);
    const d = seeded([2, 1, 3, 3], 17);
    z.backward(d);
    // 6 + 2 − 3 = 5 is not a multiple of 2: δ dilates to 5×5 but the stride-1 output is 6×6,
    // so one zero row/column goes at the bottom/right.
    const perSample = [0, 1].map((n) => correlate(padM(plane(x, n), 1), padM(dilateM(plane(d, n), 2), 0, 1, 0, 1)));
    expectM(plane(w.grad!), addM(perSample[0], perSample[1]), 'dW stride 2');
  });

  it('the chapter\'s training step (17.3.7): for loss = ½·mean((z − y)²), ∂loss/∂w = x * (z − y) / m', () => {
    const x = seeded([1, 1, 8, 8], 18);
    const wTrue = t4([[[[0, -1, 0], [0, 2, 0], [0, -1, 0]]]]); // the chapter's edge detector
    const y = conv2d(x, wTrue);
    const w = seeded([1, 1, 3, 3], 19, true);
    const z = conv2d(x, w);
    mseLoss(z, y).mul(0.5).backward();
    const m = 6 * 6;
    const diff = plane(z).map((row, i) => row.map((v, j) => v - plane(y)[i][j]));
    // mean gives 1/m; ½ cancels the 2 of the square.
    expectM(plane(w.grad!), correlate(plane(x), diff).map((row) => row.map((v) => v / m)), 'dW of the training step');
  });
});

describe('17.3.6 bias gradient (eq. 12, 13)', () => {
  it('one bias per output channel however many sub-kernels: db_o = Σ δ over batch and space', () => {
    const x = seeded([2, 2, 4, 4], 20), w = seeded([3, 2, 2, 2], 21), b = seeded([3], 22, true);
    const z = conv2d(x, w, b);
    expect(z.shape).toEqual([2, 3, 3, 3]);
    const d = seeded([2, 3, 3, 3], 23);
    z.backward(d);
    expect(b.grad!.shape).toEqual([3]);
    const expected = [0, 1, 2].map((o) => [0, 1].reduce((s, n) => s + plane(d, n, o).flat().reduce((p, v) => p + v, 0), 0));
    expectClose(b.grad!.data, expected, 1e-12, 'db');
  });

  it('eq. 12: with one channel db = δ11 + δ12 + δ21 + δ22', () => {
    const b = f64([bias], [1], true);
    conv2d(t4([[A]]), t4([[Wm]]), b).backward(t4([[D]]));
    expect(b.grad!.item()).toBe(d11 + d12 + d21 + d22);
  });
});
