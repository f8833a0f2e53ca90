// safetensors files by path (Node, behind #platform): the bytes are io/safetensors.ts's, the write is atomic,
// and a load reads only regular files, checking the size against the header before reading the data.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ConvgradError } from '@convgrad/core';
import { fmtArg } from '../checks.ts';
import type { StateDictLike } from '../module.ts';
import { encodeSafetensors, failer, headerLength, parseHeader, readTensors, type SafetensorsContents } from '../io/safetensors.ts';
import { fileKind, writeFileAtomic } from './atomic-write.ts';

/** Writes `dict` as a safetensors file, atomically (the old file survives a failed write). */
export function saveSafetensors(path: string, dict: StateDictLike, metadata?: Record<string, string>, op = 'saveSafetensors'): void {
  checkPath(path, op);
  writeFileAtomic(path, encodeSafetensors(dict, metadata, op), op);
}

function checkPath(path: unknown, op: string): asserts path is string {
  if (typeof path !== 'string' || path === '') throw new ConvgradError(op, `path must be a non-empty string, got ${fmtArg(path)}`);
}

/** Reads exactly `length` bytes at `position` (a file that shrank meanwhile is an error, not a short tensor). */
function readExactly(fd: number, length: number, position: number, fail: (msg: string) => never): Uint8Array {
  const out = new Uint8Array(length);
  let off = 0;
  while (off < length) {
    const n = readSync(fd, out, off, length - off, position + off);
    if (n === 0) fail(`file ended after ${position + off} bytes while reading (changed during the load?)`);
    off += n;
  }
  return out;
}

/**
 * Reads and validates a safetensors file (see decodeSafetensors). Only regular files are read (a
 * directory, FIFO or device such as /dev/zero is refused at once, without blocking), and the file
 * size is checked against the 8-byte length and the header before the tensor data is read.
 */
export function loadSafetensors(path: string, op = 'loadSafetensors'): SafetensorsContents {
  checkPath(path, op);
  const fail = failer(op, path);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ConvgradError(op, `${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) fail(`not a regular file (${fileKind(st)}); checkpoints load only from regular files`);
    const size = st.size;
    const n = headerLength(readExactly(fd, Math.min(8, size), 0, fail), size, fail);
    const dataLength = size - 8 - n;
    const header = parseHeader(readExactly(fd, n, 8, fail), dataLength, fail);
    return readTensors(header, readExactly(fd, dataLength, 8 + n, fail), fail);
  } catch (err) {
    if (err instanceof ConvgradError) throw err;
    throw new ConvgradError(op, `${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    closeSync(fd);
  }
}
