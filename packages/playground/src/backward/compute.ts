// Panel 2's numbers: a small conv2d case, the chapter's backward rule applied step by step with the graph
// ops the rule itself uses (dilate2d, pad2d, rot180, conv2d, permute, slice, sum), and autograd's gradients
// of the same case (loss = Σ y·δ, so ∂loss/∂y = δ) for comparison. float64, small integers for readability.
import { conv2d, dilate2d, grad, mul, noGrad, pad2d, permute, randn, rot180, slice, sum, tensor, type Tensor } from '@convgrad/core';

export interface BackwardCase { h: number; w: number; k: number; s: number; p: number; cin: number; cout: number; seed: number }

export interface BackwardSteps {
  c: BackwardCase;
  /** Output size M×N = ⌊(H+2P−K)/S⌋+1 and the remainders (H+2P−K) mod S. */
  oh: number; ow: number; remH: number; remW: number;
  x: Tensor; w: Tensor; b: Tensor; y: Tensor;
  delta: Tensor;
  /** dilate2d(δ, S): (M−1)·S+1 rows. */
  dilated: Tensor;
  /** δ′: dilated, plus the remainder's zero rows/cols at the bottom/right: H+2P−K+1 rows. */
  deltaPrime: Tensor;
  /** K′−1−P (negative: no padding, the full correlation is cropped by −e instead). */
  e: number;
  padded: Tensor;
  /** rot180 of W with in/out channels swapped: [Cin, Cout, K, K]. */
  wRot: Tensor;
  dx: Tensor; dw: Tensor; db: Tensor;
  auto: { dx: Tensor; dw: Tensor; db: Tensor };
}

/** Integers in [−r, r] from a seeded normal draw (never 0 with `nonzero`, so every δ entry visibly feeds dX). */
function ints(shape: number[], seed: number, r: number, nonzero = false): Tensor {
  const n = randn(shape, { seed, dtype: 'float64' });
  const v = (x: number) => Math.max(-r, Math.min(r, Math.round(x * 1.5)));
  return tensor(Array.from(n.data, (x) => (nonzero && v(x) === 0 ? (x < 0 ? -1 : 1) : v(x))), shape, { dtype: 'float64' });
}

export function outputSize(c: BackwardCase): { oh: number; ow: number; remH: number; remW: number } {
  const fh = c.h + 2 * c.p - c.k, fw = c.w + 2 * c.p - c.k;
  return { oh: Math.floor(fh / c.s) + 1, ow: Math.floor(fw / c.s) + 1, remH: ((fh % c.s) + c.s) % c.s, remW: ((fw % c.s) + c.s) % c.s };
}

export function computeBackward(c: BackwardCase): BackwardSteps {
  const { oh, ow, remH, remW } = outputSize(c);
  if (c.h + 2 * c.p < c.k || c.w + 2 * c.p < c.k) throw new RangeError(`the ${c.k}×${c.k} kernel does not fit the ${c.h}×${c.w} input with padding ${c.p}`);
  const x = ints([1, c.cin, c.h, c.w], c.seed, 3).requiresGrad_();
  const w = ints([c.cout, c.cin, c.k, c.k], c.seed + 1, 2).requiresGrad_();
  const b = ints([c.cout], c.seed + 2, 2).requiresGrad_();
  const delta = ints([1, c.cout, oh, ow], c.seed + 3, 3, true);
  const opts = { stride: c.s, padding: c.p };

  // Autograd: loss = Σ y·δ, so the gradient arriving at y is δ.
  const y = conv2d(x, w, b, opts);
  const [adx, adw, adb] = grad(sum(mul(y, delta)), [x, w, b]);

  // The rule, step by step (17.3.2, eq. 8/9/14/15, 11, 13), on values (no graph needed).
  return noGrad(() => {
    const dilated = dilate2d(delta, c.s);
    const deltaPrime = pad2d(dilated, [0, c.h + 2 * c.p - c.k + 1 - dilated.shape[2], 0, c.w + 2 * c.p - c.k + 1 - dilated.shape[3]]);
    const e = c.k - 1 - c.p;
    const padded = pad2d(deltaPrime, Math.max(e, 0));
    const wRot = rot180(permute(w, [1, 0, 2, 3]));
    const full = conv2d(padded, wRot);
    const dx = e < 0 ? slice(full, [0, 0, -e, -e], [1, c.cin, c.h, c.w]) : full;
    const xt = permute(pad2d(x, c.p), [1, 0, 2, 3]);
    const dw = permute(conv2d(xt, permute(deltaPrime, [1, 0, 2, 3])), [1, 0, 2, 3]);
    const db = sum(delta, [0, 2, 3]);
    return { c, oh, ow, remH, remW, x, w, b, y, delta, dilated, deltaPrime, e, padded, wRot, dx, dw, db, auto: { dx: adx, dw: adw, db: adb } };
  });
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) return Infinity;
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}
