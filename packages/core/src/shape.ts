import { check, fmtShape } from './errors.ts';
import { fmtArg } from './validate.ts';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** numpy broadcasting of two shapes; throws naming the op and both shapes when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    check(da === db || da === 1 || db === 1, op, () => `shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalizes axes (negative allowed) to sorted unique non-negative ints; undefined means all axes. */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number, op: string): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  check(typeof axes === 'number' || Array.isArray(axes), op, () => `axes must be a number or an array of numbers, got ${fmtArg(axes)}`);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const out = list.map((a) => {
    check(Number.isInteger(a) && a >= -rank && a < rank, op, () => `axis ${fmtArg(a)}${typeof axes === 'number' ? '' : ` of ${fmtArg(axes)}`} is out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
  check(new Set(out).size === out.length, op, `repeated axis in [${list.join(', ')}]`);
  return out.sort((x, y) => x - y);
}
