// The chapter's figures 17-28 and 17-29 as PNG files, plus the loss curve.
import { join } from 'node:path';
import { writeGrayPng, writeLineChartPng } from '../figures/index.ts';
import type { EdgeKernelResult } from './experiment.ts';

/** Pixels per image pixel in the PNGs (80×80 is small on screen). */
export const FIGURE_SCALE = 4;

export const FIGURE_FILES = {
  image: 'edge-image.png',
  target: 'edge-target.png',
  prediction: 'edge-prediction.png',
  absDiff: 'edge-abs-diff.png',
  loss: 'edge-loss.png',
} as const;

function range(a: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < a.length; i++) { min = Math.min(min, a[i]); max = Math.max(max, a[i]); }
  return { min, max };
}

/** Writes the five figures into `dir` (which exists); returns their paths. */
export function writeEdgeKernelFigures(dir: string, r: EdgeKernelResult): string[] {
  const [, , h, w] = r.x.shape;
  const [, , oh, ow] = r.y.shape;
  const scale = FIGURE_SCALE;
  const paths = Object.values(FIGURE_FILES).map((f) => join(dir, f));
  const [image, target, prediction, absDiff, loss] = paths;
  writeGrayPng(image, r.x.data, h, w, { min: 0, max: 1, scale });
  // target and prediction share one gray scale so they can be compared by eye (figure 17-29)
  const yr = range(r.y.data);
  writeGrayPng(target, r.y.data, oh, ow, { ...yr, scale });
  writeGrayPng(prediction, r.z.data, oh, ow, { ...yr, scale });
  const diff = Float64Array.from(r.y.data, (v, i) => Math.abs(v - r.z.data[i]));
  writeGrayPng(absDiff, diff, oh, ow, { min: 0, scale }); // white = the largest difference
  writeLineChartPng(loss, [{ name: 'loss', values: r.fit.losses }], { logY: true, title: 'edge kernel: loss', xLabel: 'iteration' });
  return paths;
}
