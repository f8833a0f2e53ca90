// The MNIST assets of the site (plugins/mnist-asset.ts packs them): raw uint8 pixels and labels, gzipped,
// fetched and inflated with DecompressionStream. Sizes are checked, so a wrong or truncated file is an error.
// Batches are made by the Node example's environment-neutral helpers (packages/examples/src/mnist/batch.ts).
import type { MnistSplit } from '@convgrad/examples/src/mnist/batch.ts';

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
      return { images, labels, count, rows: 28, cols: 28 };
    });
    p.catch(() => cache.delete(split));
    cache.set(split, p);
  }
  return p;
}
