// Summary of `pnpm mutate` runs, finished or not: node stryker-summary.mjs <tag> [<tag>…] (e.g. io, optim).
// Reads reports/mutation/<tag>.events/*-onMutantTested.json (one file per tested mutant) and prints
// the counts, the score (killed + timed out over all tested) and each survivor with its source line.
// Several tags (runs of one group at one commit, e.g. a stopped run and a run of the files it had not
// reached) are joined by mutant (file, place, mutator, replacement); a later tag's result wins. The first
// tag's plan says which of its group's mutants no run has tested yet.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const tags = process.argv.slice(2);
if (tags.length === 0) {
  console.error('usage: node stryker-summary.mjs <tag> [<tag>…]');
  process.exit(2);
}
const key = (fileName, { start, end }, mutatorName, replacement) =>
  `${fileName}:${start.line}:${start.column}-${end.line}:${end.column} ${mutatorName} ${replacement}`;
const joined = new Map();
for (const tag of tags) {
  const dir = `reports/mutation/${tag}.events`;
  for (const f of readdirSync(dir).filter((name) => name.endsWith('-onMutantTested.json')).sort()) {
    const r = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
    joined.set(key(r.fileName, r.location, r.mutatorName, r.replacement), r);
  }
}
const results = [...joined.values()];
const label = tags.join(' + ');
const count = (s) => results.filter((r) => r.status === s).length;
const detected = count('Killed') + count('Timeout');
const scored = results.filter((r) => r.status !== 'CompileError' && r.status !== 'RuntimeError' && r.status !== 'Ignored').length;
console.log(`${label}: ${results.length} tested: ${count('Killed')} killed, ${count('Timeout')} timed out, ${count('Survived')} survived, ${count('NoCoverage')} no coverage, ${count('Ignored')} ignored; score ${(100 * detected / Math.max(1, scored)).toFixed(2)} %`);
// the plan's locations count lines and columns from 0, the results' from 1
const planFile = readdirSync(`reports/mutation/${tags[0]}.events`).find((f) => f.endsWith('-onMutationTestingPlanReady.json'));
const oneBased = ({ start, end }) => ({ start: { line: start.line + 1, column: start.column + 1 }, end: { line: end.line + 1, column: end.column + 1 } });
if (planFile && tags.length > 1) {
  const plans = JSON.parse(readFileSync(`reports/mutation/${tags[0]}.events/${planFile}`, 'utf8')).mutantPlans;
  const untested = plans.filter(({ mutant: m }) => !joined.has(key(m.fileName, oneBased(m.location), m.mutatorName, m.replacement)));
  console.log(`  ${tags[0]}'s plan: ${plans.length} mutants, ${untested.length} not tested by these runs`);
  for (const { mutant: m } of untested.slice(0, 20)) console.log(`    untested: ${m.fileName}:${m.location.start.line + 1} ${m.mutatorName} → ${JSON.stringify(m.replacement).slice(0, 40)}`);
}
// per file, when a run covers several
const byFile = new Map();
for (const r of results) byFile.set(r.fileName, [...(byFile.get(r.fileName) ?? []), r]);
if (byFile.size > 1) {
  for (const [file, rs] of [...byFile].sort()) {
    const n = (st) => rs.filter((r) => r.status === st).length;
    const sc = rs.filter((r) => r.status !== 'CompileError' && r.status !== 'RuntimeError' && r.status !== 'Ignored').length;
    console.log(`  ${file}: ${rs.length} tested, ${n('Killed')} killed, ${n('Timeout')} timed out, ${n('Survived')} survived, ${n('NoCoverage')} no coverage; ${(100 * (n('Killed') + n('Timeout')) / Math.max(1, sc)).toFixed(1)} %`);
  }
}
const sources = new Map();
for (const r of results.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
  if (!sources.has(r.fileName)) sources.set(r.fileName, existsSync(r.fileName) ? readFileSync(r.fileName, 'utf8').split('\n') : []);
  const line = sources.get(r.fileName)[r.location.start.line - 1] ?? '';
  console.log(`  ${r.fileName}:${r.location.start.line} ${r.mutatorName} → ${JSON.stringify(r.replacement).slice(0, 50)} | ${line.trim().slice(0, 100)}`);
}
