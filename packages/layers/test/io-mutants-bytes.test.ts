// Safetensors bytes, the parts the mutation run found untested: each integer dtype at its extremes and
// in little-endian order, the header checks at their boundaries, the order tensors are laid out in, and
// the byte/Blob loaders' descriptions of bad input and the source names in their messages.
import { describe, expect, it } from 'vitest';
import { Tensor } from '@convgrad/core';
import {
  decodeSafetensors, encodeSafetensors, Linear, loadCheckpointFromBlob, loadCheckpointFromBytes, MAX_HEADER_BYTES, stateDictFromBlob,
  stateDictFromBytes, stateDictToBytes,
} from '../src/index.ts';
import { messageOf, rejectionOf } from './io-mutants-helpers.ts';
import { HOST_LITTLE_ENDIAN, headerLength } from '../src/io/safetensors.ts';

/** A safetensors file with the given entries laid out in order (a JSON header without padding). */
function file(entries: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }>, header: string | null = null): Uint8Array {
  const h: Record<string, unknown> = {};
  let at = 0;
  for (const [k, e] of Object.entries(entries)) {
    h[k] = { dtype: e.dtype, shape: e.shape, data_offsets: [at, at + e.bytes.length] };
    at += e.bytes.length;
  }
  const json = new TextEncoder().encode(header ?? JSON.stringify(h));
  const out = new Uint8Array(8 + json.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const e of Object.values(entries)) {
    out.set(e.bytes, p);
    p += e.bytes.length;
  }
  return out;
}

/** Little-endian bytes of `values`, each `size` bytes wide, written through DataView (independent of the host). */
function le(size: 1 | 2 | 4 | 8, signed: boolean, values: (number | bigint)[]): Uint8Array {
  const out = new Uint8Array(size * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (size === 1) signed ? view.setInt8(i, Number(v)) : view.setUint8(i, Number(v));
    else if (size === 2) signed ? view.setInt16(i * 2, Number(v), true) : view.setUint16(i * 2, Number(v), true);
    else if (size === 4) signed ? view.setInt32(i * 4, Number(v), true) : view.setUint32(i * 4, Number(v), true);
    else signed ? view.setBigInt64(i * 8, BigInt(v), true) : view.setBigUint64(i * 8, BigInt(v), true);
  });
  return out;
}

describe('integer dtypes: each one at its extremes, little-endian, several elements', () => {
  const M = 2 ** 53 - 1;
  const cases: [string, 1 | 2 | 4 | 8, boolean, (number | bigint)[]][] = [
    ['I8', 1, true, [-128, 127, 0, -1, 5]],
    ['U8', 1, false, [0, 255, 1, 128]],
    ['I16', 2, true, [-32768, 32767, -1, 258]],
    ['U16', 2, false, [0, 65535, 258, 1]],
    ['I32', 4, true, [-(2 ** 31), 2 ** 31 - 1, -1, 16909060]],
    ['U32', 4, false, [0, 2 ** 32 - 1, 16909060, 1]],
    ['I64', 8, true, [-M, M, -1, 0x0102030405n]],
    ['U64', 8, false, [0, M, 1, 0x0102030405n]],
  ];
  it.each(cases)('%s', (dtype, size, signed, values) => {
    const { tensors } = decodeSafetensors(file({ x: { dtype, shape: [values.length], bytes: le(size, signed, values) } }));
    const t = tensors.get('x')!;
    expect(t.dtype).toBe('float64');
    expect(t.shape).toEqual([values.length]);
    expect(Array.from(t.data)).toEqual(values.map(Number));
  });

  it('refuses 64-bit values beyond ±(2^53 - 1), naming the dtype, the value and the index', () => {
    const cases: [string, boolean, bigint, string][] = [
      ['I64', true, -(2n ** 53n), 'I64 value -9007199254740992 at index 1'],
      ['I64', true, -(2n ** 63n), 'I64 value -9223372036854775808 at index 1'],
      ['I64', true, 2n ** 53n, 'I64 value 9007199254740992 at index 1'],
      ['U64', false, 2n ** 64n - 1n, 'U64 value 18446744073709551615 at index 1'],
      ['U64', false, 2n ** 63n, 'U64 value 9223372036854775808 at index 1'],
    ];
    for (const [dtype, signed, v, what] of cases) {
      expect(messageOf(() => decodeSafetensors(file({ n: { dtype, shape: [2], bytes: le(8, signed, [1n, v]) } }), 'f.st'))).toBe(
        `loadSafetensors: f.st: tensor 'n': ${what} is beyond ±2^53 and cannot be held exactly`);
    }
  });

  it('dtypes of the format convgrad does not hold are named; unknown ones quoted', () => {
    for (const dtype of ['BOOL', 'F16', 'BF16']) {
      expect(messageOf(() => decodeSafetensors(file({ b: { dtype, shape: [1], bytes: new Uint8Array(2) } })))).toBe(
        `loadSafetensors: <buffer>: tensor 'b' has dtype ${dtype}, which convgrad does not support (F32, F64 or an integer type)`);
    }
    expect(messageOf(() => decodeSafetensors(file({ b: { dtype: 'I128', shape: [1], bytes: new Uint8Array(16) } })))).toBe(
      `loadSafetensors: <buffer>: tensor 'b' has unknown dtype "I128"`);
  });
});

describe('float tensors and their layout', () => {
  it('F32 reads as float32 and F64 as float64', () => {
    const { tensors } = decodeSafetensors(encodeSafetensors({ a: new Tensor(new Float32Array([1.5, -2]), [2]), b: new Tensor(new Float64Array([0.1]), [1]) }));
    expect(tensors.get('a')!.dtype).toBe('float32');
    expect(Array.from(tensors.get('a')!.data)).toEqual([1.5, -2]);
    expect(tensors.get('b')!.dtype).toBe('float64');
    expect(Array.from(tensors.get('b')!.data)).toEqual([0.1]);
  });

  it('lays tensors out by dtype size, then by name, whatever the insertion order', () => {
    const f = (v: number) => new Tensor(new Float32Array([v]), [1]);
    const d = (v: number) => new Tensor(new Float64Array([v]), [1]);
    const bytes = encodeSafetensors(new Map([['b', f(2)], ['B', f(3)], ['a', f(1)], ['z', d(5)], ['c', d(4)], ['a1', f(6)]]));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    const order = Object.entries(header as Record<string, { data_offsets: number[] }>).sort(([, x], [, y]) => x.data_offsets[0] - y.data_offsets[0]).map(([k]) => k);
    expect(order).toEqual(['c', 'z', 'B', 'a', 'a1', 'b']);
    expect(header.c.data_offsets).toEqual([0, 8]);
    expect(header.B.data_offsets).toEqual([16, 20]);
    expect(header.__metadata__).toBeUndefined();
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + n))).not.toContain('__metadata__');
    const withMeta = encodeSafetensors(new Map([['a', f(1)]]), { k: 'v' });
    expect(decodeSafetensors(withMeta).metadata).toEqual({ k: 'v' });
  });

  it('the host byte order is detected (as DataView sees it)', () => {
    expect(HOST_LITTLE_ENDIAN).toBe(new DataView(new Uint16Array([1]).buffer).getUint16(0, true) === 1);
  });
});

describe('header checks at their boundaries', () => {
  const fail = (msg: string): never => {
    throw new Error(msg);
  };
  const first8 = (n: number) => le(8, false, [BigInt(n)]);

  it('an 8-byte file with header length 0 reaches the header check (8 bytes is long enough for the length)', () => {
    expect(messageOf(() => decodeSafetensors(first8(0)))).toBe(`loadSafetensors: <buffer>: header must be a JSON object starting with '{', got ""`);
    expect(messageOf(() => decodeSafetensors(new Uint8Array(7)))).toBe(
      'loadSafetensors: <buffer>: file is 7 bytes, shorter than the 8-byte header length (truncated or not a safetensors file)');
  });

  it('a header of exactly MAX_HEADER_BYTES is accepted, one more byte is refused', () => {
    expect(headerLength(first8(MAX_HEADER_BYTES), MAX_HEADER_BYTES + 8, fail)).toBe(MAX_HEADER_BYTES);
    expect(() => headerLength(first8(MAX_HEADER_BYTES + 1), MAX_HEADER_BYTES + 9, fail)).toThrow(`header length ${MAX_HEADER_BYTES + 1} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  });

  it('a header that does not start with { shows its first 20 characters', () => {
    const text = '["a very long array that is not an object"]';
    expect(messageOf(() => decodeSafetensors(file({}, text)))).toBe(`loadSafetensors: <buffer>: header must be a JSON object starting with '{', got "[\\"a very long array "`);
    expect(messageOf(() => decodeSafetensors(file({}, '{"a": ')))).toMatch(/^loadSafetensors: <buffer>: header is not valid JSON \(.+\)$/);
    const bad = file({}, '{"ab"}');
    bad[9] = 0xff; // not UTF-8
    expect(messageOf(() => decodeSafetensors(bad))).toBe('loadSafetensors: <buffer>: header is not valid UTF-8');
  });
});

describe('bytes and Blobs: descriptions of bad input and source names', () => {
  const bad = new Uint8Array(4);
  const what = 'file is 4 bytes, shorter than the 8-byte header length (truncated or not a safetensors file)';

  it('describes what it got instead of bytes', () => {
    const cases: [unknown, string][] = [[null, 'null'], ['x', 'string'], [3, 'number'], [undefined, 'undefined'], [new Map(), 'Map'], [Object.create(null), 'object'], [[1], 'Array']];
    for (const [v, d] of cases) {
      expect(messageOf(() => stateDictFromBytes(v as never))).toBe(`stateDictFromBytes: expected a Uint8Array or an ArrayBuffer, got ${d}`);
      expect(messageOf(() => loadCheckpointFromBytes(v as never, new Linear(1, 1)))).toBe(`loadCheckpointFromBytes: expected a Uint8Array or an ArrayBuffer, got ${d}`);
    }
  });

  it('reads any view of the bytes, at its offset (a Uint8Array subarray, a DataView, an ArrayBuffer)', () => {
    const bytes = stateDictToBytes({ w: new Tensor(new Float32Array([1, 2]), [2]) });
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 3);
    for (const view of [padded.subarray(3, 3 + bytes.length), new DataView(padded.buffer, 3, bytes.length), bytes.slice().buffer]) {
      expect(Array.from(stateDictFromBytes(view).tensors.get('w')!.data)).toEqual([1, 2]);
    }
  });

  it('names bytes <bytes> by default and by the given source otherwise', () => {
    expect(messageOf(() => stateDictFromBytes(bad))).toBe(`loadSafetensors: <bytes>: ${what}`);
    expect(messageOf(() => stateDictFromBytes(bad, 'm.st'))).toBe(`loadSafetensors: m.st: ${what}`);
    expect(messageOf(() => loadCheckpointFromBytes(bad, new Linear(1, 1)))).toBe(`loadSafetensors: <bytes>: ${what}`);
    const other = stateDictToBytes({ w: new Tensor(new Float32Array(1), [1]) });
    expect(messageOf(() => loadCheckpointFromBytes(other, new Linear(1, 1, { bias: false })))).toBe(
      'loadCheckpointFromBytes: <bytes> does not match the model: missing keys: weight; unexpected keys: w');
  });

  it('Blobs: refuses what is not one, and names a File by its name, else <blob>', async () => {
    for (const [v, d] of [[null, 'null'], [undefined, 'undefined'], [new Uint8Array(2), 'Uint8Array']] as const) {
      expect(await rejectionOf(stateDictFromBlob(v as never))).toBe(`stateDictFromBlob: expected a Blob or File, got ${d}`);
      expect(await rejectionOf(loadCheckpointFromBlob(v as never, new Linear(1, 1)))).toBe(`loadCheckpointFromBlob: expected a Blob or File, got ${d}`);
    }
    expect(await rejectionOf(stateDictFromBlob(new Blob([bad])))).toBe(`loadSafetensors: <blob>: ${what}`);
    expect(await rejectionOf(stateDictFromBlob(new File([bad], '')))).toBe(`loadSafetensors: <blob>: ${what}`);
    expect(await rejectionOf(stateDictFromBlob(new File([bad], 'model.safetensors')))).toBe(`loadSafetensors: model.safetensors: ${what}`);
    expect(await rejectionOf(loadCheckpointFromBlob(new File([bad], 'a.st'), new Linear(1, 1)))).toBe(`loadSafetensors: a.st: ${what}`);
    const other = stateDictToBytes({ w: new Tensor(new Float32Array(1), [1]) });
    expect(await rejectionOf(loadCheckpointFromBlob(new File([other as Uint8Array<ArrayBuffer>], 'b.st'), new Linear(1, 1, { bias: false })))).toBe(
      'loadCheckpointFromBlob: b.st does not match the model: missing keys: weight; unexpected keys: w');
  });
});
