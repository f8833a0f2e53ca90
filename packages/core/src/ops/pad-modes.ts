// Non-zero padding of the last two dims (PyTorch's F.pad modes 'reflect', 'replicate', 'circular'):
// every output element copies one input element, so the op is a gather through a fixed index list and
// its backward the scatter-add (which sums the gradients of all copies of an element); both linear.
import { check, fmtShape } from '../errors.ts';
import type { Tensor } from '../tensor.ts';
import { fmtArg } from '../validate.ts';
import { gather } from './indexing.ts';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/** Source index of padded coordinate i ∈ [−before, size + after) along an axis of length `size`. */
function source(i: number, size: number, mode: Exclude<PaddingMode, 'zeros'>): number {
  if (mode === 'replicate') return Math.min(Math.max(i, 0), size - 1);
  if (mode === 'circular') return ((i % size) + size) % size;
  // reflect (the edge not repeated): mirrored at 0, then at size − 1
  const j = Math.abs(i);
  return j < size ? j : 2 * (size - 1) - j;
}

/**
 * x [..., H, W] padded by [top, bottom, left, right] in a non-zero mode. PyTorch's limits: reflect needs
 * each pad < the dim's size, circular ≤ the size (one wrap at most).
 */
export function padWithMode(x: Tensor, pads: readonly [number, number, number, number], mode: Exclude<PaddingMode, 'zeros'>, op = 'pad2d'): Tensor {
  const h = x.shape[x.rank - 2], w = x.shape[x.rank - 1];
  const [t, b, l, r] = pads;
  check(h > 0 && w > 0, op, () => `${mode} padding needs a non-empty spatial size, got ${fmtShape(x.shape)}`);
  const limits: [string, number, number][] = [['top', t, h], ['bottom', b, h], ['left', l, w], ['right', r, w]];
  for (const [side, p, size] of limits) {
    check(mode === 'replicate' || (mode === 'reflect' ? p < size : p <= size), op,
      () => `${mode} padding ${fmtArg([...pads])}: the ${side} pad ${p} must be ${mode === 'reflect' ? 'smaller than' : 'at most'} the dim's size ${size} (input ${fmtShape(x.shape)})`);
  }
  const ho = h + t + b, wo = w + l + r, planes = x.size / (h * w);
  const rows = Int32Array.from({ length: ho }, (_, y) => source(y - t, h, mode));
  const cols = Int32Array.from({ length: wo }, (_, c) => source(c - l, w, mode));
  const idx = new Int32Array(planes * ho * wo);
  // Stryker disable next-line EqualityOperator: p <= planes only adds a plane of writes past idx's end (length planes·ho·wo), which a typed array drops
  for (let p = 0, k = 0; p < planes; p++) {
    for (let y = 0; y < ho; y++) {
      const row = (p * h + rows[y]) * w;
      for (let c = 0; c < wo; c++) idx[k++] = row + cols[c];
    }
  }
  return gather(x, idx, [...x.shape.slice(0, -2), ho, wo]);
}

/** A padding mode named `name` in the messages, checked against PADDING_MODES. */
export function paddingModeArg(v: unknown, op: string, name: string): PaddingMode {
  check(PADDING_MODES.includes(v as PaddingMode), op, () => `${name} must be one of ${PADDING_MODES.map((m) => `'${m}'`).join(', ')}, got ${fmtArg(v)}`);
  return v as PaddingMode;
}
