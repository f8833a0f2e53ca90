// An op's backward computes only the gradients its inputs need (PyTorch's needs_input_grad): with one
// input not requiring grad, its gradient's kernel calls are skipped. A counting backend (the js kernels,
// each call counted) shows it: the backward with one input needing a gradient makes fewer calls than
// with all of them. (Mutation survivors: computing a gradient that backward then drops gave the same
// values; only the work differed.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { jsBackend, type KernelBackend } from '../src/kernels/backend.ts';
import { batchNormInputGrad } from '../src/kernels/batchnorm.ts';
import { binaryBroadcast } from '../src/kernels/elementwise.ts';
import { smoothGradMap } from '../src/kernels/smooth.ts';
import type { Tensor } from '../src/index.ts';

let calls = 0, smoothGradCalls = 0, bnInputGradCalls = 0;
const counting: KernelBackend = {
  ...jsBackend,
  name: 'ops-needed-grads-counter',
  conv2dForward: (...a) => { calls++; jsBackend.conv2dForward(...a); },
  conv2dForwardLattice: (...a) => { calls++; jsBackend.conv2dForwardLattice!(...a); },
  gemm: (...a) => { calls++; jsBackend.gemm(...a); },
  binary: (...a) => { calls++; binaryBroadcast(...a); return true; },
  batchNormInputGrad: (...a) => { calls++; bnInputGradCalls++; batchNormInputGrad(...a); return true; },
  smoothGrad: (...a) => { calls++; smoothGradCalls++; smoothGradMap(...a); return true; },
  // sums over innermost axes (sumTo of a broadcast operand, a conv's bias): counted, left to the js loop
  rowSums: () => { calls++; return null; },
};
C.registerBackend(counting);
const initial = C.getBackend().name;
beforeAll(() => C.setBackend(counting.name));
afterAll(() => C.setBackend(initial));

/** A float32 leaf of N(shift, 1) values (shift NaN: values in (0, 1), as probabilities). */
const f32 = (shape: number[], seed: number, requiresGrad: boolean, shift = 0) => {
  const t = C.randn(shape, { seed });
  return C.tensor(t.data.map((v) => (Number.isNaN(shift) ? 1 / (1 + Math.exp(-v)) : v + shift)), shape, { requiresGrad });
};

/** [op, input shapes (and a shift keeping a value away from 0 or in (0, 1)), the op, which inputs to check] */
type Case = [string, [number[], number][], (t: Tensor[]) => Tensor, number[]];
const cases: Case[] = [
  ['mul', [[[2, 3], 0], [[2, 3], 0]], ([a, b]) => C.mul(a, b), [0, 1]],
  ['div', [[[2, 3], 0], [[2, 3], 5]], ([a, b]) => C.div(a, b), [0, 1]],
  ['sub', [[[2, 3], 0], [[2, 3], 0]], ([a, b]) => C.sub(a, b), [1]], // a's gradient is g itself: no work to skip
  // a broadcast operand's gradient is a sum (sumTo)
  ['add (a broadcast)', [[[2, 1], 0], [[2, 3], 0]], ([a, b]) => C.add(a, b), [0]],
  ['add (b broadcast)', [[[2, 3], 0], [[2, 1], 0]], ([a, b]) => C.add(a, b), [1]],
  ['sub (a broadcast)', [[[2, 1], 0], [[2, 3], 0]], ([a, b]) => C.sub(a, b), [0]],
  ['where (a broadcast)', [[[2, 1], 0], [[2, 3], 0]], ([a, b]) => C.where(C.gt(b, 0), a, b), [0]],
  ['where (b broadcast)', [[[2, 3], 0], [[2, 1], 0]], ([a, b]) => C.where(C.gt(a, 0), a, b), [1]],
  ['matmul', [[[2, 3], 0], [[3, 4], 0]], ([a, b]) => C.matmul(a, b), [0, 1]],
  ['linear', [[[2, 3], 0], [[4, 3], 0], [[4], 0]], ([x, w, b]) => C.linear(x, w, b), [0, 1]],
  ['conv2d', [[[1, 2, 5, 5], 0], [[3, 2, 3, 3], 0], [[3], 0]], ([x, w, b]) => C.conv2d(x, w, b, { padding: 1 }), [0, 1, 2]],
  ['convTranspose2d', [[[1, 2, 4, 4], 0], [[2, 3, 3, 3], 0], [[3], 0]], ([x, w, b]) => C.convTranspose2d(x, w, b, { stride: 2 }), [0, 1, 2]],
  ['batchNorm', [[[3, 2, 4], 0], [[2], 1], [[2], 0]], ([x, w, b]) => C.batchNorm(x, null, null, { training: true, weight: w, bias: b }), [0]],
  ['bce', [[[2, 3], NaN], [[2, 3], NaN]], ([x, t]) => C.bce(x, t), [0, 1]],
  ['mseLoss', [[[2, 3], 0], [[2, 3], 0]], ([p, t]) => C.mseLoss(p, t), [1]], // pred's gradient is computed for target's anyway
  ['smoothL1Loss beta 0', [[[2, 3], 0], [[2, 3], 0]], ([p, t]) => C.smoothL1Loss(p, t, { beta: 0 }), [0, 1]],
];

/** Kernel calls of Σ f(inputs)'s backward when the inputs in `needed` require grad. */
function backwardCalls(specs: [number[], number][], f: (t: Tensor[]) => Tensor, needed: number[]): number {
  const inputs = specs.map(([shape, shift], i) => f32(shape, i + 1, needed.includes(i), shift));
  const loss = C.sum(C.mul(f(inputs), f32([], 9, false, 0.5)));
  calls = 0;
  loss.backward();
  return calls;
}

describe('backward skips the gradients no input needs', () => {
  it.each(cases)('%s', (_, specs, f, checked) => {
    const all = specs.map((__, i) => i);
    const full = backwardCalls(specs, f, all);
    for (const i of checked) {
      // every input but i requires grad: i's gradient kernels must not run
      const without = backwardCalls(specs, f, all.filter((j) => j !== i));
      expect(without, `input ${i} not requiring grad`).toBeLessThan(full);
    }
  });
});

/**
 * Second order: the gradient node of gelu, silu and batchNorm (geluGrad, siluGrad, batchNormInputGrad)
 * has the incoming gradient g as an input; its own backward computes g's part, which is the only use of
 * that node's kernel there (smoothGrad, batchNormInputGrad), only when g requires grad, i.e. when the
 * upstream v does.
 */
const second: [string, number[], (x: Tensor) => Tensor, () => number][] = [
  ['geluGrad', [2, 3], (x) => C.gelu(x), () => smoothGradCalls],
  ['siluGrad', [2, 3], (x) => C.silu(x), () => smoothGradCalls],
  ['batchNormInputGrad', [3, 2, 4], (x) => C.batchNorm(x, null, null, { training: true }), () => bnInputGradCalls],
];

/** The node kernel's calls in the backward of x's second derivative, v requiring grad or not. */
function secondOrderCalls(shape: number[], f: (x: Tensor) => Tensor, kernelCalls: () => number, upstreamNeedsGrad: boolean): number {
  const x = f32(shape, 1, true);
  const y = f(x);
  const v = f32([...y.shape], 2, upstreamNeedsGrad);
  const [g] = C.grad(C.sum(C.mul(y, v)), [x], { createGraph: true });
  const loss = C.sum(C.mul(g, f32([...g.shape], 4, false)));
  smoothGradCalls = 0;
  bnInputGradCalls = 0;
  C.grad(loss, [x]);
  return kernelCalls();
}

describe("second order: a gradient node skips the incoming gradient's part when nothing upstream needs it", () => {
  it.each(second)('%s', (_, shape, f, kernelCalls) => {
    expect(secondOrderCalls(shape, f, kernelCalls, true)).toBeGreaterThan(0);
    expect(secondOrderCalls(shape, f, kernelCalls, false)).toBe(0);
  });
});
