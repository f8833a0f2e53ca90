// The chapter's training loop for a conv layer, on the autograd graph:
//   z = conv2d(x, w, b);  loss = ½·mean((z − y)²);  loss.backward();  w ← w − lr·∂loss/∂w
// stopping when loss < tol (checked before the update, as the chapter does) or after maxIter updates.
import { conv2d, mseLoss, noGrad, type Conv2dOptions, type Tensor } from '@convgrad/core';

export interface FitConvSettings {
  x: Tensor;
  y: Tensor;
  /** Initial kernel [Cout, Cin, KH, KW] and bias [Cout] (null/absent: no bias, b = 0). */
  w0: Tensor;
  b0?: Tensor | null;
  conv?: Conv2dOptions;
  lr: number;
  /** Heavy-ball momentum μ (v ← μ·v + g; w ← w − lr·v); 0 is plain gradient descent. */
  momentum?: number;
  maxIter: number;
  tol: number;
  /** Called every `progressEvery` iterations (and at the stop) with the iteration and its loss. */
  onProgress?: (iteration: number, loss: number) => void;
  progressEvery?: number;
  /** Called after every forward pass with the iteration and its loss (a progress display). */
  onIteration?: (iteration: number, loss: number) => void;
}

export interface FitConvResult {
  w: Tensor;
  b: Tensor | null;
  /** Loss before each update: losses[i] is the loss at iteration i. */
  losses: number[];
  /** Number of updates applied: the iteration at which loss < tol, or maxIter. */
  iterations: number;
  converged: boolean;
  /** The loss became NaN or infinite (learning rate too large). */
  diverged: boolean;
  seconds: number;
  /** CPU time of the process over the loop (user + system, all threads), for a loaded machine; NaN in a web page. */
  cpuSeconds: number;
}

/** p ← p − lr·g in place on the leaf's values (no graph is recorded), then zero p's gradient. */
function step(p: Tensor, g: Tensor, lr: number): void {
  const next = noGrad(() => p.sub(g.mul(lr)));
  p.data.set(next.data);
  p.bumpVersion(); // an in-place write: graphs recorded before it refuse to back-propagate
  p.grad = null;
}

/** The process's CPU seconds so far; NaN where there is no process (the browser test page runs this loop too). */
function cpuSecondsNow(): number {
  if (typeof process === 'undefined') return NaN;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export function fitConv(s: FitConvSettings): FitConvResult {
  const every = s.progressEvery ?? 500;
  const mu = s.momentum ?? 0;
  const w = s.w0.detach().clone().requiresGrad_();
  const b = s.b0 ? s.b0.detach().clone().requiresGrad_() : null;
  let vw: Tensor | null = null, vb: Tensor | null = null;
  const losses: number[] = [];
  let converged = false, diverged = false, iterations = s.maxIter;
  const t0 = performance.now();
  const cpu0 = cpuSecondsNow();
  for (let i = 0; i < s.maxIter; i++) {
    const z = conv2d(s.x, w, b, s.conv);
    const loss = mseLoss(z, s.y).mul(0.5);
    const l = loss.item();
    losses.push(l);
    s.onIteration?.(i, l);
    const stop = l < s.tol || !Number.isFinite(l);
    if (stop || i % every === 0) s.onProgress?.(i, l);
    if (stop) {
      converged = l < s.tol;
      diverged = !Number.isFinite(l);
      iterations = i;
      break;
    }
    loss.backward();
    let gw = w.grad!, gb = b ? b.grad! : null;
    if (mu > 0) {
      vw = noGrad(() => (vw ? vw.mul(mu).add(gw) : gw));
      gw = vw;
      if (gb) {
        const g = gb;
        vb = noGrad(() => (vb ? vb.mul(mu).add(g) : g));
        gb = vb;
      }
    }
    step(w, gw, s.lr);
    if (b && gb) step(b, gb, s.lr);
  }
  return { w, b, losses, iterations, converged, diverged, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSecondsNow() - cpu0 };
}
