// Draws a row-major matrix into a canvas, one canvas pixel per entry (CSS scales it up, pixelated).
import type { Rgb } from './colors.ts';

export function drawMatrix(canvas: HTMLCanvasElement, values: ArrayLike<number>, rows: number, cols: number, color: (v: number) => Rgb): void {
  if (canvas.width !== cols) canvas.width = cols;
  if (canvas.height !== rows) canvas.height = rows;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const [r, g, b] = color(values[i]);
    img.data[4 * i] = r; img.data[4 * i + 1] = g; img.data[4 * i + 2] = b; img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** max |v| (at least tiny, so that scaling by it is safe). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 1e-12;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}
