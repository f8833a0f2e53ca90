// safetensors integer entries (PyTorch's int64 num_batches_tracked): read exactly into float64, refused beyond 2^53.
import { describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../src/index.ts';

function file(entries: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }>): Uint8Array {
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const [k, e] of Object.entries(entries)) {
    header[k] = { dtype: e.dtype, shape: e.shape, data_offsets: [at, at + e.bytes.length] };
    at += e.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const e of Object.values(entries)) { out.set(e.bytes, p); p += e.bytes.length; }
  return out;
}

const le = (arr: BigInt64Array | Int32Array | Uint8Array | Int16Array) => new Uint8Array(arr.buffer);

describe('integer safetensors entries', () => {
  it('reads I64, I32, I16 and U8 values exactly as float64', () => {
    const { tensors } = decodeSafetensors(file({
      n: { dtype: 'I64', shape: [], bytes: le(new BigInt64Array([938n])) },
      i: { dtype: 'I32', shape: [3], bytes: le(new Int32Array([-7, 0, 2 ** 31 - 1])) },
      h: { dtype: 'I16', shape: [2], bytes: le(new Int16Array([-300, 5])) },
      u: { dtype: 'U8', shape: [2], bytes: le(new Uint8Array([255, 1])) },
      big: { dtype: 'I64', shape: [2], bytes: le(new BigInt64Array([2n ** 53n - 1n, -(2n ** 53n - 1n)])) },
    }));
    expect(tensors.get('n')!.dtype).toBe('float64');
    expect(tensors.get('n')!.item()).toBe(938);
    expect(Array.from(tensors.get('i')!.data)).toEqual([-7, 0, 2 ** 31 - 1]);
    expect(Array.from(tensors.get('h')!.data)).toEqual([-300, 5]);
    expect(Array.from(tensors.get('u')!.data)).toEqual([255, 1]);
    expect(Array.from(tensors.get('big')!.data)).toEqual([2 ** 53 - 1, -(2 ** 53 - 1)]);
  });

  it('refuses a 64-bit value a float64 cannot hold and a size that does not match the dtype', () => {
    expect(() => decodeSafetensors(file({ n: { dtype: 'I64', shape: [1], bytes: le(new BigInt64Array([2n ** 53n + 1n])) } })))
      .toThrow(/^loadSafetensors: <buffer>: tensor 'n': I64 value 9007199254740993 at index 0 is beyond ±2\^53/);
    expect(() => decodeSafetensors(file({ n: { dtype: 'I64', shape: [2], bytes: le(new BigInt64Array([1n])) } })))
      .toThrow(/tensor 'n' with shape \[2\] and dtype I64 needs 16 bytes but data_offsets \[0, 8\] hold 8/);
  });
});
