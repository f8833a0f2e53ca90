// A seeded random sample of the mutants of a `pnpm mutate` group, for an estimate of its score when a
// full run is too long for the machine (core's ops and kernels hold thousands of mutants):
//   MUTATE_FILES=$(node scripts/mutate-sample.mjs ops 300) MUTATE_GROUP=ops MUTATE_TAG=ops-sample pnpm mutate
// prints the sampled mutants' locations as Stryker mutate ranges (file:line:col-line:col, comma-separated),
// after listing them with Stryker's own instrumenter; the run then tests exactly those mutants (plus any
// other mutant that lies inside one of the ranges, e.g. an operator inside a sampled expression).
// Only innermost mutants on one line are sampled (see below): the estimate is for those.
// With n of N mutants sampled, the killed fraction estimates the group's score within about ±2·√(p(1−p)/n).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [group, nArg, seedArg] = process.argv.slice(2);
const groups = {
  autograd: ['packages/core/src/autograd.ts'],
  ops: readdirSync('packages/core/src/ops').filter((f) => f.endsWith('.ts')).map((f) => `packages/core/src/ops/${f}`),
  kernels: readdirSync('packages/core/src/kernels').filter((f) => f.endsWith('.ts')).map((f) => `packages/core/src/kernels/${f}`),
};
if (!(group in groups) || !(Number(nArg) > 0)) {
  console.error(`usage: node scripts/mutate-sample.mjs <${Object.keys(groups).join('|')}> <n> [seed]`);
  process.exit(2);
}
// the instrumenter is a dependency of @stryker-mutator/core, not of the workspace
const core = createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json');
const { Instrumenter } = await import(createRequire(core).resolve('@stryker-mutator/instrumenter'));
const quiet = { isDebugEnabled: () => false, debug() {}, info() {}, warn() {}, error() {}, trace() {}, isTraceEnabled: () => false };
const files = [...groups[group]].sort().map((name) => ({ name, mutate: true, content: readFileSync(name, 'utf8') }));
const { mutants } = await new Instrumenter(quiet).instrument(files, { plugins: null, excludedMutations: [], ignorers: [] });

// mulberry32: seeded, so that a sample is reproducible
let s = Number(seedArg ?? 20261128) >>> 0;
const rand = () => {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
// Single-line mutants only: a range around a multi-line one (a removed function or loop body) would take
// in every mutant inside it; those whole-block removals are left out of the estimate (said in its report).
// innermost ones only: the range of an outer mutant (a whole condition) would take in each mutant inside it
const within = (a, b) => a.fileName === b.fileName && a.location.start.line === b.location.start.line && a.location.end.line === b.location.end.line
  && a.location.start.column <= b.location.start.column && b.location.end.column <= a.location.end.column;
const sameSpot = (a, b) => a.location.start.column === b.location.start.column && a.location.end.column === b.location.end.column;
const pool = mutants.filter((m) => m.status === undefined && m.location.start.line === m.location.end.line
  && mutants.every((o) => !within(m, o) || sameSpot(m, o)));
for (let i = pool.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [pool[i], pool[j]] = [pool[j], pool[i]];
}
const sample = pool.slice(0, Math.min(Number(nArg), pool.length));
// Stryker's ranges: 1-based lines, columns as in its location (0-based start, inclusive end)
const range = (m) => `${m.fileName}:${m.location.start.line + 1}:${m.location.start.column}-${m.location.end.line + 1}:${m.location.end.column}`;
console.error(`${group}: ${mutants.length} mutants in ${files.length} files, ${pool.length} innermost on one line; sampled ${sample.length}`);
console.log(sample.map(range).join(','));
