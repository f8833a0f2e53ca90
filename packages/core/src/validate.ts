// Argument checks shared by every public function and constructor of core: each one throws a
// ConvgradError whose message starts with the op and shows the offending value as the caller wrote it.
// Ops run these first, before reading data or allocating.
import { check, ConvgradError, fmtShape } from './errors.ts';
import { describeTensor } from './print.ts';
import { Tensor, type DType } from './tensor.ts';

/**
 * The most elements one tensor may hold: 2³¹ − 1. Kernels index with 32-bit integers (max-pool argmax,
 * gather indices, wasm offsets), and a float32 tensor of this size is already 8 GiB. Every op checks
 * its output's element count against it before allocating.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** A value as the caller wrote it, for messages (JSON.stringify would print NaN as null). */
export function fmtArg(v: unknown): string {
  if (Array.isArray(v)) return v.length > 8 ? `[${v.slice(0, 8).map(fmtArg).join(', ')}, … (${v.length} entries)]` : `[${v.map(fmtArg).join(', ')}]`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 37)}…` : v}'`;
  if (v instanceof Tensor) return describeTensor(v); // shape and dtype, not the values
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  if (typeof v === 'function') return 'a function';
  if (v !== null && typeof v === 'object') {
    const name = v.constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : safeJson(v);
  }
  return String(v); // undefined, null, booleans, bigints, symbols
}

function safeJson(v: object): string {
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}…` : s;
  } catch {
    return 'an object';
  }
}

// These run on every op call: the conditions are tested inline and the message is built only on failure
// (no closure per call).

/** A Tensor, or a ConvgradError "op: <what> must be a Tensor, got <value>". */
export function checkTensor(v: unknown, op: string, what = 'input'): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new ConvgradError(op, `${what} must be a Tensor, got ${fmtArg(v)}`);
}

/** An integer ≥ min (finite by construction). */
export function checkInt(v: unknown, op: string, what: string, min = 0): asserts v is number {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= min)) {
    throw new ConvgradError(op, `${what} must be ${min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`}, got ${fmtArg(v)}`);
  }
}

/** A finite number. */
export function checkFinite(v: unknown, op: string, what: string): asserts v is number {
  if (!(typeof v === 'number' && Number.isFinite(v))) throw new ConvgradError(op, `${what} must be a finite number, got ${fmtArg(v)}`);
}

/** A boolean. */
export function checkBool(v: unknown, op: string, what: string): asserts v is boolean {
  if (typeof v !== 'boolean') throw new ConvgradError(op, `${what} must be true or false, got ${fmtArg(v)}`);
}

/** 'float32' or 'float64'. */
export function checkDType(v: unknown, op: string): asserts v is DType {
  if (v !== 'float32' && v !== 'float64') throw new ConvgradError(op, `unsupported dtype ${fmtArg(v)} (float32 or float64)`);
}

/** `options[key]`, or `fallback` when it is undefined (only undefined means "the default"; null is a value, refused by the checks). */
export function optionOr<T>(options: object | undefined, key: string, fallback: T): unknown {
  const v = (options as Record<string, unknown> | undefined)?.[key];
  return v === undefined ? fallback : v;
}

/**
 * An options object (or undefined) whose keys are all in `allowed`: an unknown option is refused, never
 * ignored (a misspelt `strides` would otherwise silently run with the default).
 */
export function checkOptions(options: unknown, op: string, allowed: readonly string[], hint?: string): void {
  if (options === undefined) return;
  check(options !== null && typeof options === 'object' && !Array.isArray(options) && !(options instanceof Tensor), op,
    () => `options must be an object, got ${fmtArg(options)}`);
  for (const key of Object.keys(options)) {
    check(allowed.includes(key), op, () => `unknown option '${key}' (known: ${allowed.join(', ')}${hint ? `; ${hint}` : ''})`);
  }
}

/** An array of non-negative integer dims whose product is at most MAX_ELEMENTS. */
export function checkShape(shape: unknown, op: string, what = 'shape'): asserts shape is readonly number[] {
  if (!Array.isArray(shape)) throw new ConvgradError(op, `${what} must be an array of non-negative integers, got ${fmtArg(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (!(typeof d === 'number' && Number.isInteger(d) && d >= 0)) throw new ConvgradError(op, `invalid ${what} ${fmtArg(shape)}: dimensions must be non-negative integers`);
  }
  checkSize(shape as readonly number[], op, what);
}

/**
 * The element count of `shape` is at most MAX_ELEMENTS (checked before anything is allocated).
 * `context` (the arguments that led to this shape) ends the message.
 */
export function checkSize(shape: readonly number[], op: string, what = 'shape', context?: () => string): void {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  if (n > MAX_ELEMENTS) {
    throw new ConvgradError(op, `${what} ${fmtShape(shape)} has ${n} elements, above the allocation limit of ${MAX_ELEMENTS} (2^31 − 1)${context ? `: ${context()}` : ''}`);
  }
}
