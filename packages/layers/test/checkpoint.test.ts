// safetensors checkpoints: round trip (values, dtypes, layout), and rejection of truncated, corrupt
// and mismatched files with the model left unchanged.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { randn, type Tensor } from '@convgrad/core';
import {
  BatchNorm1d, Conv2d, decodeSafetensors, encodeSafetensors, Flatten, Linear, loadCheckpoint, loadSafetensors,
  MAX_HEADER_BYTES, Module, ReLU, saveCheckpoint, Sequential,
} from '../src/index.ts';
import { checkProperty } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'convgrad-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A model mixing float32 and float64 parameters and BatchNorm buffers. */
class Mixed extends Module {
  net: Sequential;
  head: Linear;
  constructor(seed: number) {
    super();
    this.net = new Sequential(new Conv2d(1, 2, 3, { seed }), new ReLU(), new Flatten(), new Linear(8, 4, { seed: seed + 1 }), new BatchNorm1d(4));
    this.head = new Linear(4, 3, { seed: seed + 2, dtype: 'float64' });
  }
  forward(x: Tensor): Tensor {
    return this.head.call(this.net.call(x).to('float64'));
  }
}

const snapshot = (m: Module) => [...m.stateDict()].map(([k, v]) => [k, v.dtype, [...v.shape], Array.from(v.data)]);

/** A file from a header (object or raw text), data bytes, and optionally a forged header length. */
function fileBytes(header: object | string, data: Uint8Array = new Uint8Array(0), forgedLength?: bigint): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, forgedLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('round trip', () => {
  it('restores every value and dtype into a differently initialised model', () => {
    const a = new Mixed(1);
    a.call(randn([3, 1, 4, 4], { seed: 2 })); // moves BatchNorm's running stats
    const path = join(dir, 'mixed.safetensors');
    saveCheckpoint(path, a, { epoch: '3' });
    const b = new Mixed(10);
    expect(snapshot(b)).not.toEqual(snapshot(a));
    const report = loadCheckpoint(path, b);
    expect(report).toEqual({ missingKeys: [], unexpectedKeys: [], metadata: { epoch: '3' } });
    expect(snapshot(b)).toEqual(snapshot(a));
    const x = randn([2, 1, 4, 4], { seed: 3 });
    a.eval(); b.eval();
    expect(Array.from(b.call(x).data)).toEqual(Array.from(a.call(x).data));
  });

  it('writes the reference layout: u64 LE length, space-padded 8-aligned JSON, contiguous LE data', () => {
    const m = new Mixed(4);
    const bytes = encodeSafetensors(m.stateDict(), { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const text = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    expect(text.trimEnd().length).toBeGreaterThan(0);
    expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
    const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    expect(header.__metadata__).toEqual({ format: 'pt' });
    const entries = Object.entries(header).filter(([k]) => k !== '__metadata__');
    expect(entries.map(([k]) => k).sort()).toEqual([...m.stateDict().keys()].sort());
    // F64 tensors first (largest alignment), then by name; offsets tile the data exactly
    expect(entries.map(([, e]) => e.dtype)).toEqual([...entries.filter(([, e]) => e.dtype === 'F64'), ...entries.filter(([, e]) => e.dtype === 'F32')].map(([, e]) => e.dtype));
    let at = 0;
    for (const [name, e] of entries) {
      expect(e.data_offsets[0], name).toBe(at);
      const t = m.stateDict().get(name)!;
      expect(e.shape).toEqual([...t.shape]);
      const view = new DataView(bytes.buffer, 8 + n + at);
      for (let i = 0; i < t.size; i++) {
        expect(e.dtype === 'F64' ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true)).toBe(t.data[i]);
      }
      at = e.data_offsets[1];
    }
    expect(8 + n + at).toBe(bytes.length);
  });

  it('decodes what it encodes for any shapes (including empty and scalar) and both dtypes', () => {
    const arb = fc.array(fc.record({
      shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      dtype: fc.constantFrom('float32' as const, 'float64' as const),
      seed: fc.nat(1000),
    }), { maxLength: 5 });
    checkProperty(arb, (specs) => {
      const dict = new Map(specs.map((s, i) => [`t${i}`, randn(s.shape, { seed: s.seed, dtype: s.dtype })]));
      const back = decodeSafetensors(encodeSafetensors(dict)).tensors;
      expect([...back.keys()].sort()).toEqual([...dict.keys()].sort());
      for (const [k, t] of dict) {
        const u = back.get(k)!;
        expect([u.dtype, [...u.shape], Array.from(u.data)]).toEqual([t.dtype, [...t.shape], Array.from(t.data)]);
      }
    }, 30);
  });
});

describe('header order', () => {
  /** A file whose JSON header lists the tensors in `keyOrder` while their data lies in `dataOrder`. */
  function orderedFile(tensors: { name: string; dtype: 'F32' | 'F64'; values: number[] }[], keyOrder: number[], dataOrder: number[], shift?: { index: number; by: number }) {
    const offsets = new Map<number, [number, number]>();
    let at = 0;
    for (const i of dataOrder) {
      const bytes = tensors[i].values.length * (tensors[i].dtype === 'F64' ? 8 : 4);
      offsets.set(i, [at, at + bytes]);
      at += bytes;
    }
    const data = new Uint8Array(at);
    const view = new DataView(data.buffer);
    for (const [i, [begin]] of offsets) {
      tensors[i].values.forEach((v, k) => (tensors[i].dtype === 'F64' ? view.setFloat64(begin + 8 * k, v, true) : view.setFloat32(begin + 4 * k, v, true)));
    }
    if (shift) offsets.set(shift.index, offsets.get(shift.index)!.map((o) => o + shift.by) as [number, number]);
    const json = `{${keyOrder.map((i) => `${JSON.stringify(tensors[i].name)}:${JSON.stringify({ dtype: tensors[i].dtype, shape: [tensors[i].values.length], data_offsets: offsets.get(i) })}`).join(',')}}`;
    return fileBytes(json, data);
  }

  const caseArb = fc.uniqueArray(fc.oneof(fc.nat(30).map(String), fc.constantFrom('9', '10', 'a', 'B', 'layer.0.weight', '__proto__', 'é')), { minLength: 1, maxLength: 7 })
    .chain((names) => fc.record({
      tensors: fc.tuple(...names.map((name) => fc.record({
        name: fc.constant(name),
        dtype: fc.constantFrom('F32' as const, 'F64' as const),
        values: fc.array(fc.integer({ min: -1000, max: 1000 }).map((v) => v / 8), { maxLength: 4 }),
      }))),
      keyOrder: fc.shuffledSubarray(names.map((_, i) => i), { minLength: names.length }),
      dataOrder: fc.shuffledSubarray(names.map((_, i) => i), { minLength: names.length }),
    }));

  it("keys '9', '10' (JS puts integer-like keys first) load from the library's own files", () => {
    const dict = new Map([['9', randn([3], { seed: 1 })], ['10', randn([2], { seed: 2 })], ['a', randn([1], { seed: 3 })]]);
    const bytes = encodeSafetensors(dict);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))).toString('utf8'));
    expect(Object.keys(header)).toEqual(['9', '10', 'a']); // key order
    expect(header['10'].data_offsets[0]).toBe(0); // but '10' < '9' < 'a' in the data
    const back = decodeSafetensors(bytes).tensors;
    for (const [k, t] of dict) expect(Array.from(back.get(k)!.data)).toEqual(Array.from(t.data));
  });

  it('property: any key order against any data order loads every value; a shifted tensor is still rejected', () => {
    checkProperty(caseArb, ({ tensors, keyOrder, dataOrder }) => {
      const back = decodeSafetensors(orderedFile(tensors, keyOrder, dataOrder), 'f').tensors;
      expect([...back.keys()].sort()).toEqual(tensors.map((t) => t.name).sort());
      for (const t of tensors) {
        const u = back.get(t.name)!;
        expect([u.dtype, [...u.shape], Array.from(u.data)]).toEqual([t.dtype === 'F64' ? 'float64' : 'float32', [t.values.length], t.values]);
      }
      // moving one non-empty tensor's bytes by one element opens a hole or an overlap (or runs past the end)
      const index = tensors.findIndex((t) => t.values.length > 0);
      if (index < 0) return;
      for (const by of [-1, 1].map((d) => d * (tensors[index].dtype === 'F64' ? 8 : 4))) {
        const bad = orderedFile(tensors, keyOrder, dataOrder, { index, by });
        expect(() => decodeSafetensors(bad, 'f')).toThrow(/^loadSafetensors: f: .*(overlap|belong to no tensor|run past|cover \d+ bytes|non-negative integers)/);
      }
    }, 100);
  });
});

describe('rejecting bad files', () => {
  const valid = encodeSafetensors(new Map([['a', randn([2, 3], { seed: 1 })], ['b', randn([4], { seed: 2, dtype: 'float64' })]]));

  it('rejects every truncation of a valid file', () => {
    checkProperty(fc.integer({ min: 0, max: valid.length - 1 }), (cut) => {
      expect(() => decodeSafetensors(valid.subarray(0, cut), 'cut.safetensors')).toThrow(/^loadSafetensors: cut\.safetensors: /);
    }, 60);
  });

  it('names the problem: short file, header length beyond the file or the limit', () => {
    expect(() => decodeSafetensors(new Uint8Array(5), 'f')).toThrow(/file is 5 bytes, shorter than the 8-byte header length/);
    for (const n of [2n ** 63n, 2n ** 64n - 1n, 1000n]) {
      expect(() => decodeSafetensors(fileBytes('{}', new Uint8Array(16), n), 'f')).toThrow(new RegExp(`header length ${n} exceeds the 18 bytes after the length field`));
    }
    // a file big enough to hold a >100 MB header is still refused by the limit
    const big = new Uint8Array(MAX_HEADER_BYTES + 16);
    new DataView(big.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    expect(() => decodeSafetensors(big, 'big')).toThrow(/header length 100000001 exceeds the 100000000-byte limit/);
  });

  it('rejects corrupt headers: bad UTF-8, not JSON, not an object', () => {
    const cases: [Uint8Array, RegExp][] = [
      [(() => { const b = fileBytes('{"a":1}'); b[10] = 0xff; return b; })(), /header is not valid UTF-8/],
      [fileBytes('{"a": {"dtype": "F32",'), /header is not valid JSON/],
      [fileBytes('[1, 2]'), /header must be a JSON object starting with '\{'/],
      [fileBytes('{"a": 5}'), /tensor 'a' must be an object with dtype, shape and data_offsets/],
      [fileBytes({ __metadata__: { x: 1 } }), /__metadata__ 'x' must be a string/],
    ];
    for (const [bytes, message] of cases) expect(() => decodeSafetensors(bytes, 'f')).toThrow(message);
    // a header byte flipped inside a valid file
    const flipped = valid.slice();
    flipped[8] = 0x41;
    expect(() => decodeSafetensors(flipped, 'f')).toThrow(/^loadSafetensors: f: header must be a JSON object/);
  });

  it('rejects bad entries: dtype, shape, offsets out of range, size mismatch, overlaps, holes', () => {
    const data = new Uint8Array(32);
    const cases: [object, RegExp][] = [
      [{ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, /tensor 'a' has dtype F16, which convgrad does not support/],
      [{ a: { dtype: 'Q7', shape: [2], data_offsets: [0, 8] } }, /tensor 'a' has unknown dtype "Q7"/],
      [{ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, /tensor 'a' shape must be an array of non-negative integers, got \[-2\]/],
      [{ a: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, /shape must be an array of non-negative integers/],
      [{ a: { dtype: 'F32', shape: [2], data_offsets: [0] } }, /data_offsets must be \[begin, end\]/],
      [{ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, /data_offsets \[8, 0\] end before they begin/],
      [{ a: { dtype: 'F32', shape: [10], data_offsets: [0, 40] } }, /data_offsets \[0, 40\] run past the 32 bytes of data/],
      [{ a: { dtype: 'F32', shape: [3], data_offsets: [0, 32] } }, /shape \[3\] and dtype F32 needs 12 bytes but data_offsets \[0, 32\] hold 32/],
      [{ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] }, c: { dtype: 'F32', shape: [2], data_offsets: [24, 32] } },
        /tensor 'b' bytes \[8, 24\) overlap tensor 'a' \[0, 16\)/],
      [{ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [4], data_offsets: [16, 32] } }, /bytes \[8, 16\) of the data belong to no tensor/],
      [{ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, /the tensors cover 8 bytes of data but the file has 32/],
      [{ a: { dtype: 'F64', shape: [2 ** 26, 2 ** 26], data_offsets: [0, 32] } }, /needs 36028797018963970 bytes but data_offsets \[0, 32\] hold 32/],
      [{ a: { dtype: 'F64', shape: [1e300], data_offsets: [0, 32] } }, /shape must be an array of non-negative integers/],
    ];
    for (const [header, message] of cases) {
      expect(() => decodeSafetensors(fileBytes(header, data), 'bad.safetensors'), JSON.stringify(header)).toThrow(message);
    }
  });

  it('rejects a file that does not match the model and leaves the model unchanged', () => {
    const model = new Sequential(new Linear(4, 3, { seed: 1 }), new ReLU(), new Linear(3, 2, { seed: 2 }));
    const before = snapshot(model);
    const write = (name: string, m: Module) => {
      const p = join(dir, name);
      saveCheckpoint(p, m);
      return p;
    };
    const wrongShape = write('shape.safetensors', new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 5)));
    expect(() => loadCheckpoint(wrongShape, model)).toThrow(/^loadCheckpoint: .*shape\.safetensors does not match the model: '2\.weight' has shape \[5, 3\] but the module expects \[2, 3\]; '2\.bias' has shape \[5\]/);
    const missing = write('missing.safetensors', new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2, { bias: false })));
    expect(() => loadCheckpoint(missing, model)).toThrow(/missing\.safetensors does not match the model: missing keys: 2\.bias/);
    const extra = write('extra.safetensors', new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2), new BatchNorm1d(2)));
    expect(() => loadCheckpoint(extra, model)).toThrow(/unexpected keys: 3\.num_batches_tracked, 3\.bias, 3\.running_mean, 3\.running_var, 3\.weight/); // file order
    const f64 = write('f64.safetensors', new Sequential(new Linear(4, 3, { dtype: 'float64' }), new ReLU(), new Linear(3, 2)));
    expect(() => loadCheckpoint(f64, model)).toThrow(/'0\.weight' is float64 but the module's tensor is float32/);
    // a file whose last tensor is cut short is rejected before anything is copied
    const good = write('good.safetensors', new Sequential(new Linear(4, 3, { seed: 7 }), new ReLU(), new Linear(3, 2, { seed: 8 })));
    const truncated = join(dir, 'truncated.safetensors');
    writeFileSync(truncated, readFileSync(good).subarray(0, readFileSync(good).length - 4));
    expect(() => loadCheckpoint(truncated, model)).toThrow(/^loadCheckpoint: .*truncated\.safetensors: /);
    expect(() => loadCheckpoint(join(dir, 'nope.safetensors'), model)).toThrow(/nope\.safetensors: cannot read the file/);
    expect(snapshot(model)).toEqual(before);
    // non-strict loading accepts the extra keys and loads the rest
    expect(loadCheckpoint(extra, model, { strict: false }).unexpectedKeys.sort()).toEqual(['3.bias', '3.num_batches_tracked', '3.running_mean', '3.running_var', '3.weight']);
    expect(loadSafetensors(good).tensors.size).toBe(4);
  });
});
