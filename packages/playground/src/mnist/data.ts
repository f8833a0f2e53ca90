// The MNIST assets of the site (build/mnist-asset.ts packs them): raw uint8 pixels and labels, gzipped,
// fetched and inflated with DecompressionStream. Sizes are checked, so a wrong or truncated file is an error.

export interface MnistSplit { images: Uint8Array; labels: Uint8Array; count: number }

export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;
/** byte → (byte/255 − mean)/std, as the Node example normalizes. */
export const NORMALIZED = Float32Array.from({ length: 256 }, (_, v) => (v / 255 - MNIST_MEAN) / MNIST_STD);

async function fetchBytes(name: string, expected: number): Promise<Uint8Array> {
  const url = new URL(`mnist/${name}`, document.baseURI);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`mnist: ${url.pathname}: HTTP ${res.status}`);
  let bytes = new Uint8Array(await res.arrayBuffer());
  // A server may already have undone the gzip (Content-Encoding); otherwise inflate here.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  if (bytes.length !== expected) throw new Error(`mnist: ${url.pathname} holds ${bytes.length} bytes, expected ${expected}`);
  return bytes;
}

const cache = new Map<string, Promise<MnistSplit>>();

/** One official split (train: 60,000, test: 10,000), loaded once per page. */
export function loadSplit(split: 'train' | 'test'): Promise<MnistSplit> {
  let p = cache.get(split);
  if (!p) {
    const count = split === 'train' ? 60_000 : 10_000;
    p = Promise.all([fetchBytes(`${split}-images.bin`, count * 784), fetchBytes(`${split}-labels.bin`, count)]).then(([images, labels]) => {
      for (let i = 0; i < count; i++) if (labels[i] > 9) throw new Error(`mnist: ${split} label ${i} is ${labels[i]}`);
      return { images, labels, count };
    });
    p.catch(() => cache.delete(split));
    cache.set(split, p);
  }
  return p;
}

/** The examples order[start, end) as a normalized [count, 1, 28, 28] batch and its labels. */
export function gatherBatch(s: MnistSplit, order: ArrayLike<number>, start: number, end: number): { x: Float32Array; y: Uint8Array; count: number } {
  const count = end - start;
  const x = new Float32Array(count * 784);
  const y = new Uint8Array(count);
  for (let b = 0; b < count; b++) {
    const i = order[start + b];
    for (let p = 0; p < 784; p++) x[b * 784 + p] = NORMALIZED[s.images[i * 784 + p]];
    y[b] = s.labels[i];
  }
  return { x, y, count };
}
