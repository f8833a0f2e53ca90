// Adaptive pooling over the last two dims: output size given, windows by PyTorch's start/end formulas
// (output i of n reads [⌊i·H/n⌋, ⌈(i+1)·H/n⌉)). Same forward/backward nodes as maxPool2d/avgPool2d.
import { check, fmtShape } from '../errors.ts';
import type { Pool2dGeometry } from '../kernels/pool.ts';
import type { Tensor } from '../tensor.ts';
import { fmtArg } from '../validate.ts';
import { adaptiveAxis } from './pool-windows.ts';
import { avgPoolWith, maxPoolWith, poolInput } from './pool.ts';

/** A number (square), or [h, w] where null keeps that input dim (PyTorch's None). */
export type AdaptiveSize = number | readonly (number | null)[];

function adaptiveGeometry(x: Tensor, outputSize: AdaptiveSize, op: string): Pool2dGeometry {
  const { planes, h, w } = poolInput(x, op);
  const p = (typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize) as readonly (number | null)[];
  check(Array.isArray(p) && p.length === 2 && p.every((v) => v === null || (Number.isInteger(v) && v >= 1)), op,
    () => `outputSize must be a positive integer or an [h, w] pair of them (null keeps the input size), got ${fmtArg(outputSize)} for input ${fmtShape(x.shape)}`);
  const rows = adaptiveAxis(h, p[0] ?? h), cols = adaptiveAxis(w, p[1] ?? w);
  return { planes, h, w, rows, cols, plain2x2: false };
}

/** Average over adaptive windows: [..., H, W] → [..., oh, ow]. adaptiveAvgPool2d(x, 1) is global average pooling. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const g = adaptiveGeometry(x, outputSize, 'adaptiveAvgPool2d');
  return avgPoolWith(x, g, 'adaptiveAvgPool2d', { outputSize: [g.rows.start.length, g.cols.start.length] });
}

/** Max over adaptive windows; the gradient goes to the first maximum of each window (PyTorch). */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const g = adaptiveGeometry(x, outputSize, 'adaptiveMaxPool2d');
  return maxPoolWith(x, g, 'adaptiveMaxPool2d', { outputSize: [g.rows.start.length, g.cols.start.length] });
}
