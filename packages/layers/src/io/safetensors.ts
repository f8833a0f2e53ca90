// Environment-neutral (Uint8Array, TextEncoder): the path-based saveSafetensors/loadSafetensors live in
// platform/safetensors-file.ts. The safetensors format (https://github.com/huggingface/safetensors), for F32
// and F64 tensors (integer tensors are read into float64, see integer-dtypes.ts):
//   [u64 little-endian N][N bytes of UTF-8 JSON header, space-padded][raw little-endian data]
// header: { "__metadata__"?: {string: string}, name: { dtype, shape, data_offsets: [begin, end] } }
// with offsets relative to the start of the data, covering it exactly (no gaps, no overlaps).
import { ConvgradError, Tensor, type DType, type TypedArray } from '@convgrad/core';
import { checkedStateDict, type StateDictLike } from '../module.ts';
import { checkTensor, fmtArg } from '../checks.ts';
import { INTEGER_BYTES, readIntegers } from './integer-dtypes.ts';

/** Largest header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

const CODES: Record<DType, 'F32' | 'F64'> = { float32: 'F32', float64: 'F64' };
const BYTES: Record<string, number> = { F32: 4, F64: 8 };
/** Dtypes of the format that convgrad does not hold (for a precise error). */
const OTHER_CODES = new Set(['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'I64', 'U64', 'C64']);

/** Whether this host stores numbers little-endian (as safetensors does): then data is copied without swapping. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface SafetensorsContents {
  tensors: Map<string, Tensor>;
  /** The `__metadata__` strings, or null when absent. */
  metadata: Record<string, string> | null;
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The bytes of a safetensors file holding `dict` (tensors sorted by dtype size, then name, as the reference). */
export function encodeSafetensors(dict: StateDictLike, metadata?: Record<string, string>, op = 'encodeSafetensors'): Uint8Array {
  const entries = [...checkedStateDict(dict, op)];
  for (const [name, t] of entries) {
    if (typeof name !== 'string') throw new ConvgradError(op, `tensor names must be strings, got ${fmtArg(name)}`);
    if (name === '__metadata__') throw new ConvgradError(op, `'__metadata__' is reserved and cannot name a tensor`);
    checkTensor(t, op, `'${name}'`);
    // the dtype must match the typed array (a tensor over an Int32Array would be saved as F32 bits)
    const kind = t.dtype === 'float64' ? Float64Array : t.dtype === 'float32' ? Float32Array : null;
    if (kind === null || !(t.data instanceof kind)) throw new ConvgradError(op, `'${name}' has dtype ${fmtArg(t.dtype)} over ${fmtArg(t.data)}: only float32 (Float32Array) and float64 (Float64Array) can be saved`);
  }
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new ConvgradError(op, `metadata must be an object of strings, got ${fmtArg(metadata)}`);
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new ConvgradError(op, `metadata '${k}' must be a string, got ${fmtArg(v)}`);
    }
  }
  // by name (the default sort: UTF-16 code units; the names are a Map's keys, so unique), then stably by dtype size
  const byName = new Map(entries);
  const sorted = [...byName.keys()].sort().map((name) => [name, byName.get(name)!] as const);
  sorted.sort(([, a], [, b]) => BYTES[CODES[b.dtype]] - BYTES[CODES[a.dtype]]);
  const header: Record<string, unknown> = Object.create(null); // so a tensor may be named '__proto__'
  header.__metadata__ = metadata; // JSON.stringify leaves out an undefined metadata
  let offset = 0;
  for (const [name, t] of sorted) {
    const end = offset + t.data.byteLength;
    header[name] = { dtype: CODES[t.dtype], shape: [...t.shape], data_offsets: [offset, end] };
    offset = end;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.length / 8) * 8; // pad with spaces so the data starts 8-aligned
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let at = 8 + headerLen;
  for (const [, t] of sorted) {
    writeLittleEndian(t.data, out, at);
    at += t.data.byteLength;
  }
  return out;
}

/** Copies `src` into `out` at byte `at` as little-endian values (`hostLittleEndian` is a parameter so tests reach both paths). */
export function writeLittleEndian(src: TypedArray, out: Uint8Array, at: number, hostLittleEndian = HOST_LITTLE_ENDIAN): void {
  // Stryker disable next-line ConditionalExpression,BlockStatement: on a little-endian host (every machine the tests run on) the copy and the byte-swapping path give the same bytes (io-units checks exactly that through this parameter); only the speed differs
  if (hostLittleEndian) {
    out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + at, src.byteLength);
  const f64 = src instanceof Float64Array;
  for (let i = 0; i < src.length; i++) {
    if (f64) view.setFloat64(i * 8, src[i], true);
    else view.setFloat32(i * 4, src[i], true);
  }
}

/** Fills `dst` from little-endian `bytes` (see writeLittleEndian). */
export function readLittleEndian(bytes: Uint8Array, dst: TypedArray, hostLittleEndian = HOST_LITTLE_ENDIAN): void {
  // Stryker disable next-line ConditionalExpression,BlockStatement: on a little-endian host (every machine the tests run on) the copy and the byte-swapping path give the same bytes (io-units checks exactly that through this parameter); only the speed differs
  if (hostLittleEndian) {
    new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(bytes);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const f64 = dst instanceof Float64Array;
  for (let i = 0; i < dst.length; i++) dst[i] = f64 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
}

interface Entry { name: string; code: string; shape: number[]; begin: number; end: number }

const isNonNegativeInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The first 8 bytes: the header length N, checked against the file size and the limit before anything else is read. */
export function headerLength(first8: Uint8Array, fileLength: number, fail: (msg: string) => never): number {
  if (fileLength < 8) fail(`file is ${fileLength} bytes, shorter than the 8-byte header length (truncated or not a safetensors file)`);
  const n64 = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(fileLength - 8)) fail(`header length ${n64} exceeds the ${fileLength - 8} bytes after the length field (truncated or corrupt)`);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n64} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  return Number(n64);
}

export interface Header { entries: Entry[]; metadata: Record<string, string> | null }

/** Parses and validates the JSON header against `dataLength`, the bytes that follow it. */
export function parseHeader(headerBytes: Uint8Array, dataLength: number, fail: (msg: string) => never): Header {
  const text = utf8(headerBytes, fail);
  if (!text.startsWith('{')) fail(`header must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid JSON (${(err as Error).message})`);
  }
  // (JSON text starting with '{' parses to an object or not at all)

  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info)) fail(`__metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(info as object)) if (typeof v !== 'string') fail(`__metadata__ '${k}' must be a string`);
      metadata = info as Record<string, string>;
      continue;
    }
    entries.push(parseEntry(name, info, dataLength, fail));
  }

  // The data must be covered exactly: in offset order (not the header's key order, which JSON and
  // JS objects may change, e.g. '10' before '9'), each tensor starts where the previous one ends.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < expected) fail(`tensor '${e.name}' bytes [${e.begin}, ${e.end}) overlap tensor '${previous!.name}' [${previous!.begin}, ${previous!.end})`);
    if (e.begin > expected) fail(`bytes [${expected}, ${e.begin}) of the data belong to no tensor (a hole before '${e.name}')`);
    expected = e.end;
    previous = e;
  }
  if (expected !== dataLength) fail(`the tensors cover ${expected} bytes of data but the file has ${dataLength} (truncated or trailing bytes)`);
  return { entries, metadata };
}

/** The tensors of a validated header, read from `data` (the bytes after the header). */
export function readTensors({ entries, metadata }: Header, data: Uint8Array, fail: (msg: string) => never): SafetensorsContents {
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    if (Object.hasOwn(INTEGER_BYTES, e.code)) {
      tensors.set(e.name, new Tensor(readIntegers(data.subarray(e.begin, e.end), e.code, (msg) => fail(`tensor '${e.name}': ${msg}`)), e.shape));
      continue;
    }
    const size = e.shape.reduce((p, d) => p * d, 1);
    const values = e.code === 'F64' ? new Float64Array(size) : new Float32Array(size);
    readLittleEndian(data.subarray(e.begin, e.end), values);
    tensors.set(e.name, new Tensor(values, e.shape));
  }
  return { tensors, metadata };
}

export const failer = (op: string, source: string) => (msg: string): never => {
  throw new ConvgradError(op, `${source}: ${msg}`);
};

/**
 * Parses and validates safetensors bytes. Every check runs before any tensor is allocated, and the
 * header length is checked against the input size and MAX_HEADER_BYTES before the header is read.
 * `source` names the file in error messages.
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) throw new ConvgradError('decodeSafetensors', `bytes must be a Uint8Array, got ${fmtArg(bytes)}`);
  if (typeof source !== 'string') throw new ConvgradError('decodeSafetensors', `source must be a string, got ${fmtArg(source)}`);
  const fail = failer('loadSafetensors', source);
  const n = headerLength(bytes.subarray(0, 8), bytes.length, fail);
  const header = parseHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n, fail);
  return readTensors(header, bytes.subarray(8 + n), fail);
}

function parseEntry(name: string, info: unknown, dataLength: number, fail: (msg: string) => never): Entry {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) fail(`tensor '${name}' must be an object with dtype, shape and data_offsets`);
  const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof code !== 'string') fail(`tensor '${name}' has no dtype string`);
  const c = code as string;
  if (!Object.hasOwn(BYTES, c) && !Object.hasOwn(INTEGER_BYTES, c)) {
    fail(OTHER_CODES.has(c) ? `tensor '${name}' has dtype ${c}, which convgrad does not support (F32, F64 or an integer type)` : `tensor '${name}' has unknown dtype ${JSON.stringify(c)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) fail(`tensor '${name}' shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
    fail(`tensor '${name}' data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const s = shape as number[];
  const [begin, end] = offsets as number[];
  if (begin > end) fail(`tensor '${name}' data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) fail(`tensor '${name}' data_offsets [${begin}, ${end}] run past the ${dataLength} bytes of data (truncated or corrupt)`);
  // The product could exceed 2^53 for a hostile shape; it is compared with a byte count that is small.
  const expectedBytes = s.reduce((p, d) => p * d, 1) * (Object.hasOwn(BYTES, c) ? BYTES[c] : INTEGER_BYTES[c]);
  if (expectedBytes !== end - begin) fail(`tensor '${name}' with shape ${fmt(s)} and dtype ${c} needs ${expectedBytes} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  return { name, code: c, shape: s, begin, end };
}

function utf8(bytes: Uint8Array, fail: (msg: string) => never): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('header is not valid UTF-8');
  }
}
