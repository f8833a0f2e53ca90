// Elementwise loops over typed arrays with numpy broadcasting. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';
import { stridesOf, type Shape } from '../shape.ts';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

function sameShapeLoop(op: BinaryOp, a: TypedArray, b: TypedArray, out: TypedArray): void {
  const n = out.length;
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; break;
    case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; break;
    case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; break;
    case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; break;
  }
}

/** out[i] = a[i] (op) s, or s (op) a[i] when `scalarFirst` (a tensor against a one-element tensor). */
function scalarLoop(op: BinaryOp, a: TypedArray, s: number, out: TypedArray, scalarFirst: boolean): void {
  const n = out.length;
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + s; break;
    case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * s; break;
    case 'sub': if (scalarFirst) for (let i = 0; i < n; i++) out[i] = s - a[i]; else for (let i = 0; i < n; i++) out[i] = a[i] - s; break;
    case 'div': if (scalarFirst) for (let i = 0; i < n; i++) out[i] = s / a[i]; else for (let i = 0; i < n; i++) out[i] = a[i] / s; break;
  }
}

function apply(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case 'add': return x + y;
    case 'sub': return x - y;
    case 'mul': return x * y;
    case 'div': return x / y;
  }
}

/** Strides of `shape` seen from a broadcast output of rank `rank` (0 where the dimension is broadcast). */
function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const s = stridesOf(shape);
  const r = outShape.length;
  return outShape.map((_, i) => {
    const j = i - (r - shape.length);
    return j < 0 || shape[j] === 1 ? 0 : s[j];
  });
}

/** out[i] = a[i] (op) b[i] over the broadcast shape `outShape`. */
export function binaryBroadcast(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, out: TypedArray): void {
  if (a.length === out.length && b.length === out.length) return sameShapeLoop(op, a, b, out);
  if (b.length === 1 && a.length === out.length) return scalarLoop(op, a, b[0], out, false);
  if (a.length === 1 && b.length === out.length) return scalarLoop(op, b, a[0], out, true);
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const inner = rank === 0 ? 1 : outShape[rank - 1];
  const ia = rank === 0 ? 0 : sa[rank - 1];
  const ib = rank === 0 ? 0 : sb[rank - 1];
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let pa = 0, pb = 0;
  for (let o = 0; o < out.length; o += inner) {
    let qa = pa, qb = pb;
    for (let j = 0; j < inner; j++, qa += ia, qb += ib) out[o + j] = apply(op, a[qa], b[qb]);
    // advance the outer multi-index (odometer)
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      pa += sa[d];
      pb += sb[d];
      if (idx[d] < outShape[d]) break;
      pa -= sa[d] * outShape[d];
      pb -= sb[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

export function scale(x: TypedArray, s: number, out: TypedArray): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * s;
}
