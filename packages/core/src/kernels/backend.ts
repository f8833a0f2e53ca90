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

export interface KernelBackend {
  readonly name: string;
  conv2dForward(x: TypedArray, w: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, out: TypedArray): void;
  gemm(m: number, n: number, k: number, a: TypedArray, aOff: number, b: TypedArray, bOff: number, c: TypedArray, cOff: number, accumulate: boolean): void;
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
  /** Optional twins of kernels/pool.ts and kernels/indexing.ts (same results); false leaves the call to the js kernel. */
  maxPool2dForward?(x: TypedArray, g: Pool2dGeometry, out: TypedArray, argmax: Int32Array): boolean;
  avgPool2dForward?(x: TypedArray, g: Pool2dGeometry, out: TypedArray): boolean;
  avgPool2dAdjoint?(dy: TypedArray, g: Pool2dGeometry, dx: TypedArray): boolean;
  scatterAddFlat?(src: TypedArray, idx: Int32Array, out: TypedArray): boolean;
  /** Optional twins of kernels/softmax.ts; false leaves the call to the js kernel. */
  logSoftmaxForward?(x: TypedArray, l: AxisLayout, out: TypedArray, asSoftmax: boolean): boolean;
  logSoftmaxBackward?(g: TypedArray, y: TypedArray, l: AxisLayout, out: TypedArray): boolean;
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

/** Names of the registered backends ('js' first). */
export function listBackends(): string[] {
  return [...backends.keys()];
}
