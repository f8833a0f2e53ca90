// Sum over axes. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';
import { stridesOf, type Shape } from '../shape.ts';

/**
 * out (shape = `shape` with `axes` set to 1) = sum of x over `axes`; accumulates in float64.
 */
export function sumAxes(x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  const reduced = new Set(axes);
  const keptShape = shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const ks = stridesOf(keptShape);
  const os = shape.map((_, i) => (reduced.has(i) ? 0 : ks[i]));
  const acc = new Float64Array(out.length);
  if (rank === 0) {
    acc[0] = x[0];
  } else {
    const inner = shape[rank - 1];
    const io = os[rank - 1];
    const idx = new Array<number>(rank - 1).fill(0);
    let po = 0;
    for (let p = 0; p < x.length; p += inner) {
      if (io === 0) {
        let s = 0;
        for (let j = 0; j < inner; j++) s += x[p + j];
        acc[po] += s;
      } else {
        for (let j = 0; j < inner; j++) acc[po + j] += x[p + j];
      }
      for (let d = rank - 2; d >= 0; d--) {
        idx[d]++;
        po += os[d];
        if (idx[d] < shape[d]) break;
        po -= os[d] * shape[d];
        idx[d] = 0;
      }
    }
  }
  out.set(acc);
}
