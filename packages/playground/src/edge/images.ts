// Input images of the experiment: the chapter's ring-and-cross (the example's sample image), a few generated
// ones, and an uploaded picture made grayscale and resized to the same square. Values in [0, 1], row-major.
import { makeSampleImage } from '@convgrad/examples/src/edge-kernel/sample-image.ts';

export const IMAGE_SIZE = 80;

type Gen = (u: number, v: number, x: number, y: number) => number;

function generate(size: number, f: Gen): Float64Array {
  const out = new Float64Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[y * size + x] = f((x + 0.5) / size, (y + 0.5) / size, x, y);
  return out;
}

/** A small deterministic hash → [0, 1) (for the "blocks" image). */
function hash(i: number, j: number): number {
  let h = Math.imul(i * 374761393 + j * 668265263, 1274126177) ^ 0x9e3779b9;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

export const IMAGE_PRESETS: Readonly<Record<string, { label: string; make: (size: number) => Float64Array }>> = {
  'ring-cross': { label: 'ring and cross (the chapter)', make: (s) => makeSampleImage(s) },
  checker: { label: 'checkerboard', make: (s) => generate(s, (_u, _v, x, y) => ((Math.floor(x / 8) + Math.floor(y / 8)) % 2 ? 1 : 0)) },
  rings: { label: 'concentric rings', make: (s) => generate(s, (u, v) => (Math.floor(Math.hypot(u - 0.5, v - 0.5) * 18) % 2 ? 1 : 0)) },
  blocks: { label: 'random gray blocks', make: (s) => generate(s, (_u, _v, x, y) => Math.round(hash(Math.floor(x / 5), Math.floor(y / 5)) * 4) / 4) },
  gradient: { label: 'diagonal stripes', make: (s) => generate(s, (_u, _v, x, y) => ((x + 2 * y) % 14 < 5 ? 1 : 0)) },
};

/** An uploaded image file as size×size grayscale in [0, 1] (Rec. 601 luma, drawn scaled to fill the square). */
export async function imageFromFile(file: Blob, size = IMAGE_SIZE): Promise<Float64Array> {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0, size, size);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, size, size).data;
  const out = new Float64Array(size * size);
  for (let i = 0; i < out.length; i++) out[i] = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
  return out;
}
