// Integer tensors in safetensors files (PyTorch writes BatchNorm's num_batches_tracked as I64): read into
// float64, which holds every integer up to 2^53 exactly; a value beyond that is refused, never rounded.

/** Bytes per element of the integer dtypes convgrad reads. */
export const INTEGER_BYTES: Readonly<Record<string, number>> = { I8: 1, U8: 1, I16: 2, U16: 2, I32: 4, U32: 4, I64: 8, U64: 8 };

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Little-endian integers of dtype `code` from `bytes` into a new Float64Array; `fail` gets a message for
 * a 64-bit value that a float64 cannot hold exactly.
 */
export function readIntegers(bytes: Uint8Array, code: string, fail: (msg: string) => never): Float64Array {
  const size = bytes.length / INTEGER_BYTES[code];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    switch (code) {
      case 'I8': out[i] = view.getInt8(i); break;
      case 'U8': out[i] = view.getUint8(i); break;
      case 'I16': out[i] = view.getInt16(i * 2, true); break;
      case 'U16': out[i] = view.getUint16(i * 2, true); break;
      case 'I32': out[i] = view.getInt32(i * 4, true); break;
      case 'U32': out[i] = view.getUint32(i * 4, true); break;
      default: {
        const v = code === 'I64' ? view.getBigInt64(i * 8, true) : view.getBigUint64(i * 8, true);
        if (v > MAX_EXACT || v < -MAX_EXACT) fail(`${code} value ${v} at index ${i} is beyond ±2^53 and cannot be held exactly`);
        out[i] = Number(v);
      }
    }
  }
  return out;
}
