// Which kernel implementation the ops call. The plain-TypeScript kernels are the reference;
// faster backends plug in here and change no backward rule.
import type { TypedArray } from '../tensor.ts';
import type { LatticeView } from '../lattice.ts';
import type { Pool2dGeometry } from './pool.ts';
import type { AxisLayout } from './softmax.ts';
import { conv2dForward, conv2dForwardLattice, type Conv2dGeometry } from './conv2d.ts';
import { depthwiseConv2d } from './depthwise.ts';
import { gemm } from './gemm.ts';
import { check } from '../errors.ts';
import { fmtArg } from '../validate.ts';
import type { Shape } from '../shape.ts';
import type { BinaryOp } from './elementwise.ts';
import type { AdamUpdate, SgdUpdate } from './optim.ts';
import type { SmoothFn, SmoothGradFn } from './smooth.ts';
import type { ChannelLayout, ChannelStats, GradSums } from './batchnorm.ts';

/**
 * An output gradient δ [N, C, H, W] that max pooling's backward (2×2 windows, stride 2) would make: the
 * pooled gradient dy [N, C, ph, pw], masked by ReLU's output y (y > 0) when given, scattered to argmax
 * (flat indices into δ).
 */
export interface PooledGrad { dy: TypedArray; y: TypedArray | null; argmax: Int32Array; ph: number; pw: number }

/** out = conv2dForwardLattice(pad2d(δ, pad), w): the dX conv (eq. 14; stride 1; w dense, the rotated kernel), δ padded by pad = [rows, columns] on each side. */
export interface PooledInputGrad { w: TypedArray; g: Conv2dGeometry; pad: readonly [number, number]; out: TypedArray }

/** out = conv2dForwardLattice(x, δ): the dW conv (eq. 11; kernel δ batch-swapped), and Σ δ per channel into `sums` when given. */
export interface PooledWeightGrad { x: TypedArray | LatticeView; g: Conv2dGeometry; out: TypedArray; sums: Float64Array | null }

export interface KernelBackend {
  readonly name: string;
  conv2dForward(x: TypedArray, w: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): void;
  gemm(m: number, n: number, k: number, a: TypedArray, aOff: number, b: TypedArray, bOff: number, c: TypedArray, cOff: number, accumulate: boolean): void;
  /**
   * Optional: C[m×n] = A[m×k]·Wᵀ with W [n×k] row-major (linear's x·Wᵀ) without a transposed copy of W in
   * JS memory; false leaves the call to gemm on a transposed copy (the same values).
   */
  gemmTransB?(m: number, n: number, k: number, a: TypedArray, w: TypedArray, c: TypedArray): boolean;
  /**
   * conv2dForward whose operands may be lattice views (lattice.ts: padded/dilated tensors of the conv
   * backward whose zeros were never materialized). Optional: without it the op passes `.data`.
   */
  conv2dForwardLattice?(x: TypedArray | LatticeView, w: TypedArray | LatticeView, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): void;
  /**
   * Optional: a whole depthwise conv (groups = g.c, one input channel per group, weight [g.o, 1, KH, KW])
   * in one call; false to leave it to the per-group loop (conv-groups.ts).
   */
  depthwiseConv2d?(x: TypedArray, w: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): boolean;
  /** Optional: sums of consecutive rows (kernels/reduce.ts RowSums), or null to leave them to the js loop. */
  rowSums?(x: TypedArray, len: number): Float64Array | null;
  /**
   * Optional: runs `fn`, whose kernel calls may share one copy of each of `arrays` (wasm: copied into
   * its memory once instead of per call). The caller promises that nothing writes into them meanwhile.
   */
  shareOperands?<T>(arrays: readonly TypedArray[], fn: () => T): T;
  // Optional elementwise kernels (the js loops in unary.ts, elementwise.ts, smooth.ts are the reference):
  // each returns false to leave the work to that loop (float64, small arrays, no gain measured).
  /** out = x > 0 ? x : slope·x (slope 0: relu, −0 → +0). */
  leakyRelu?(x: TypedArray, slope: number, out: TypedArray): boolean;
  /** The (leaky) ReLU gradient, unary.ts stepScale. */
  stepScale?(g: TypedArray, x: TypedArray, slope: number, out: TypedArray): boolean;
  /** out = a (op) b, numpy broadcasting (elementwise.ts binaryBroadcast). */
  binary?(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, out: TypedArray): boolean;
  /** out = GELU/SiLU(x) (smooth.ts smoothMap). */
  smooth?(fn: SmoothFn, x: TypedArray, out: TypedArray): boolean;
  /** out = g·f'(x) (smooth.ts smoothGradMap). */
  smoothGrad?(fn: SmoothGradFn, g: TypedArray, x: TypedArray, out: TypedArray): boolean;
  /** One fused Adam/AdamW step in place (optim.ts); the reference loop is layers' optim/adam.ts. */
  adamUpdate?(u: AdamUpdate): boolean;
  /** One fused SGD step in place (optim.ts); the reference loop is layers' optim/sgd.ts. */
  sgdUpdate?(u: SgdUpdate): boolean;
  /** Optional twins of kernels/pool.ts and kernels/indexing.ts (same results); false leaves the call to the js kernel. */
  maxPool2dForward?(x: TypedArray, g: Pool2dGeometry, out: TypedArray, argmax: Int32Array): boolean;
  /**
   * Optional: out, argmax = maxPool2dForward(conv2dForward(x, w, bias, g), pg), then ReLU on out if `relu`,
   * without handing the conv's output over (ops/conv-pool.ts); false (nothing written) leaves it to the separate calls.
   */
  conv2dMaxPool2d?(x: TypedArray, w: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, pg: Pool2dGeometry, relu: boolean, out: TypedArray, argmax: Int32Array): boolean;
  /**
   * Optional: a conv's input and/or weight gradient whose output gradient δ is max pooling's scatter of
   * `d` (ops/conv-pool.ts), without building δ; false leaves them to the convs over δ (the outputs are then
   * not to be read).
   */
  convPoolGrads?(d: PooledGrad, dx: PooledInputGrad | null, dw: PooledWeightGrad | null): boolean;
  avgPool2dForward?(x: TypedArray, g: Pool2dGeometry, out: TypedArray): boolean;
  avgPool2dAdjoint?(dy: TypedArray, g: Pool2dGeometry, dx: TypedArray): boolean;
  scatterAddFlat?(src: TypedArray, idx: Int32Array, out: TypedArray): boolean;
  /** Optional twins of kernels/softmax.ts; false leaves the call to the js kernel. */
  logSoftmaxForward?(x: TypedArray, l: AxisLayout, out: TypedArray, asSoftmax: boolean): boolean;
  logSoftmaxBackward?(g: TypedArray, y: TypedArray, l: AxisLayout, out: TypedArray): boolean;
  /** Optional twins of kernels/batchnorm.ts (same results bit for bit); null/false leaves the call to the js kernel. */
  channelStats?(x: TypedArray, l: ChannelLayout): ChannelStats | null;
  channelAffine?(x: TypedArray, l: ChannelLayout, mean: Float64Array, scale: Float64Array, shift: Float64Array, out: TypedArray): boolean;
  gradSums?(g: TypedArray, x: TypedArray, l: ChannelLayout, mean: Float64Array, invstd: Float64Array): GradSums | null;
  batchNormInputGrad?(g: TypedArray, x: TypedArray, l: ChannelLayout, mean: Float64Array, invstd: Float64Array, gamma: TypedArray | null, sums: GradSums, out: TypedArray): boolean;
}

export const jsBackend: KernelBackend = { name: 'js', conv2dForward, gemm, conv2dForwardLattice, depthwiseConv2d };

const backends = new Map<string, KernelBackend>([['js', jsBackend]]);
let active: KernelBackend = jsBackend;

export function registerBackend(b: KernelBackend): void {
  check(b !== null && typeof b === 'object' && typeof b.name === 'string' && b.name !== '', 'registerBackend', () => `expected a KernelBackend with a name, got ${fmtArg(b)}`);
  for (const fn of ['conv2dForward', 'gemm'] as const) {
    check(typeof b[fn] === 'function', 'registerBackend', () => `backend '${b.name}' has no ${fn} function`);
  }
  backends.set(b.name, b);
}

/** Selects the kernels by name ('js' is always there). */
export function setBackend(name: string): void {
  const b = typeof name === 'string' ? backends.get(name) : undefined;
  check(b, 'setBackend', () => `unknown backend ${fmtArg(name)} (known: ${[...backends.keys()].join(', ')})`);
  active = b;
}

export function getBackend(): KernelBackend {
  return active;
}

/** `fn()`, with the active backend allowed to share its copies of `arrays` across the kernel calls inside. */
export function sharingOperands<T>(arrays: readonly TypedArray[], fn: () => T): T {
  const be = active;
  return be.shareOperands ? be.shareOperands(arrays, fn) : fn();
}

/** Names of the registered backends ('js' first). */
export function listBackends(): string[] {
  return [...backends.keys()];
}
