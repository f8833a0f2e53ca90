// safetensors files by path (Node): the bytes come from io/safetensors.ts, the write is atomic.
import { readFileSync } from 'node:fs';
import { ConvgradError } from '@convgrad/core';
import type { StateDictLike } from '../module.ts';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from '../io/safetensors.ts';
import { writeFileAtomic } from './atomic-write.ts';

/** Writes `dict` as a safetensors file, atomically (the old file survives a failed write). */
export function saveSafetensors(path: string, dict: StateDictLike, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(dict, metadata));
}

/** Reads and validates a safetensors file (see decodeSafetensors). */
export function loadSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ConvgradError('loadSafetensors', `${path}: cannot read the file (${(err as Error).message})`);
  }
  return decodeSafetensors(bytes, path);
}
