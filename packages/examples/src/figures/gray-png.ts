// A grayscale image of an H×W array of numbers: values in [min, max] map linearly to 0..255.
import { writeFileAtomic } from '@convgrad/layers';
import { PNG } from 'pngjs';

export interface GrayPngOptions {
  /** Value drawn black; default the smallest finite value. */
  min?: number;
  /** Value drawn white; default the largest finite value. */
  max?: number;
  /** Each value becomes a scale×scale block (nearest neighbour); default 1. */
  scale?: number;
}

/** Encodes `values` (row-major, h×w) as an 8-bit grayscale PNG (RGBA with equal channels). */
export function encodeGrayPng(values: ArrayLike<number>, h: number, w: number, options: GrayPngOptions = {}): Buffer {
  const scale = options.scale ?? 1;
  for (const [name, v] of [['h', h], ['w', w], ['scale', scale]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`writeGrayPng: ${name} must be a positive integer, got ${v}`);
  }
  if (values.length !== h * w) throw new RangeError(`writeGrayPng: ${values.length} values do not fill ${h}×${w}`);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  const min = options.min ?? (Number.isFinite(lo) ? lo : 0);
  const max = options.max ?? (Number.isFinite(hi) ? hi : 1);
  const span = max > min ? max - min : 1;
  const png = new PNG({ width: w * scale, height: h * scale });
  for (let y = 0; y < h * scale; y++) {
    for (let x = 0; x < w * scale; x++) {
      const v = values[Math.floor(y / scale) * w + Math.floor(x / scale)];
      const level = Number.isFinite(v) ? Math.round(Math.min(1, Math.max(0, (v - min) / span)) * 255) : 0;
      const o = 4 * (y * w * scale + x);
      png.data[o] = png.data[o + 1] = png.data[o + 2] = level;
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** Writes `values` as a grayscale PNG at `path` (atomically; the directory must exist). */
export function writeGrayPng(path: string, values: ArrayLike<number>, h: number, w: number, options: GrayPngOptions = {}): void {
  writeFileAtomic(path, encodeGrayPng(values, h, w, options));
}
