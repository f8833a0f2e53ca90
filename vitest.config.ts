import { defineConfig } from 'vitest/config';

// The workspace runs from sources: the `source` export/import condition of @convgrad/core and
// @convgrad/layers points at src/*.ts (and #platform at src/platform/*.ts); published packages have
// no such condition and resolve to dist/. Vite's defaults are listed because setting conditions replaces them.
// The node-side tests resolve through `ssr.resolve.conditions` (vitest 4; `resolve.conditions` alone is not
// applied to them); packages/layers/test/platform-seam.test.ts checks that the sources are what runs.
const SOURCE = 'source';

export default defineConfig({
  resolve: { conditions: [SOURCE, 'module', 'browser', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE, 'module', 'node', 'development|production'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['./vitest.setup.ts'],
  },
});
