// Vitest settings for `pnpm mutate` (Stryker) only, not CI: core and layers tests, the js kernels
// (so that mutants in src/kernels/*.ts are exercised), and the workspace packages resolved inside
// Stryker's sandbox copy (the node_modules links point at the unmutated originals).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@convgrad\/core$/, replacement: here('./packages/core/src/index.ts') },
      { find: /^@convgrad\/core\/testing$/, replacement: here('./packages/core/src/testing/index.ts') },
      { find: /^@convgrad\/layers$/, replacement: here('./packages/layers/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/core/test/**/*.test.ts', 'packages/layers/test/**/*.test.ts'],
    // benchmarks-like or wasm-only files that cannot kill a mutant in the mutated files
    exclude: ['packages/core/test/kernels-wasm.test.ts', '**/node_modules/**'],
    // (tests that run their work in child processes skip themselves: CONVGRAD_MUTATION_RUN)
    testTimeout: 60_000,
    pool: 'forks',
    setupFiles: [here('./vitest.setup.ts')],
    env: { CONVGRAD_BACKEND: 'js', CONVGRAD_MUTATION_RUN: '1' },
  },
});
