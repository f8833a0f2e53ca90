// Reusable scratch buffers so kernels do not allocate on every call.
import type { DType, TypedArray } from '../tensor.ts';

const buffers = new Map<string, TypedArray>();

/** A buffer of at least `n` elements, owned by `purpose`; contents are undefined. */
export function scratch(dtype: DType, purpose: string, n: number): TypedArray {
  const key = `${dtype}:${purpose}`;
  let buf = buffers.get(key);
  if (!buf || buf.length < n) {
    buf = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    buffers.set(key, buf);
  }
  return buf;
}
