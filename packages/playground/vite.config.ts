// The playground as a user's Vite app: @convgrad/core and @convgrad/layers resolve through their `exports`
// maps with the browser conditions, to the BUILT dist/ (run `pnpm build` first; no workspace `source`).
// The dev and preview servers send COOP/COEP, so the page is cross-origin isolated and the wasm kernels use
// threads; the built site works from any static server (one thread without those headers).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { mnistAssets } from './plugins/mnist-asset.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: here('./'),
  base: './',
  plugins: [mnistAssets()],
  resolve: { conditions: ['module', 'browser', 'production'] },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@convgrad/core', '@convgrad/layers'] },
  server: { host: '127.0.0.1', headers: ISOLATION },
  preview: { host: '127.0.0.1', headers: ISOLATION },
  build: { outDir: here('./dist'), emptyOutDir: true, target: 'es2022', sourcemap: true },
});
