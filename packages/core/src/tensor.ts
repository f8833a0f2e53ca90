import { check, ConvgradError, fmtShape } from './errors.ts';
import { checkSeed, Rng } from './rng.ts';
import { sizeOf, type Shape } from './shape.ts';
import { materializeLattice, type LatticeView } from './lattice.ts';
import type { BackwardOptions, GradNode } from './autograd.ts';
import { backward as runBackward } from './autograd.ts';
import { registerTensorHook, type GradHook, type RemovableHandle } from './hooks.ts';
import { bumpVersionOf, versionOf } from './version.ts';
import { checkBool, checkDType, checkFinite, checkOptions, checkShape, checkSize, checkTensor, fmtArg, MAX_ELEMENTS, optionOr } from './validate.ts';
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
import { uninitializedFill } from './uninitialized.ts';
import { platform } from '#platform';

export type DType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array;
export type NestedArray = number | readonly NestedArray[];

/** A zero-filled array of n elements (n ≤ MAX_ELEMENTS; ops check their output shape against it first). */
export function allocate(dtype: DType, n: number): TypedArray {
  checkDType(dtype, 'allocate');
  check(Number.isInteger(n) && n >= 0 && n <= MAX_ELEMENTS, 'allocate', () => `element count must be an integer in [0, ${MAX_ELEMENTS}], got ${fmtArg(n)}`);
  try {
    return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  } catch (e) {
    // Below the limit but more than the process can get (a RangeError from the engine).
    throw new ConvgradError('allocate', `cannot allocate ${n} ${dtype} elements (${n * (dtype === 'float64' ? 8 : 4)} bytes): ${(e as Error).message}`);
  }
}

/** Below this many elements allocateEmpty zero-fills (measured: unfilled memory pays from ~2–4 K floats). */
const EMPTY_MIN = 2048;

/**
 * An array of n elements whose values are unspecified (not zero-filled; see uninitialized.ts), for
 * outputs that the caller overwrites whole. Never hands out memory another array uses.
 */
export function allocateEmpty(dtype: DType, n: number): TypedArray {
  checkDType(dtype, 'allocateEmpty');
  check(Number.isInteger(n) && n >= 0 && n <= MAX_ELEMENTS, 'allocateEmpty', () => `element count must be an integer in [0, ${MAX_ELEMENTS}], got ${fmtArg(n)}`);
  const mode = uninitializedFill();
  // small arrays: V8 makes zeroed ones faster than the platform can hand out unfilled memory
  if (mode === 'zero' || (mode === 'none' && n < EMPTY_MIN)) return allocate(dtype, n);
  const bytes = n * (dtype === 'float64' ? 8 : 4);
  let buffer: ArrayBuffer;
  try {
    buffer = platform.uninitializedBuffer(bytes);
  } catch (e) {
    throw new ConvgradError('allocateEmpty', `cannot allocate ${n} ${dtype} elements (${bytes} bytes): ${(e as Error).message}`);
  }
  const out = dtype === 'float64' ? new Float64Array(buffer) : new Float32Array(buffer);
  if (mode === 'nan') out.fill(NaN);
  return out;
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

  /** `data`: the row-major values (a Float32Array or a Float64Array), or a LatticeView describing them (lattice.ts). */
  constructor(data: TypedArray | LatticeView, shape: Shape, requiresGrad = false) {
    const isArray = data instanceof Float32Array || data instanceof Float64Array;
    if (!isArray && !isLatticeView(data)) throw new ConvgradError('Tensor', `data must be a Float32Array or a Float64Array, got ${fmtArg(data)}`);
    checkShape(shape, 'Tensor');
    checkBool(requiresGrad, 'Tensor', 'requiresGrad');
    if (isArray) {
      if (data.length !== sizeOf(shape)) throw new ConvgradError('Tensor', `data has ${data.length} elements but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`);
      this.stored = data;
      this.lattice = null;
    } else {
      this.stored = null;
      this.lattice = data;
    }
    this.count = sizeOf(shape);
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(isArray ? data : data.base);
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

  /**
   * How many times the data was changed in place (PyTorch's `_version`), shared by every tensor over the
   * same array (detach, reshape). Ops record the versions of the tensors their backward rule reads, and
   * backward refuses to run a rule whose tensors changed since.
   */
  get version(): number {
    // A lattice tensor's values are a view of another tensor's data: that data's changes are its changes.
    return versionOf(this.lattice ? this.lattice.base : this.stored!);
  }

  /**
   * Marks the data as changed in place and returns this. Optimizer steps and state loading call it;
   * code that writes `t.data[i]` itself must call it too, or a graph that used the old values would
   * back-propagate with the new ones without noticing.
   */
  bumpVersion(): this {
    bumpVersionOf(this.lattice ? this.lattice.base : this.data);
    return this;
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
    checkBool(flag, 'requiresGrad_', 'flag');
    check(this.isLeaf || flag, 'requiresGrad_', 'cannot stop a non-leaf tensor from requiring grad; use detach()');
    this.requiresGrad = flag;
    return this;
  }

  /** Calls `hook(grad)` whenever this tensor's gradient is computed; a returned tensor replaces it (hooks.ts). */
  registerHook(hook: GradHook): RemovableHandle {
    return registerTensorHook(this, hook);
  }

  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Converts to another dtype (a new leaf; no graph). */
  to(dtype: DType): Tensor {
    checkDType(dtype, 'to');
    if (dtype === this.dtype) return this;
    const out = allocate(dtype, this.size);
    out.set(this.data);
    return new Tensor(out, this.shape, false);
  }

  /**
   * Back-propagates from this tensor into every leaf that requires grad, accumulating into `.grad`.
   * A non-scalar tensor needs `gradOutput` (same shape), as in PyTorch. The graph's saved tensors are
   * released afterwards unless `retainGraph` (default: `createGraph`), so a second backward through it throws.
   */
  backward(gradOutput?: Tensor, options: BackwardOptions = {}): void {
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

/** A typed array of numbers (not BigInt64Array/BigUint64Array, not a DataView). */
function isNumericArray(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

/** Whether `v` is a LatticeView over a float array (made only inside the conv2d backward). */
function isLatticeView(v: unknown): v is LatticeView {
  const base = (v as LatticeView | null)?.base;
  return base instanceof Float32Array || base instanceof Float64Array;
}

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Refuses unknown keys (a typo or an unsupported PyTorch option such as device) and bad values. */
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

/** Appends the numbers of `values` (entry `path` of the nested input) to `out`, checking it is rectangular. */
function flattenInto(values: NestedArray, shape: number[], dim: number, out: number[], path = ''): void {
  if (dim === shape.length) {
    check(typeof values === 'number', 'tensor', () => Array.isArray(values)
      ? `nested values are ragged (not a rectangular array): values${path} is ${fmtArg(values)} where a number belongs`
      : `values must be numbers, got values${path} = ${fmtArg(values)}`);
    out.push(values as number);
    return;
  }
  check(Array.isArray(values) && values.length === shape[dim], 'tensor',
    () => `nested values are ragged (not a rectangular array): values${path} is ${fmtArg(values)}, expected an array of ${shape[dim]} entries`);
  (values as readonly NestedArray[]).forEach((v, i) => flattenInto(v, shape, dim + 1, out, `${path}[${i}]`));
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
    () => `expected tensor(values, options) or tensor(values, shape, options), got a second argument ${fmtArg(shapeOrOptions)}`);
  const shape = isShape ? (shapeOrOptions as number[] | undefined) : undefined;
  const options = (isShape ? maybeOptions : (shapeOrOptions as TensorOptions)) ?? {};
  const dtype = factoryOptions(options, 'tensor', []);
  if (shape !== undefined) checkShape(shape, 'tensor');
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof values === 'number') {
    flat = [values];
    inferred = [];
  } else if (isNumericArray(values)) {
    flat = values; // converted by value to the dtype (an Int32Array [1, 2] gives [1, 2]), as torch.tensor(…, dtype=…)
    inferred = [flat.length];
  } else {
    check(Array.isArray(values), 'tensor', () => `values must be a number, nested arrays of numbers or a typed array of numbers, got ${fmtArg(values)}`);
    inferred = inferShape(values as NestedArray);
    checkSize(inferred, 'tensor', 'nested values of shape');
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

/** The dtype of factory `options` (default float32), after checking every option; `extra` names the factory's own keys. */
function factoryOptions(options: unknown, op: string, extra: readonly string[]): DType {
  checkOptions(options, op, ['dtype', 'requiresGrad', ...extra]);
  const dtype = optionOr(options as object, 'dtype', 'float32');
  checkDType(dtype, op);
  const requiresGrad = optionOr(options as object, 'requiresGrad', false);
  checkBool(requiresGrad, op, 'requiresGrad');
  return dtype;
}

export function full(shape: number[], value: number, options: TensorOptions = {}): Tensor {
  return filled('full', shape, value, options);
}

function filled(op: string, shape: number[], value: number, options: TensorOptions): Tensor {
  checkShape(shape, op);
  check(typeof value === 'number', op, () => `fill value must be a number, got ${fmtArg(value)}`);
  const data = allocate(factoryOptions(options, op, []), sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, options.requiresGrad ?? false);
}

export const zeros = (shape: number[], options: TensorOptions = {}): Tensor => filled('zeros', shape, 0, options);
export const ones = (shape: number[], options: TensorOptions = {}): Tensor => filled('ones', shape, 1, options);
export function zerosLike(t: Tensor): Tensor {
  checkTensor(t, 'zerosLike');
  return full([...t.shape], 0, { dtype: t.dtype });
}
export function onesLike(t: Tensor): Tensor {
  checkTensor(t, 'onesLike');
  return full([...t.shape], 1, { dtype: t.dtype });
}

/** [start, start+step, ...) below end, like numpy.arange. */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  const dtype = factoryOptions(options, 'arange', []);
  if (end === undefined) [start, end] = [0, start];
  checkFinite(start, 'arange', 'start');
  checkFinite(end, 'arange', 'end');
  checkFinite(step, 'arange', 'step');
  check(step !== 0, 'arange', 'step must be non-zero, got 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  check(n <= MAX_ELEMENTS, 'arange', () => `[${start}, ${end}) in steps of ${step} has ${n} elements, above the allocation limit of ${MAX_ELEMENTS} (2^31 − 1)`);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], options.requiresGrad ?? false);
}

export interface RandomOptions extends TensorOptions {
  /** Seed for a fresh generator; ignored when `rng` is given. */
  seed?: number;
  rng?: Rng;
}

/** The generator of a random factory's options (after checking `rng`/`seed` and the two parameters `names`). */
function randomSetup(shape: number[], options: RandomOptions, op: string, names: readonly [string, string], defaults: readonly [number, number]): [Rng, Tensor, number, number] {
  const dtype = factoryOptions(options, op, ['seed', 'rng', ...names]);
  checkShape(shape, op);
  const o = (options ?? {}) as RandomOptions & Record<string, unknown>;
  check(o.rng === undefined || o.rng instanceof Rng, op, () => `rng must be an Rng, got ${fmtArg(o.rng)}`);
  const [a, b] = names.map((k, i) => {
    const v = optionOr(o, k, defaults[i]);
    checkFinite(v, op, k);
    return v;
  });
  if (o.seed !== undefined) checkSeed(o.seed, op);
  const rng = o.rng ?? new Rng(o.seed ?? 0);
  return [rng, filled(op, shape, 0, { dtype, requiresGrad: o.requiresGrad }), a, b];
}

/** Uniform in [low, high) (default [0, 1)). */
export function rand(shape: number[], options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const [rng, t, lo, hi] = randomSetup(shape, options, 'rand', ['low', 'high'], [0, 1]);
  check(lo <= hi, 'rand', () => `low must be at most high, got low ${lo}, high ${hi}`);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(lo, hi);
  return t;
}

/** Normal with the given mean and std (default N(0, 1)). */
export function randn(shape: number[], options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const [rng, t, mu, sd] = randomSetup(shape, options, 'randn', ['mean', 'std'], [0, 1]);
  check(sd >= 0, 'randn', () => `std must be ≥ 0, got ${sd}`);
  for (let i = 0; i < t.size; i++) t.data[i] = mu + sd * rng.normal();
  return t;
}
