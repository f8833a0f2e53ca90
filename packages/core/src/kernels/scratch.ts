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

const f64 = new Map<string, Float64Array>();
const i32 = new Map<string, Int32Array>();

/** A float64 buffer of at least `n` elements, owned by `purpose` (kernels compute in float64 whatever the dtype). */
export function float64Scratch(purpose: string, n: number): Float64Array {
  let buf = f64.get(purpose);
  if (!buf || buf.length < n) {
    buf = new Float64Array(Math.max(n, 16));
    f64.set(purpose, buf);
  }
  return buf;
}

/** An int32 buffer of at least `n` elements (index tables), owned by `purpose`. */
export function int32Scratch(purpose: string, n: number): Int32Array {
  let buf = i32.get(purpose);
  if (!buf || buf.length < n) {
    buf = new Int32Array(Math.max(n, 16));
    i32.set(purpose, buf);
  }
  return buf;
}
