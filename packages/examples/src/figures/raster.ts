// An RGBA pixel buffer with the few drawing primitives the figures need, written out as PNG via pngjs.
import { writeFileAtomic } from '@convgrad/layers';
import { PNG } from 'pngjs';
import { drawText } from './font.ts';

export type Rgb = readonly [number, number, number];

export class Raster {
  readonly png: PNG;
  constructor(readonly width: number, readonly height: number, background: Rgb = [255, 255, 255]) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`Raster: width and height must be positive integers, got ${width}×${height}`);
    }
    this.png = new PNG({ width, height });
    for (let i = 0; i < width * height; i++) this.setIndex(i, background);
  }

  private setIndex(i: number, [r, g, b]: Rgb): void {
    const d = this.png.data;
    d[4 * i] = r; d[4 * i + 1] = g; d[4 * i + 2] = b; d[4 * i + 3] = 255;
  }

  /** Sets one pixel; pixels outside the canvas are ignored. */
  set(x: number, y: number, color: Rgb): void {
    x = Math.round(x); y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.setIndex(y * this.width + x, color);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.set(x + i, y + j, color);
  }

  /** A line from (x0, y0) to (x1, y1), `thickness` pixels wide (Bresenham with a square pen). */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    x0 = Math.round(x0); y0 = Math.round(y0); x1 = Math.round(x1); y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    const lo = -Math.floor((thickness - 1) / 2), hi = lo + thickness;
    let err = dx + dy;
    for (;;) {
      for (let a = lo; a < hi; a++) for (let b = lo; b < hi; b++) this.set(x0 + a, y0 + b, color);
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x0 += sx; }
      if (e2 <= dx) { err += dx; y0 += sy; }
    }
  }

  text(s: string, x: number, y: number, color: Rgb, scale = 1): void {
    drawText(s, Math.round(x), Math.round(y), scale, (px, py) => this.set(px, py, color));
  }

  encode(): Buffer {
    return PNG.sync.write(this.png);
  }

  /** Writes the PNG atomically (the directory must exist). */
  save(path: string): void {
    writeFileAtomic(path, this.encode());
  }
}
