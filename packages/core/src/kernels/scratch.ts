// Reusable scratch buffers so kernels do not allocate on every call.
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
