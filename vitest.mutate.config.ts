// Vitest settings for `pnpm mutate` (Stryker) only, not CI: core and layers tests, the js kernels
// (so that mutants in src/kernels/*.ts are exercised), and the workspace packages resolved inside
// Stryker's sandbox copy (the node_modules links point at the unmutated originals).
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Fast-check runs per property in mutation runs (CI: 40). Most properties fail on their first few
// runs when a mutant changes the math; 8 keeps a core run feasible on 2 cores. FC_RUNS=<n> overrides.
const FC_RUNS = 8;
// A run over core's groups only (autograd, ops, kernels) runs only core's tests: the score then says
// what core's own tests catch (layers' tests could only add kills, at a large cost in time).
const coreGroups = new Set(['autograd', 'ops', 'kernels']);
const chosen = (process.env.MUTATE_GROUP ?? '').split(',');
const coreOnly = chosen.every((g) => coreGroups.has(g));
// except the js optimizer kernels (kernels/optim.ts), which only layers' optimizer tests exercise
const optimTests = chosen.includes('kernels') ? ['packages/layers/test/optim*.test.ts'] : [];

// Order of test files in a mutant's run (Stryker stops at the first failure): a file that failed in the
// previous run first (it likely kills the next mutant of the same code), then files named like the
// mutated file (Stryker passes it as `related`: kernels/pool.ts → ops-nn-pool, pool-options…), then the
// quickest first — vitest's default runs the longest first, so every kill would pay for the slowest file.
const words = (file: string) => new Set(basename(file).replace(/\.test\.ts$|\.ts$/, '').split(/[^a-z0-9]+/i).filter((w) => w.length > 2));
class QuickFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const mutated = [...(this.ctx.config.related ?? [])].flatMap((f) => [...words(f)]);
    const rank = (f: TestSpecification) => {
      const s = cache.getFileTestResults(`${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`);
      const own = words(f.moduleId);
      return [s?.failed ? 0 : 1, mutated.some((w) => own.has(w)) ? 0 : 1, s?.duration ?? 0];
    };
    return [...files].sort((a, b) => {
      const ra = rank(a);
      const rb = rank(b);
      return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2];
    });
  }
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  // the `source` condition (as in vitest.config.ts) resolves #platform to src/platform/*.ts; inside the
  // sandbox that is the sandbox's copy
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  resolve: {
    conditions: ['source', 'module', 'node', 'development|production'],
    alias: [
      { find: /^@convgrad\/core$/, replacement: here('./packages/core/src/index.ts') },
      { find: /^@convgrad\/core\/testing$/, replacement: here('./packages/core/src/testing/index.ts') },
      { find: /^@convgrad\/layers$/, replacement: here('./packages/layers/src/index.ts') },
    ],
  },
  test: {
    include: coreOnly ? ['packages/core/test/**/*.test.ts', ...optimTests] : ['packages/core/test/**/*.test.ts', 'packages/layers/test/**/*.test.ts'],
    // benchmarks-like or wasm-only files that cannot kill a mutant in the mutated files, and the
    // platform-seam tests, which read the source text: in the sandbox that is Stryker's instrumented
    // copy (its header names `process` and `global`), so they fail whatever the mutant, and no mutator
    // adds or removes an import
    exclude: ['packages/core/test/kernels-wasm.test.ts', 'packages/*/test/platform-seam.test.ts', '**/node_modules/**'],
    // (tests that run their work in child processes skip themselves: CONVGRAD_MUTATION_RUN)
    testTimeout: 60_000,
    pool: 'forks',
    sequence: { sequencer: QuickFirst },
    setupFiles: [here('./vitest.setup.ts')],
    globalSetup: [here('./vitest.mutate.sandbox.ts')],
    env: { CONVGRAD_BACKEND: 'js', CONVGRAD_MUTATION_RUN: '1', FC_RUNS: process.env.FC_RUNS ?? String(FC_RUNS) },
  },
});
