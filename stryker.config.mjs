// `pnpm mutate`: mutation testing (Stryker + its vitest runner) of core's ops, autograd and js
// kernels and of layers' optimizers and checkpoint I/O. Long (an hour or more on 2 cores): never
// part of CI. One group at a time: MUTATE_GROUP=io pnpm mutate (groups below, comma-separated).
const groups = {
  io: ['packages/layers/src/io/**/*.ts'],
  optim: ['packages/layers/src/optim/**/*.ts'],
  autograd: ['packages/core/src/autograd.ts'],
  ops: ['packages/core/src/ops/**/*.ts'],
  kernels: ['packages/core/src/kernels/*.ts'], // the js kernels; not the wasm glue or AssemblyScript
};
const chosen = (process.env.MUTATE_GROUP ?? Object.keys(groups).join(',')).split(',');
for (const g of chosen) if (!(g in groups)) throw new Error(`MUTATE_GROUP: unknown group '${g}' (${Object.keys(groups).join(', ')})`);
// MUTATE_FILES=<glob,…> (with MUTATE_TAG=<name>) narrows a run to some files, e.g. one file of a group
const files = process.env.MUTATE_FILES?.split(',');
const tag = process.env.MUTATE_TAG ?? (chosen.length === Object.keys(groups).length ? 'all' : chosen.join('-'));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  coverageAnalysis: 'perTest',
  // a shared 2-core machine: at most 2 test processes (MUTATE_CONCURRENCY=1 to be gentler)
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
  // A mutant's run times out after 3 × its covering tests' net time + timeoutMS + the dry run's
  // overhead (the imports of every test file, which bounds what a surviving mutant's run pays for
  // importing its covering files). A timed-out mutant counts as detected; endless loops (i++ → i--)
  // are common in the kernels and each one waits the whole timeout, so it is not made longer.
  timeoutMS: 10_000,
  timeoutFactor: 3,
  // the dry run (all covering tests, instrumented) outlasted the default 5 minutes on the loaded machine
  dryRunTimeoutMinutes: 20,
  mutate: files ?? chosen.flatMap((g) => groups[g]),
  ignorePatterns: ['out', 'dist', 'reports', '.stryker-tmp', 'stryker-summary.mjs', '**/*.tmp', 'packages/core/bench', 'packages/examples'],
  // event-recorder writes each tested mutant as it finishes (reports/mutation/<tag>.events/), so a run
  // stopped early still shows what it measured: node stryker-summary.mjs <tag>
  reporters: ['clear-text', 'progress-append-only', 'json', 'html', 'event-recorder'],
  eventReporter: { baseDir: `reports/mutation/${tag}.events` },
  jsonReporter: { fileName: `reports/mutation/${tag}.json` },
  htmlReporter: { fileName: `reports/mutation/${tag}.html` },
  // re-runs test only the mutants whose code or covering tests changed since the group's last run
  incremental: true,
  incrementalFile: `reports/mutation/${tag}.incremental.json`,
  tempDirName: `.stryker-tmp/${tag}`,
  // no tsconfig rewriting: it needs the TypeScript JS API, which TypeScript 7 (native) does not have
  tsconfigFile: 'stryker-sandbox-has-no-tsconfig.json',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
};
