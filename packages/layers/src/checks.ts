// Argument checks shared by the layers, losses and containers: each throws a ConvgradError whose
// message starts with the layer (or function) and shows the offending value as the caller wrote it.
// Constructors and forwards run these first, before reading data or allocating.
// (Same signatures as core's argument checks: (value, op, what).)
import { ConvgradError, Tensor, type DType } from '@convgrad/core';

/** The most elements one tensor may hold (2³¹ − 1, core's allocation limit): checked before allocating. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

function fail(op: string, message: string): never {
  throw new ConvgradError(op, message);
}

/** A value as the caller wrote it, for messages (JSON.stringify would print NaN as null). */
export function fmtArg(v: unknown): string {
  if (Array.isArray(v)) return v.length > 8 ? `[${v.slice(0, 8).map(fmtArg).join(', ')}, … (${v.length} entries)]` : `[${v.map(fmtArg).join(', ')}]`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 37)}…` : v}'`;
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Tensor) return `Tensor(shape=[${v.shape.join(', ')}], dtype=${v.dtype})`; // not the values
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return v.toString();
  if (v !== null && typeof v === 'object') {
    const name = (v as object).constructor?.name;
    if (name && name !== 'Object') return `a ${name}`;
    try {
      const s = JSON.stringify(v);
      return s.length > 60 ? `${s.slice(0, 57)}…` : s;
    } catch {
      return 'an object';
    }
  }
  return String(v); // undefined, null, booleans
}

/** A Tensor, or "op: <what> must be a Tensor, got <value>". */
export function checkTensor(v: unknown, op: string, what = 'input'): asserts v is Tensor {
  if (!(v instanceof Tensor)) fail(op, `${what} must be a Tensor, got ${fmtArg(v)}`);
}

/** An integer ≥ min (finite by construction). */
export function checkInt(v: unknown, op: string, what: string, min = 0): asserts v is number {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= min)) {
    fail(op, `${what} must be ${min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`}, got ${fmtArg(v)}`);
  }
}

/** An integer of any sign (a dimension that may count from the end). */
export function checkDim(v: unknown, op: string, what: string): asserts v is number {
  if (!(typeof v === 'number' && Number.isInteger(v))) fail(op, `${what} must be an integer, got ${fmtArg(v)}`);
}

/** A finite number. */
export function checkFinite(v: unknown, op: string, what: string): asserts v is number {
  if (!(typeof v === 'number' && Number.isFinite(v))) fail(op, `${what} must be a finite number, got ${fmtArg(v)}`);
}

/** true or false. */
export function checkBool(v: unknown, op: string, what: string): asserts v is boolean {
  if (typeof v !== 'boolean') fail(op, `${what} must be true or false, got ${fmtArg(v)}`);
}

/** 'float32' or 'float64'. */
export function checkDType(v: unknown, op: string): asserts v is DType {
  if (v !== 'float32' && v !== 'float64') fail(op, `unsupported dtype ${fmtArg(v)} (float32 or float64)`);
}

/** An integer ≥ min, or a pair of them (kernel sizes, strides, padding, dilation). */
export function checkPair(v: unknown, op: string, what: string, min: number): asserts v is number | [number, number] {
  const ok = (d: unknown) => typeof d === 'number' && Number.isInteger(d) && d >= min;
  if (!(ok(v) || (Array.isArray(v) && v.length === 2 && v.every(ok)))) {
    fail(op, `${what} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer or a pair of them, got ${fmtArg(v)}`);
  }
}

/**
 * An options object (or undefined) whose keys are all in `allowed`; returns it (or {}). An unknown
 * option is refused, never ignored (a misspelt `strides` would otherwise silently run the default).
 */
export function checkOptions<T extends object>(options: T | undefined, op: string, allowed: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options) || options instanceof Tensor) {
    fail(op, `options must be an object, got ${fmtArg(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) fail(op, `unknown option '${key}' (known: ${allowed.join(', ')})`);
  }
  return options;
}

/** The element count of `shape` is at most MAX_ELEMENTS, checked before anything is allocated. */
export function checkSize(shape: readonly number[], op: string, what = 'shape'): void {
  const n = shape.reduce((p, d) => p * d, 1);
  if (n > MAX_ELEMENTS) fail(op, `${what} [${shape.join(', ')}] has ${n} elements, above the allocation limit of ${MAX_ELEMENTS} (2^31 − 1)`);
}

/** An option's value, or `fallback` when it was not given (undefined). An explicit null is a value, and checked as one. */
export function optionOr<T>(v: T | undefined, fallback: T): T {
  return v === undefined ? fallback : v;
}
