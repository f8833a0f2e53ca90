import { check, fmtShape } from './errors.ts';
import { Rng } from './rng.ts';
import { checkShape, sizeOf, type Shape } from './shape.ts';
import { materializeLattice, type LatticeView } from './lattice.ts';
import type { GradNode } from './autograd.ts';
import { backward as runBackward } from './autograd.ts';
import * as ew from './ops/elementwise.ts';
import * as red from './ops/reduce.ts';
import * as shp from './ops/shape.ts';
import * as act from './ops/activations.ts';
import * as mm from './ops/matmul.ts';
import * as sm from './ops/softmax.ts';
import * as pw from './ops/power.ts';
import * as mx from './ops/minmax.ts';
import * as cmp from './ops/compare.ts';
import * as ux from './ops/unary-extra.ts';
import * as join from './ops/join.ts';
import * as sel from './ops/select.ts';
import * as dims from './ops/dims.ts';
import * as st from './ops/stats.ts';
import { formatTensor } from './print.ts';

export type DType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array;
export type NestedArray = number | readonly NestedArray[];

export function allocate(dtype: DType, n: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

let nextId = 1;

/**
 * An n-dimensional array of float32 or float64 in contiguous row-major order, and a node of the
 * define-by-run graph: ops on tensors that require grad record how they were made (`gradFn`).
 */
export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The values; null until first read for a lattice tensor. */
  private stored: TypedArray | null;
  private readonly count: number;
  /**
   * Non-null for a lattice tensor (see lattice.ts: a padded/dilated/permuted view made inside the conv2d
   * backward): where its non-zeros are. Kernels may read it instead of `data`, which is built on first read.
   */
  readonly lattice: LatticeView | null;
  requiresGrad: boolean;
  /** Gradient accumulated by `backward()` into leaves (and tensors that called `retainGrad()`). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, or null for a leaf. */
  gradFn: GradNode | null = null;
  /** Keep `grad` on a non-leaf during backward, as PyTorch's retain_grad(). */
  retainsGrad = false;

  /** `data`: the row-major values, or a LatticeView describing them (lattice.ts). */
  constructor(data: TypedArray | LatticeView, shape: Shape, requiresGrad = false) {
    checkShape(shape, 'tensor');
    if (ArrayBuffer.isView(data)) {
      check(data.length === sizeOf(shape), 'tensor', () => `data has ${data.length} elements but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`);
      this.stored = data;
      this.lattice = null;
    } else {
      this.stored = null;
      this.lattice = data;
    }
    this.count = sizeOf(shape);
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(ArrayBuffer.isView(data) ? data : data.base);
    this.requiresGrad = requiresGrad;
  }

  /** Contiguous row-major values (built on first read for a lattice tensor). Ops never mutate an input's data. */
  get data(): TypedArray {
    return (this.stored ??= materializeLattice(this.lattice!, this.shape, this.dtype));
  }

  get size(): number {
    return this.count;
  }
  get rank(): number {
    return this.shape.length;
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    check(this.size === 1, 'item', () => `only one-element tensors can be converted to a number, got shape ${fmtShape(this.shape)}`);
    return this.data[0];
  }

  /** Nested JS arrays (a number for rank 0). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** Same values, cut from the graph (shares data; data is never mutated by ops). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  /** A copy with its own data, cut from the graph. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, false);
  }

  /** Sets requiresGrad (a leaf only) and returns this, like PyTorch's requires_grad_(). */
  requiresGrad_(flag = true): this {
    check(this.isLeaf || flag, 'requiresGrad_', 'cannot stop a non-leaf tensor from requiring grad; use detach()');
    this.requiresGrad = flag;
    return this;
  }

  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Converts to another dtype (a new leaf; no graph). */
  to(dtype: DType): Tensor {
    if (dtype === this.dtype) return this;
    const out = allocate(dtype, this.size);
    out.set(this.data);
    return new Tensor(out, this.shape, false);
  }

  /**
   * Back-propagates from this tensor into every leaf that requires grad, accumulating into `.grad`.
   * A non-scalar tensor needs `gradOutput` (same shape), as in PyTorch.
   */
  backward(gradOutput?: Tensor, options: { createGraph?: boolean } = {}): void {
    runBackward(this, gradOutput, options);
  }

  add(other: Tensor | number): Tensor { return ew.add(this, other); }
  sub(other: Tensor | number): Tensor { return ew.sub(this, other); }
  mul(other: Tensor | number): Tensor { return ew.mul(this, other); }
  div(other: Tensor | number): Tensor { return ew.div(this, other); }
  neg(): Tensor { return ew.neg(this); }
  sum(axes?: number | number[], keepDim = false): Tensor { return red.sum(this, axes, keepDim); }
  mean(axes?: number | number[], keepDim = false): Tensor { return red.mean(this, axes, keepDim); }
  reshape(shape: number[]): Tensor { return shp.reshape(this, shape); }
  permute(perm: number[]): Tensor { return shp.permute(this, perm); }
  transpose(dim0: number, dim1: number): Tensor { return shp.transpose(this, dim0, dim1); }
  matmul(other: Tensor): Tensor { return mm.matmul(this, other); }
  relu(): Tensor { return act.relu(this); }
  leakyRelu(slope = 0.01): Tensor { return act.leakyRelu(this, slope); }
  sigmoid(): Tensor { return act.sigmoid(this); }
  tanh(): Tensor { return act.tanh(this); }
  exp(): Tensor { return act.exp(this); }
  log(): Tensor { return act.log(this); }
  softmax(axis = -1): Tensor { return sm.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return sm.logSoftmax(this, axis); }

  slice(begin: number[], size: number[]): Tensor { return shp.slice(this, begin, size); }
  pad(widths: [number, number][]): Tensor { return shp.pad(this, widths); }
  pow(p: number): Tensor { return pw.pow(this, p); }
  sqrt(): Tensor { return pw.sqrt(this); }
  max(): Tensor;
  max(dim: number, keepDim?: boolean): mx.ValuesIndices;
  max(dim?: number, keepDim = false): Tensor | mx.ValuesIndices { return dim === undefined ? mx.max(this) : mx.max(this, dim, keepDim); }
  min(): Tensor;
  min(dim: number, keepDim?: boolean): mx.ValuesIndices;
  min(dim?: number, keepDim = false): Tensor | mx.ValuesIndices { return dim === undefined ? mx.min(this) : mx.min(this, dim, keepDim); }
  amax(dims?: number | number[], keepDim = false): Tensor { return mx.amax(this, dims, keepDim); }
  amin(dims?: number | number[], keepDim = false): Tensor { return mx.amin(this, dims, keepDim); }
  argmax(dim?: number, keepDim = false): Tensor { return mx.argmax(this, dim, keepDim); }
  argmin(dim?: number, keepDim = false): Tensor { return mx.argmin(this, dim, keepDim); }
  abs(): Tensor { return ux.abs(this); }
  clamp(min?: number | ux.ClampOptions | null, max?: number | null): Tensor { return ux.clamp(this, min, max); }
  /** this where cond is non-zero, else other (PyTorch's x.where(cond, y)). */
  where(cond: Tensor, other: Tensor | number): Tensor { return ux.where(cond, this, other); }
  eq(other: Tensor | number): Tensor { return cmp.eq(this, other); }
  ne(other: Tensor | number): Tensor { return cmp.ne(this, other); }
  lt(other: Tensor | number): Tensor { return cmp.lt(this, other); }
  le(other: Tensor | number): Tensor { return cmp.le(this, other); }
  gt(other: Tensor | number): Tensor { return cmp.gt(this, other); }
  ge(other: Tensor | number): Tensor { return cmp.ge(this, other); }
  split(sizeOrSections: number | number[], dim = 0): Tensor[] { return join.split(this, sizeOrSections, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return join.chunk(this, chunks, dim); }
  indexSelect(dim: number, index: sel.Index): Tensor { return sel.indexSelect(this, dim, index); }
  gather(dim: number, index: sel.Index): Tensor { return sel.gather(this, dim, index); }
  scatterAdd(dim: number, index: sel.Index, src: Tensor): Tensor { return sel.scatterAdd(this, dim, index, src); }
  squeeze(dim?: number | number[]): Tensor { return dims.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return dims.unsqueeze(this, dim); }
  flatten(startDim = 0, endDim = -1): Tensor { return dims.flatten(this, startDim, endDim); }
  expand(sizes: number[]): Tensor { return dims.expand(this, sizes); }
  var(dimsOrOptions?: number | number[] | st.VarOptions, options: st.VarOptions = {}): Tensor { return st.variance(this, dimsOrOptions, options); }
  std(dimsOrOptions?: number | number[] | st.VarOptions, options: st.VarOptions = {}): Tensor { return st.std(this, dimsOrOptions, options); }
  logsumexp(dims?: number | number[], keepDim = false): Tensor { return st.logsumexp(this, dims, keepDim); }
  norm(p: number | 'fro' = 2, dims?: number | number[], keepDim = false): Tensor { return st.norm(this, p, dims, keepDim); }
  cumsum(dim: number): Tensor { return st.cumsum(this, dim); }

  /** The values as PyTorch prints them: `tensor([[1.0000, 2.0000], ...], requires_grad=True)`. */
  toString(): string {
    return formatTensor(this);
  }

  /** console.log / util.inspect in Node (a registered symbol: no Node import needed). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatTensor(this);
  }
}

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Refuses unknown keys (a typo or an unsupported PyTorch option such as device) and bad values. */
function checkTensorOptions(options: TensorOptions, op: string): void {
  check(typeof options === 'object' && options !== null && !Array.isArray(options), op, () => `options must be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) check(key === 'dtype' || key === 'requiresGrad', op, () => `unknown option '${key}' (known: dtype, requiresGrad)`);
  check(options.requiresGrad === undefined || typeof options.requiresGrad === 'boolean', op, () => `requiresGrad must be a boolean, got ${String(options.requiresGrad)}`);
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = (v as readonly NestedArray[])[0];
    if (v === undefined) break;
  }
  return shape;
}

function flattenInto(values: NestedArray, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    check(typeof values === 'number', 'tensor', 'nested values are ragged (not a rectangular array)');
    out.push(values as number);
    return;
  }
  check(Array.isArray(values) && values.length === shape[dim], 'tensor', 'nested values are ragged (not a rectangular array)');
  for (const v of values as readonly NestedArray[]) flattenInto(v, shape, dim + 1, out);
}

/**
 * Creates a tensor from a number, nested arrays, or flat values: `tensor(values, { dtype, requiresGrad })`,
 * or with an explicit shape for flat values: `tensor(values, shape, options)` (shape may be undefined).
 */
export function tensor(values: NestedArray | ArrayLike<number>, options?: TensorOptions): Tensor;
export function tensor(values: NestedArray | ArrayLike<number>, shape: number[] | undefined, options?: TensorOptions): Tensor;
export function tensor(values: NestedArray | ArrayLike<number>, shapeOrOptions?: number[] | TensorOptions, maybeOptions?: TensorOptions): Tensor {
  const isShape = shapeOrOptions === undefined || Array.isArray(shapeOrOptions);
  check(isShape || (typeof shapeOrOptions === 'object' && shapeOrOptions !== null && maybeOptions === undefined), 'tensor',
    'expected tensor(values, options) or tensor(values, shape, options)');
  const shape = isShape ? (shapeOrOptions as number[] | undefined) : undefined;
  const options = (isShape ? maybeOptions : (shapeOrOptions as TensorOptions)) ?? {};
  checkTensorOptions(options, 'tensor');
  const dtype = options.dtype ?? 'float32';
  check(dtype === 'float32' || dtype === 'float64', 'tensor', `unsupported dtype '${String(dtype)}' (float32 or float64)`);
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof values === 'number') {
    flat = [values];
    inferred = [];
  } else if (ArrayBuffer.isView(values)) {
    flat = values as ArrayLike<number>;
    inferred = [flat.length];
  } else {
    inferred = inferShape(values as NestedArray);
    const out: number[] = [];
    flattenInto(values as NestedArray, inferred, 0, out);
    flat = out;
  }
  const finalShape = shape ?? inferred;
  checkShape(finalShape, 'tensor');
  check(sizeOf(finalShape) === flat.length, 'tensor', () => `${flat.length} values do not fill shape ${fmtShape(finalShape)}`);
  const data = allocate(dtype, flat.length);
  data.set(flat as ArrayLike<number>);
  return new Tensor(data, finalShape, options.requiresGrad ?? false);
}

export function full(shape: number[], value: number, options: TensorOptions = {}): Tensor {
  checkShape(shape, 'full');
  const data = allocate(options.dtype ?? 'float32', sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, options.requiresGrad ?? false);
}

export const zeros = (shape: number[], options: TensorOptions = {}): Tensor => full(shape, 0, options);
export const ones = (shape: number[], options: TensorOptions = {}): Tensor => full(shape, 1, options);
export const zerosLike = (t: Tensor): Tensor => full([...t.shape], 0, { dtype: t.dtype });
export const onesLike = (t: Tensor): Tensor => full([...t.shape], 1, { dtype: t.dtype });

/** [start, start+step, ...) below end, like numpy.arange. */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  check(step !== 0 && Number.isFinite(step), 'arange', 'step must be a non-zero finite number');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = allocate(options.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], options.requiresGrad ?? false);
}

export interface RandomOptions extends TensorOptions {
  /** Seed for a fresh generator; ignored when `rng` is given. */
  seed?: number;
  rng?: Rng;
}

/** Uniform in [low, high) (default [0, 1)). */
export function rand(shape: number[], options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const rng = options.rng ?? new Rng(options.seed ?? 0);
  const t = zeros(shape, options);
  const lo = options.low ?? 0, hi = options.high ?? 1;
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(lo, hi);
  return t;
}

/** Normal with the given mean and std (default N(0, 1)). */
export function randn(shape: number[], options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const rng = options.rng ?? new Rng(options.seed ?? 0);
  const t = zeros(shape, options);
  const mu = options.mean ?? 0, sd = options.std ?? 1;
  for (let i = 0; i < t.size; i++) t.data[i] = mu + sd * rng.normal();
  return t;
}
