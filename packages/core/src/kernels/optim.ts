// Arguments of the fused optimizer updates a kernel backend may offer (KernelBackend.adamUpdate,
// sgdUpdate). The update math and its reference loop live in @convgrad/layers (optim/adam.ts, sgd.ts);
// a backend computes the same operations in the same order (float64, one rounding per stored value).
import type { TypedArray } from '../tensor.ts';
import { getBackend } from './backend.ts';

/**
 * One Adam/AdamW step over a parameter: th = θ·shrink; g = sign·∇ + l2·th; m ← b1·m + (1 − b1)·g;
 * v ← b2·v + (1 − b2)·g²; v̂ = max(vMax, v) (stored back) with amsgrad, else v;
 * θ ← th − stepSize·m / (√v̂ / c2 + eps).
 */
export interface AdamUpdate {
  theta: TypedArray;
  grad: TypedArray;
  m: TypedArray;
  v: TypedArray;
  /** the running maximum of v (amsgrad), or null */
  vMax: TypedArray | null;
  b1: number;
  b2: number;
  stepSize: number;
  c2: number;
  eps: number;
  l2: number;
  shrink: number;
  sign: number;
}

/**
 * One SGD step: g = sign·∇ + wd·θ; without a momentum buffer θ ← θ − lr·g; with one, b ← g (fresh) or
 * μ·b + (1 − τ)·g, then θ ← θ − lr·(g + μ·b) (nesterov) or θ − lr·b.
 */
export interface SgdUpdate {
  theta: TypedArray;
  grad: TypedArray;
  /** the momentum buffer, or null when momentum is 0 */
  buf: TypedArray | null;
  fresh: boolean;
  lr: number;
  mu: number;
  tau: number;
  wd: number;
  sign: number;
  nesterov: boolean;
}

/**
 * Runs one Adam/AdamW step on the active backend's fused kernel (in place). Returns false when the
 * backend has none for these arrays (float64, small, the js backend): the caller then runs its own loop.
 */
export function adamUpdate(u: AdamUpdate): boolean {
  const be = getBackend();
  return be.adamUpdate ? be.adamUpdate(u) : false;
}

/** Runs one SGD step on the active backend's fused kernel (in place), or returns false (see adamUpdate). */
export function sgdUpdate(u: SgdUpdate): boolean {
  const be = getBackend();
  return be.sgdUpdate ? be.sgdUpdate(u) : false;
}
