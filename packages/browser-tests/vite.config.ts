// Bundles the test pages as a user's Vite app would: @convgrad/core and @convgrad/layers resolve
// through their `exports` maps with the browser conditions, to the BUILT dist/ (run `pnpm build` first).
// The workspace-only `source` condition is deliberately absent, and a guard refuses the build if any
// file of packages/*/src/ (the TypeScript sources) ends up in the bundle anyway.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** The bundle may contain only built code of the framework packages, never their TypeScript sources. */
function distOnly(): Plugin {
  return {
    name: 'convgrad-dist-only',
    enforce: 'pre',
    load(id) {
      if (/[\\/]packages[\\/](core|layers)[\\/]src[\\/]/.test(id)) {
        this.error(`the page bundle pulled in the source file ${id}: @convgrad packages must resolve to their dist/ (run \`pnpm build\`, and no 'source' condition)`);
      }
      return null;
    },
  };
}

export default defineConfig({
  root: here('./pages'),
  base: './',
  logLevel: 'warn',
  plugins: [distOnly()],
  resolve: {
    // Vite's default browser conditions, spelled out: no 'source', no 'node'.
    conditions: ['module', 'browser', 'production'],
  },
  worker: { format: 'es', plugins: () => [distOnly()] },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    // tfjs-backend-wasm starts its threads from `String(factoryFunction)` in a Blob worker: mangled names
    // of the enclosing scope would be undefined there ("e is not defined"). Test pages need no minifying.
    minify: false,
    sourcemap: true,
    rolldownOptions: {
      checks: { bundlerTimings: false }, // no "callbacks ran for …s" notes in the test output
      input: {
        smoke: here('./pages/smoke/index.html'),
        check: here('./pages/check/index.html'),
        bench: here('./pages/bench/index.html'),
      },
    },
  },
});
