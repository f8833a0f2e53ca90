// Elementwise loops over typed arrays with numpy broadcasting. No Tensor, no graph.
import type { TypedArray } from '../tensor.ts';
import { stridesOf, type Shape } from '../shape.ts';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

function sameShapeLoop(op: BinaryOp, a: TypedArray, b: TypedArray, out: TypedArray): void {
  const n = out.length;
  switch (op) {
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end (n = out.length), which a typed array drops
    case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; break;
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end (n = out.length), which a typed array drops
    case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; break;
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end (n = out.length), which a typed array drops
    case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; break;
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end (n = out.length), which a typed array drops
    case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; break;
  }
}

/** out[i] = a[i] (op) s, or s (op) a[i] when `scalarFirst` (a tensor against a one-element tensor). */
function scalarLoop(op: BinaryOp, a: TypedArray, s: number, out: TypedArray, scalarFirst: boolean): void {
  const n = out.length;
  switch (op) {
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end (n = out.length), which a typed array drops
    case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + s; break;
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end (n = out.length), which a typed array drops
    case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * s; break;
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end (n = out.length), which a typed array drops
    case 'sub': if (scalarFirst) for (let i = 0; i < n; i++) out[i] = s - a[i]; else for (let i = 0; i < n; i++) out[i] = a[i] - s; break;
    // Stryker disable next-line EqualityOperator: i <= n only adds a write past out's end (n = out.length), which a typed array drops
    case 'div': if (scalarFirst) for (let i = 0; i < n; i++) out[i] = s / a[i]; else for (let i = 0; i < n; i++) out[i] = a[i] / s; break;
  }
}

/** out[o + j] = a[pa + j·ia] (op) b[pb + j·ib] for j < n; the switch sits outside the loop. */
function rowLoop(op: BinaryOp, a: TypedArray, pa: number, ia: number, b: TypedArray, pb: number, ib: number, out: TypedArray, o: number, n: number): void {
  switch (op) {
    // Stryker disable next-line EqualityOperator: j <= n also writes out[o + n], the next row's first element (written again by the next row) or past out's end
    case 'add': for (let j = 0; j < n; j++) out[o + j] = a[pa + j * ia] + b[pb + j * ib]; break;
    // Stryker disable next-line EqualityOperator: j <= n also writes out[o + n], the next row's first element (written again by the next row) or past out's end
    case 'sub': for (let j = 0; j < n; j++) out[o + j] = a[pa + j * ia] - b[pb + j * ib]; break;
    // Stryker disable next-line EqualityOperator: j <= n also writes out[o + n], the next row's first element (written again by the next row) or past out's end
    case 'mul': for (let j = 0; j < n; j++) out[o + j] = a[pa + j * ia] * b[pb + j * ib]; break;
    // Stryker disable next-line EqualityOperator: j <= n also writes out[o + n], the next row's first element (written again by the next row) or past out's end
    case 'div': for (let j = 0; j < n; j++) out[o + j] = a[pa + j * ia] / b[pb + j * ib]; break;
  }
}

/** Strides of `shape` seen from a broadcast output of rank `rank` (0 where the dimension is broadcast). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const s = stridesOf(shape);
  const r = outShape.length;
  return outShape.map((_, i) => {
    const j = i - (r - shape.length);
    return j < 0 || shape[j] === 1 ? 0 : s[j];
  });
}

/**
 * Drops size-1 dims and merges neighbours that both operands walk the same way (both contiguous
 * across them, or both broadcast), so [N,C,H,W] ⊕ [1,C,1,1] runs as [N, C, H·W] rows.
 */
export function mergeDims(outShape: Shape, sa: number[], sb: number[]): { shape: number[]; sa: number[]; sb: number[] } {
  const shape: number[] = [], ma: number[] = [], mb: number[] = [];
  outShape.forEach((d, i) => {
    if (d === 1) return;
    const k = shape.length - 1;
    if (k >= 0 && ma[k] === sa[i] * d && mb[k] === sb[i] * d) {
      shape[k] *= d;
      ma[k] = sa[i];
      mb[k] = sb[i];
    } else {
      shape.push(d);
      ma.push(sa[i]);
      mb.push(sb[i]);
    }
  });
  if (shape.length === 0) return { shape: [1], sa: [0], sb: [0] };
  return { shape, sa: ma, sb: mb };
}

/** out[i] = a[i] (op) b[i] over the broadcast shape `outShape`. */
export function binaryBroadcast(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, out: TypedArray): void {
  if (a.length === out.length && b.length === out.length) return sameShapeLoop(op, a, b, out);
  if (b.length === 1 && a.length === out.length) return scalarLoop(op, a, b[0], out, false);
  if (a.length === 1 && b.length === out.length) return scalarLoop(op, b, a[0], out, true);
  const { shape, sa, sb } = mergeDims(outShape, broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape));
  const rank = shape.length;
  const inner = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  let pa = 0, pb = 0;
  for (let o = 0; o < out.length; o += inner) {
    rowLoop(op, a, pa, ia, b, pb, ib, out, o, inner);
    // advance the outer multi-index (odometer)
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      pa += sa[d];
      pb += sb[d];
      if (idx[d] < shape[d]) break;
      pa -= sa[d] * shape[d];
      pb -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function scale(x: TypedArray, s: number, out: TypedArray): void {
  // Stryker disable next-line EqualityOperator: i <= x.length only adds a write past the end of out (as long as x), which a typed array drops
  for (let i = 0; i < x.length; i++) out[i] = x[i] * s;
}
