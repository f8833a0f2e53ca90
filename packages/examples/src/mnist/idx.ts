// Reader for the IDX format the MNIST files are stored in (LeCun et al.): a 4-byte magic number
// [0, 0, type, rank], `rank` big-endian uint32 dimension sizes, then the values row-major.
// Only unsigned bytes (type 0x08) are supported; that is all MNIST uses. Gzipped files are accepted.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export class IdxError extends Error {
  override name = 'IdxError';
}

export interface IdxArray {
  /** Dimension sizes from the header, e.g. [60000, 28, 28]. */
  shape: number[];
  /** The values, row-major (a view into the file's bytes). */
  data: Uint8Array;
}

const UBYTE = 0x08;

/** Parses an IDX byte buffer; `what` names the source in error messages. */
export function parseIdx(bytes: Uint8Array, what = 'IDX data'): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new IdxError(`idx: ${what} looks gzipped but does not decompress: ${(e as Error).message}`);
    }
  }
  if (bytes.length < 4) throw new IdxError(`idx: ${what} is ${bytes.length} bytes, too short for the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = bytes[2], rank = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || rank === 0) {
    throw new IdxError(`idx: ${what} has magic number 0x${magic.toString(16).padStart(8, '0')}, not an IDX file (expected 0x0000TTRR)`);
  }
  if (type !== UBYTE) {
    throw new IdxError(`idx: ${what} stores type 0x${type.toString(16)}, only unsigned bytes (0x08) are supported`);
  }
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) throw new IdxError(`idx: ${what} is ${bytes.length} bytes, too short for a rank-${rank} header (${headerSize} bytes)`);
  const shape: number[] = [];
  let size = 1;
  for (let d = 0; d < rank; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    shape.push(n);
    size *= n;
  }
  const body = bytes.length - headerSize;
  if (body !== size) {
    throw new IdxError(`idx: ${what} header says shape [${shape.join(', ')}] (${size} bytes of data) but the file holds ${body} bytes after the header${body < size ? ' (truncated?)' : ''}`);
  }
  return { shape, data: bytes.subarray(headerSize) };
}

/** Reads and parses an IDX file (optionally gzipped). */
export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new IdxError(`idx: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseIdx(bytes, path);
}

/** Encodes unsigned bytes as an IDX buffer (used by tests to make small files). */
export function encodeIdx(shape: readonly number[], data: ArrayLike<number>): Uint8Array {
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = shape.length;
  shape.forEach((n, d) => view.setUint32(4 + 4 * d, n, false));
  out.set(data, header);
  return out;
}
