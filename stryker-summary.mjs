// Summary of a `pnpm mutate` run, finished or not: node stryker-summary.mjs <tag> (e.g. io, optim).
// Reads reports/mutation/<tag>.events/*-onMutantTested.json (one file per tested mutant) and prints
// the counts, the score (killed + timed out over all tested) and each survivor with its source line.
import { readdirSync, readFileSync } from 'node:fs';

const tag = process.argv[2];
if (!tag) {
  console.error('usage: node stryker-summary.mjs <tag>');
  process.exit(2);
}
const dir = `reports/mutation/${tag}.events`;
const results = readdirSync(dir).filter((f) => f.endsWith('-onMutantTested.json')).map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')));
const count = (s) => results.filter((r) => r.status === s).length;
const detected = count('Killed') + count('Timeout');
const scored = results.filter((r) => r.status !== 'CompileError' && r.status !== 'RuntimeError' && r.status !== 'Ignored').length;
console.log(`${tag}: ${results.length} tested: ${count('Killed')} killed, ${count('Timeout')} timed out, ${count('Survived')} survived, ${count('NoCoverage')} no coverage; score ${(100 * detected / Math.max(1, scored)).toFixed(2)} %`);
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
  if (!sources.has(r.fileName)) sources.set(r.fileName, readFileSync(r.fileName, 'utf8').split('\n'));
  const line = sources.get(r.fileName)[r.location.start.line - 1] ?? '';
  console.log(`  ${r.fileName}:${r.location.start.line} ${r.mutatorName} → ${JSON.stringify(r.replacement).slice(0, 50)} | ${line.trim().slice(0, 100)}`);
}
