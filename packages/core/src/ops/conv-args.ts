// Parsing and checking of stride / padding / dilation arguments shared by the 2-D ops.
import { check, fmtShape } from '../errors.ts';
import type { Tensor } from '../tensor.ts';
import { checkTensor, fmtArg } from '../validate.ts';

export type Pair = [number, number];

/**
 * A number or an [h, w] pair; every entry an integer ≥ min (undefined: `fallback`; null and anything else
 * is refused). `context` (e.g. the shapes) ends the error message.
 */
export function pairArg(v: number | readonly number[] | undefined, fallback: number, name: string, op: string, min: number, context?: () => string): Pair {
  const p: unknown = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;
  check(Array.isArray(p) && p.length === 2 && p.every((x) => Number.isInteger(x) && x >= min), op,
    () => `${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer or an [h, w] pair of them, got ${fmtArg(v)}${context ? `: ${context()}` : ''}`);
  return [p[0], p[1]];
}

/** A number or [top, bottom, left, right]; non-negative integers. */
export function padding4(v: number | readonly number[], op: string): [number, number, number, number] {
  const p: unknown = typeof v === 'number' ? [v, v, v, v] : v;
  check(Array.isArray(p) && p.length === 4 && p.every((x) => Number.isInteger(x) && x >= 0), op,
    () => `padding must be a non-negative integer or [top, bottom, left, right], got ${fmtArg(v)}`);
  return [p[0], p[1], p[2], p[3]];
}

export function checkRankAtLeast(x: Tensor, rank: number, op: string, what = 'input'): void {
  checkTensor(x, op, what);
  check(x.rank >= rank, op, () => `${what} must have at least ${rank} dims (…, H, W), got shape ${fmtShape(x.shape)}`);
}
