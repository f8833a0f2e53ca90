// Checkpoints as bytes, ArrayBuffers, Blobs and Files (the browser's way), and the browser platform's
// path-based functions, which must refuse with a message naming these helpers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConvgradError, randn, type Tensor } from '@convgrad/core';
import {
  BatchNorm1d, Flatten, Linear, loadCheckpoint, loadCheckpointFromBlob, loadCheckpointFromBytes, Module, ReLU, saveCheckpoint,
  Sequential, stateDictFromBlob, stateDictFromBytes, stateDictToBlob, stateDictToBytes,
} from '../src/index.ts';
import * as browser from '../src/platform/browser.ts';

const dir = mkdtempSync(join(tmpdir(), 'convgrad-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** float32 layers, a float64 head and BatchNorm buffers. */
class Net extends Module {
  body: Sequential;
  head: Linear;
  constructor(seed: number) {
    super();
    this.body = new Sequential(new Flatten(), new Linear(6, 4, { seed }), new BatchNorm1d(4), new ReLU());
    this.head = new Linear(4, 2, { seed: seed + 1, dtype: 'float64' });
  }
  forward(x: Tensor): Tensor {
    return this.head.call(this.body.call(x).to('float64'));
  }
}

const snapshot = (m: Module) => [...m.stateDict()].map(([k, v]) => [k, v.dtype, [...v.shape], Array.from(v.data)]);

function trained(seed: number): Net {
  const m = new Net(seed);
  m.call(randn([5, 2, 3], { seed: seed + 7 })); // moves BatchNorm's running statistics
  return m;
}

describe('state dict ↔ bytes', () => {
  it('round-trips a module through a Uint8Array, with metadata and both dtypes', () => {
    const a = trained(1);
    const bytes = stateDictToBytes(a, { epoch: '2' });
    expect(bytes).toBeInstanceOf(Uint8Array);
    const b = new Net(20);
    expect(snapshot(b)).not.toEqual(snapshot(a));
    expect(loadCheckpointFromBytes(bytes, b)).toEqual({ missingKeys: [], unexpectedKeys: [], metadata: { epoch: '2' } });
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it('writes exactly the bytes of saveCheckpoint, and reads the file saveCheckpoint wrote', () => {
    const a = trained(2);
    const path = join(dir, 'net.safetensors');
    saveCheckpoint(path, a, { note: 'x' });
    const file = new Uint8Array(readFileSync(path));
    expect(stateDictToBytes(a, { note: 'x' })).toEqual(file);
    expect(stateDictToBytes(a.stateDict(), { note: 'x' })).toEqual(file); // a state dict as well as a module
    const { tensors, metadata } = stateDictFromBytes(file);
    expect(metadata).toEqual({ note: 'x' });
    expect([...tensors.keys()].sort()).toEqual([...a.stateDict().keys()].sort());
    // and the other way: bytes made here load through the path-based loader
    const b = new Net(30);
    loadCheckpoint(path, b);
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it('accepts an ArrayBuffer and a view at an offset into a larger buffer', () => {
    const a = trained(3);
    const bytes = stateDictToBytes(a);
    const b = new Net(40);
    loadCheckpointFromBytes(bytes.slice().buffer, b);
    expect(snapshot(b)).toEqual(snapshot(a));
    const big = new Uint8Array(bytes.length + 13);
    big.set(bytes, 5);
    const c = new Net(50);
    loadCheckpointFromBytes(new DataView(big.buffer, 5, bytes.length), c);
    expect(snapshot(c)).toEqual(snapshot(a));
    expect([...stateDictFromBytes(big.subarray(5, 5 + bytes.length)).tensors.keys()].sort()).toEqual([...a.stateDict().keys()].sort());
  });

  it('refuses what is not bytes, and bytes that do not match the model, leaving the model unchanged', () => {
    const m = new Net(4);
    const before = snapshot(m);
    expect(() => loadCheckpointFromBytes('abc' as never, m)).toThrow(/^loadCheckpointFromBytes: expected a Uint8Array or an ArrayBuffer, got string$/);
    expect(() => stateDictFromBytes([1, 2, 3] as never)).toThrow(/^stateDictFromBytes: expected .* got Array$/);
    const other = stateDictToBytes(new Linear(6, 3, { seed: 1 }));
    expect(() => loadCheckpointFromBytes(other, m, {}, 'upload.safetensors')).toThrow(/^loadCheckpointFromBytes: upload\.safetensors does not match the model: /);
    expect(() => loadCheckpointFromBytes(stateDictToBytes(trained(5)).subarray(0, 40), m)).toThrow(ConvgradError);
    expect(snapshot(m)).toEqual(before);
  });
});

describe('state dict ↔ Blob / File', () => {
  it('round-trips through a Blob of type application/octet-stream', async () => {
    const a = trained(6);
    const blob = stateDictToBlob(a, { step: '9' });
    expect(blob).toBeInstanceOf(Blob);
    expect(blob.type).toBe('application/octet-stream');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(stateDictToBytes(a, { step: '9' }));
    const b = new Net(60);
    expect(await loadCheckpointFromBlob(blob, b)).toEqual({ missingKeys: [], unexpectedKeys: [], metadata: { step: '9' } });
    expect(snapshot(b)).toEqual(snapshot(a));
    const { tensors, metadata } = await stateDictFromBlob(blob);
    expect(metadata).toEqual({ step: '9' });
    expect(Array.from(tensors.get('head.weight')!.data)).toEqual(Array.from(a.head.weight.data));
  });

  it('reads a File and names it in errors', async () => {
    const a = trained(7);
    const file = new File([stateDictToBlob(a)], 'model.safetensors');
    const b = new Net(70);
    await loadCheckpointFromBlob(file, b);
    expect(snapshot(b)).toEqual(snapshot(a));
    const broken = new File([stateDictToBytes(a).subarray(0, 30) as BlobPart], 'broken.safetensors');
    await expect(stateDictFromBlob(broken)).rejects.toThrow(/^loadSafetensors: broken\.safetensors: /);
    const wrong = new File([stateDictToBytes(new Linear(2, 2, { seed: 1 })) as BlobPart], 'other.safetensors');
    await expect(loadCheckpointFromBlob(wrong, b)).rejects.toThrow(/^loadCheckpointFromBlob: other\.safetensors does not match the model/);
    expect(snapshot(b)).toEqual(snapshot(a));
    await expect(stateDictFromBlob(new Uint8Array(4) as never)).rejects.toThrow(/^stateDictFromBlob: expected a Blob or File, got Uint8Array$/);
  });
});

describe('the browser platform (#platform default condition)', () => {
  const m = new Linear(2, 2, { seed: 1 });
  const cases: [string, () => unknown, RegExp][] = [
    ['saveCheckpoint', () => browser.saveCheckpoint('m.safetensors', m), /stateDictToBlob\(module\)/],
    ['loadCheckpoint', () => browser.loadCheckpoint('m.safetensors', m), /loadCheckpointFromBlob\(blobOrFile, module\)/],
    ['saveSafetensors', () => browser.saveSafetensors('m.safetensors', m.stateDict()), /stateDictToBytes\(dict\)/],
    ['loadSafetensors', () => browser.loadSafetensors('m.safetensors'), /stateDictFromBlob\(blobOrFile\)/],
    ['writeFileAtomic', () => browser.writeFileAtomic('m.bin', new Uint8Array(1)), /a Blob/],
  ];
  it.each(cases)('%s throws a ConvgradError saying it is Node-only and naming the byte/Blob helper', (op, call, helper) => {
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConvgradError);
    expect((err as Error).message).toMatch(new RegExp(`^${op}: file paths work only in Node; in a browser use `));
    expect((err as Error).message).toMatch(helper);
  });
});
