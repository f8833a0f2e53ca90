// The small parts of checkpoint I/O on their own: the big-endian byte paths (run here on a
// little-endian host through their parameter), file kinds, writes through symlinks, stale-temp rules.
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { randn, Tensor } from '@convgrad/core';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors, writeFileAtomic } from '../src/index.ts';
import { fileKind, removeStaleTemps, tempNameFor } from '../src/platform/atomic-write.ts';
import { readLittleEndian, writeLittleEndian } from '../src/io/safetensors.ts';
import { checkProperty } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'convgrad-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('little-endian data on either host', () => {
  const arb = fc.record({
    f64: fc.boolean(),
    values: fc.array(fc.double({ noNaN: true }), { maxLength: 6 }),
    lead: fc.nat(3), // elements before the view (a non-zero byteOffset)
    at: fc.nat(16), // where the bytes go in the output
  });

  it('the byte-swapping path writes and reads exactly the bytes of the direct path', () => {
    checkProperty(arb, ({ f64, values, lead, at }) => {
      const Kind = f64 ? Float64Array : Float32Array;
      const base = new Kind(lead + values.length);
      base.set(values, lead);
      const src = base.subarray(lead);
      const direct = new Uint8Array(at + src.byteLength + 3).fill(0xaa);
      const swapped = direct.slice();
      writeLittleEndian(src, direct, at, true);
      writeLittleEndian(src, swapped, at, false);
      expect(Array.from(swapped)).toEqual(Array.from(direct));
      // the bytes are little-endian values of src, and nothing outside [at, at + byteLength) moved
      const view = new DataView(direct.buffer, at, src.byteLength);
      src.forEach((v, i) => expect(f64 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true)).toBe(v));
      expect(direct.subarray(0, at).every((b) => b === 0xaa) && direct.subarray(at + src.byteLength).every((b) => b === 0xaa)).toBe(true);
      for (const host of [true, false]) {
        const back = new Kind(lead + src.length).fill(7);
        readLittleEndian(direct.subarray(at, at + src.byteLength), back.subarray(lead), host);
        expect(Array.from(back.subarray(lead))).toEqual(Array.from(src));
        expect(Array.from(back.subarray(0, lead))).toEqual(new Array(lead).fill(7));
      }
    }, 60);
  });
});

describe('file kinds and write targets', () => {
  it('names every kind of non-regular file', () => {
    const kinds = ['isFile', 'isDirectory', 'isFIFO', 'isCharacterDevice', 'isBlockDevice', 'isSocket'] as const;
    const stat = (yes?: string) => Object.fromEntries(kinds.map((k) => [k, () => k === yes])) as unknown as Parameters<typeof fileKind>[0];
    expect(kinds.map((k) => fileKind(stat(k)))).toEqual(['a regular file', 'a directory', 'a FIFO', 'a character device', 'a block device', 'a socket']);
    expect(fileKind(stat())).toBe('an unknown kind of file');
  });

  it('saving through a symlink replaces the file it points to and keeps the link', () => {
    const real = join(dir, 'real.safetensors'), link = join(dir, 'link.safetensors');
    saveSafetensors(real, { w: new Tensor(new Float32Array([1, 2]), [2]) });
    symlinkSync(real, link);
    saveSafetensors(link, { w: new Tensor(new Float32Array([3, 4, 5]), [3]) });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(Array.from(loadSafetensors(real).tensors.get('w')!.data)).toEqual([3, 4, 5]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a folder that is a file is named as such', () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    expect(() => saveSafetensors(join(file, 'm.safetensors'), {})).toThrow(`saveSafetensors: cannot write '${join(file, 'm.safetensors')}': '${file}' is not a folder (a regular file)`);
  });

  it('writes strings as UTF-8 and refuses an empty path', () => {
    const path = join(dir, 'text.txt');
    writeFileAtomic(path, 'µ – ü');
    expect(readFileSync(path, 'utf8')).toBe('µ – ü');
    expect(() => writeFileAtomic('', 'x')).toThrow("writeFileAtomic: path must be a non-empty string, got ''");
    expect(() => writeFileAtomic(null as never, 'x')).toThrow('writeFileAtomic: path must be a non-empty string, got null');
    expect(() => writeFileAtomic(7 as never, 'x', 'myOp')).toThrow('myOp: path must be a non-empty string, got 7');
    expect(() => saveSafetensors('', {})).toThrow("saveSafetensors: path must be a non-empty string, got ''");
  });
});

describe('temp names and stale temps', () => {
  it('temp names are beside the target, carry pid and thread, and differ each time', () => {
    const target = join(dir, 'm.safetensors');
    const names = new Set(Array.from({ length: 50 }, () => tempNameFor(target)));
    expect(names.size).toBe(50);
    for (const n of names) expect(n).toMatch(new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/\\.m\\.safetensors\\.${process.pid}\\.${threadId}\\.[0-9a-f]{12}\\.tmp$`));
  });

  it('removes only temps of this target whose pid is a positive number that is not running', () => {
    const folder = mkdtempSync(join(dir, 'stale-'));
    const target = join(folder, 'm.safetensors');
    const keep = ['.m.safetensors.0.abc.tmp', '.m.safetensors.-5.abc.tmp', '.m.safetensors.abc.1.tmp', `.m.safetensors.${process.pid}.0.abc.tmp`,
      '.m.safetensors.abc.999999999.tmp', '.m.safetensors.1234567890123456789012345.abc.tmp',
      '.m.safetensors.999999999.abc.txt', 'm.safetensors.999999999.abc.tmp', '.mm.safetensors.999999999.abc.tmp', '.m.safetensors.1.abc.tmp'];
    const remove = ['.m.safetensors.999999999.abc.tmp', '.m.safetensors.999999998.1.f00.tmp'];
    for (const f of [...keep, ...remove]) writeFileSync(join(folder, f), '');
    expect(removeStaleTemps(target).sort()).toEqual([...remove].sort());
    expect(readdirSync(folder).sort()).toEqual([...keep].sort());
    expect(removeStaleTemps(join(dir, 'no-such-folder', 'm.safetensors'))).toEqual([]);
  });

  it('a pid that exists but belongs to another user (EPERM) is alive; ESRCH is dead', () => {
    const folder = mkdtempSync(join(dir, 'perm-'));
    const target = join(folder, 'm.safetensors');
    const name = '.m.safetensors.4242.1.abc.tmp';
    writeFileSync(join(folder, name), '');
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => {
      throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    });
    try {
      expect(removeStaleTemps(target)).toEqual([]);
      kill.mockImplementation(() => {
        throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
      });
      expect(removeStaleTemps(target)).toEqual([name]);
      expect(kill).toHaveBeenCalledWith(4242, 0);
    } finally {
      kill.mockRestore();
    }
  });
});

describe('encode and decode details', () => {
  it('refuses a tensor whose data is not the float array of its dtype (it would be saved as float bits)', () => {
    const t = randn([2], { seed: 1 });
    Object.defineProperty(t, 'data', { value: new Int32Array([1, 2]) });
    expect(() => encodeSafetensors({ ints: t })).toThrow(/^encodeSafetensors: 'ints' has dtype 'float32' over Int32Array\(2\): only float32 \(Float32Array\) and float64 \(Float64Array\) can be saved$/);
    const u = randn([2], { seed: 1, dtype: 'float64' });
    Object.defineProperty(u, 'data', { value: new Float32Array(2) });
    expect(() => encodeSafetensors({ mixed: u })).toThrow(/'mixed' has dtype 'float64' over Float32Array\(2\)/);
    const v = randn([2], { seed: 1 });
    Object.defineProperty(v, 'dtype', { value: 'float16' });
    expect(() => encodeSafetensors({ half: v }, undefined, 'saveCheckpoint')).toThrow(/^saveCheckpoint: 'half' has dtype 'float16'/);
  });

  it('a tensor may be named __proto__ (the header is not a plain object)', () => {
    const dict = new Map([['__proto__', randn([3], { seed: 2 })], ['constructor', randn([1], { seed: 3 })]]);
    const back = decodeSafetensors(encodeSafetensors(dict)).tensors;
    expect([...back.keys()].sort()).toEqual(['__proto__', 'constructor']);
    expect(Array.from(back.get('__proto__')!.data)).toEqual(Array.from(dict.get('__proto__')!.data));
  });

  it('__metadata__ must be an object of strings', () => {
    const file = (header: string) => {
      const json = new TextEncoder().encode(header);
      const out = new Uint8Array(8 + json.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    for (const meta of ['5', '"x"', '[1]', 'null']) {
      expect(() => decodeSafetensors(file(`{"__metadata__": ${meta}}`), 'm')).toThrow('loadSafetensors: m: __metadata__ must be an object of strings');
    }
    expect(decodeSafetensors(file('{"__metadata__": {"a": "b"}}'), 'm')).toEqual({ tensors: new Map(), metadata: { a: 'b' } });
    expect(decodeSafetensors(file('{}'), 'm').metadata).toBeNull();
  });

  it('empty tensors at the offset where a non-empty one starts load in either header order', () => {
    for (const names of [['e', 'w'], ['w', 'e']]) {
      const header = Object.fromEntries(names.map((n) => [n, n === 'e' ? { dtype: 'F32', shape: [0], data_offsets: [0, 0] } : { dtype: 'F32', shape: [1], data_offsets: [0, 4] }]));
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + 4);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      new DataView(out.buffer).setFloat32(8 + json.length, 2.5, true);
      const back = decodeSafetensors(out, 'z').tensors;
      expect(back.get('e')!.shape).toEqual([0]);
      expect(Array.from(back.get('w')!.data)).toEqual([2.5]);
    }
  });
});

describe('dtype codes', () => {
  const file = (dtype: string) => {
    const json = new TextEncoder().encode(JSON.stringify({ t: { dtype, shape: [1], data_offsets: [0, 8] } }));
    const out = new Uint8Array(8 + json.length + 8);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    return out;
  };

  it('names each safetensors dtype convgrad does not hold, and calls anything else unknown', () => {
    // integer types (I8 … U64) are read into float64 (integer-dtypes.ts): not among these
    const other = ['BOOL', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'F16', 'BF16', 'C64'];
    for (const code of other) {
      expect(() => decodeSafetensors(file(code), 'd')).toThrow(`loadSafetensors: d: tensor 't' has dtype ${code}, which convgrad does not support (F32, F64 or an integer type)`);
    }
    for (const code of ['f32', 'F128', '', 'toString', '__proto__', 'constructor']) {
      expect(() => decodeSafetensors(file(code), 'd')).toThrow(`loadSafetensors: d: tensor 't' has unknown dtype ${JSON.stringify(code)}`);
    }
    expect(decodeSafetensors(file('F64'), 'd').tensors.get('t')!.dtype).toBe('float64');
  });
});

describe('decode and load argument details', () => {
  it('names the source (default <buffer>), refuses a non-string source and bad entries', () => {
    expect(() => decodeSafetensors(new Uint8Array(3))).toThrow('loadSafetensors: <buffer>: file is 3 bytes');
    expect(() => decodeSafetensors(new Uint8Array(16), 5 as never)).toThrow('decodeSafetensors: source must be a string, got 5');
    const file = (header: unknown, dataBytes = 0) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    expect(() => decodeSafetensors(file({ a: null }), 'h')).toThrow("loadSafetensors: h: tensor 'a' must be an object with dtype, shape and data_offsets");
    expect(() => decodeSafetensors(file({ a: [1] }), 'h')).toThrow("tensor 'a' must be an object");
    expect(() => decodeSafetensors(file({ a: { shape: [1], data_offsets: [0, 4] } }, 4), 'h')).toThrow("loadSafetensors: h: tensor 'a' has no dtype string");
    expect(() => decodeSafetensors(file({ a: { dtype: 32, shape: [1], data_offsets: [0, 4] } }, 4), 'h')).toThrow("tensor 'a' has no dtype string");
    // the byte count is end − begin, also when begin is not 0
    expect(() => decodeSafetensors(file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [3], data_offsets: [4, 32] } }, 32), 'h'))
      .toThrow("tensor 'b' with shape [3] and dtype F32 needs 12 bytes but data_offsets [4, 32] hold 28");
  });

  it('refuses an empty path and a directory in this process (no child needed: neither can block)', () => {
    expect(() => loadSafetensors('')).toThrow("loadSafetensors: path must be a non-empty string, got ''");
    expect(() => loadSafetensors(dir)).toThrow(`loadSafetensors: ${dir}: not a regular file (a directory); checkpoints load only from regular files`);
  });
});

describe('encoder layout details', () => {
  it('orders tensors of one dtype by name, names non-string keys and non-tensors, pads the header minimally', () => {
    const t = (v: number) => new Tensor(new Float32Array([v]), [1]);
    const bytes = encodeSafetensors(new Map([['b', t(2)], ['a', t(1)], ['c', t(3)]]));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    const header = JSON.parse(text) as Record<string, { data_offsets: number[] }>;
    expect(['a', 'b', 'c'].map((k) => header[k].data_offsets)).toEqual([[0, 4], [4, 8], [8, 12]]);
    expect(n - text.trimEnd().length).toBeLessThan(8); // the smallest 8-aligned length
    expect(() => encodeSafetensors(new Map([[1 as never, t(1)]]))).toThrow('encodeSafetensors: tensor names must be strings, got 1');
    expect(() => encodeSafetensors({ a: 5 as never })).toThrow("encodeSafetensors: 'a' must be a Tensor, got 5");
  });

  it('shape messages list every dimension; a header length just past the file is refused as such', () => {
    const json = new TextEncoder().encode(JSON.stringify({ a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 8] } }));
    const out = new Uint8Array(8 + json.length + 8);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    expect(() => decodeSafetensors(out, 's')).toThrow("tensor 'a' with shape [2, 3] and dtype F32 needs 24 bytes but data_offsets [0, 8] hold 8");
    const past = out.slice();
    new DataView(past.buffer).setBigUint64(0, BigInt(past.length - 7), true);
    expect(() => decodeSafetensors(past, 's')).toThrow(`loadSafetensors: s: header length ${past.length - 7} exceeds the ${past.length - 8} bytes after the length field`);
  });
});
