// Checkpoints without files, for browsers (and anywhere): a state dict as safetensors bytes in a
// Uint8Array, ArrayBuffer, Blob or File. The bytes are the same as saveCheckpoint's file, so a checkpoint
// saved in Node loads in a page and back, and PyTorch reads them with safetensors.torch.load(bytes).
// Names follow safetensors.torch.save/load (bytes) and Module.stateDict; the path-based saveCheckpoint and
// loadCheckpoint are Node-only.
import { ConvgradError } from '@convgrad/core';
import { Module, type LoadStateDictOptions, type StateDictLike } from '../module.ts';
import type { CheckpointLoadResult } from '../platform/types.ts';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from './safetensors.ts';

/** Bytes accepted by the loaders: a Uint8Array (or any typed-array view) or an ArrayBuffer. */
export type BytesLike = ArrayBufferView | ArrayBuffer;

const MIME = 'application/octet-stream';

function stateOf(source: Module<any, any> | StateDictLike): StateDictLike {
  return source instanceof Module ? source.stateDict() : source;
}

function asBytes(op: string, bytes: BytesLike): Uint8Array {
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new ConvgradError(op, `expected a Uint8Array or an ArrayBuffer, got ${describe(bytes)}`);
}

function describe(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}

async function blobBytes(op: string, blob: Blob): Promise<{ bytes: Uint8Array; source: string }> {
  if (typeof (blob as Blob | undefined)?.arrayBuffer !== 'function') throw new ConvgradError(op, `expected a Blob or File, got ${describe(blob)}`);
  const name = (blob as Partial<File>).name;
  return { bytes: new Uint8Array(await blob.arrayBuffer()), source: typeof name === 'string' && name !== '' ? name : '<blob>' };
}

/** The safetensors bytes of `source`'s state dict (a Module or a state dict), as `safetensors.torch.save`. */
export function stateDictToBytes(source: Module<any, any> | StateDictLike, metadata?: Record<string, string>): Uint8Array {
  return encodeSafetensors(stateOf(source), metadata);
}

/**
 * The same bytes as a Blob (`application/octet-stream`), to download (`URL.createObjectURL`), store
 * (IndexedDB, Cache) or upload; `new File([blob], 'model.safetensors')` names it.
 */
export function stateDictToBlob(source: Module<any, any> | StateDictLike, metadata?: Record<string, string>): Blob {
  return new Blob([stateDictToBytes(source, metadata) as Uint8Array<ArrayBuffer>], { type: MIME });
}

/** Parses and validates safetensors bytes (see decodeSafetensors); `source` names them in errors. */
export function stateDictFromBytes(bytes: BytesLike, source = '<bytes>'): SafetensorsContents {
  return decodeSafetensors(asBytes('stateDictFromBytes', bytes), source);
}

/** Reads a Blob or File (e.g. from `<input type="file">` or `fetch(url).then((r) => r.blob())`) as stateDictFromBytes. */
export async function stateDictFromBlob(blob: Blob): Promise<SafetensorsContents> {
  const { bytes, source } = await blobBytes('stateDictFromBlob', blob);
  return decodeSafetensors(bytes, source);
}

/**
 * Loads checkpoint bytes into `module` as loadCheckpoint loads a file: the bytes are validated, then their
 * tensors against the module (keys when strict, shapes and dtypes always), and only then copied, so
 * rejected bytes leave the module unchanged. Returns the key report and the metadata.
 */
export function loadCheckpointFromBytes(bytes: BytesLike, module: Module<any, any>, options: LoadStateDictOptions = {}, source = '<bytes>'): CheckpointLoadResult {
  return loadContents('loadCheckpointFromBytes', decodeSafetensors(asBytes('loadCheckpointFromBytes', bytes), source), source, module, options);
}

/** loadCheckpointFromBytes for a Blob or File (its name appears in errors). */
export async function loadCheckpointFromBlob(blob: Blob, module: Module<any, any>, options: LoadStateDictOptions = {}): Promise<CheckpointLoadResult> {
  const { bytes, source } = await blobBytes('loadCheckpointFromBlob', blob);
  return loadContents('loadCheckpointFromBlob', decodeSafetensors(bytes, source), source, module, options);
}

function loadContents(op: string, { tensors, metadata }: SafetensorsContents, source: string, module: Module<any, any>, options: LoadStateDictOptions): CheckpointLoadResult {
  const { problems } = module.checkStateDict(tensors, options);
  if (problems.length > 0) throw new ConvgradError(op, `${source} does not match the model: ${problems.join('; ')}`);
  return { ...module.loadStateDict(tensors, options), metadata };
}
