// The #platform seam of the packages as the manifests declare it: every `source` target exists, the
// node and browser modules export the same names, and layers' and onnx's Node-only code stays under
// src/platform/ (core's own test: packages/core/test/platform-seam.test.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packages = fileURLToPath(new URL('../../', import.meta.url));

/** The file targets under the `source` condition of a package.json `exports`/`imports` value. */
function sourceTargets(map: unknown, underSource = false): string[] {
  if (typeof map === 'string') return underSource ? [map] : [];
  if (!map || typeof map !== 'object') return [];
  return Object.entries(map).flatMap(([k, v]) => sourceTargets(v, underSource || k === 'source'));
}

describe.each(['core', 'layers', 'onnx'])('@convgrad/%s', (name) => {
  const dir = join(packages, name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  it('has a source target for every entry point and for #platform, and each exists', () => {
    const targets = sourceTargets([manifest.exports, manifest.imports]);
    expect(targets).toContain('./src/index.ts');
    expect(targets).toEqual(expect.arrayContaining(['./src/platform/node.ts', './src/platform/browser.ts']));
    for (const t of targets) expect(statSync(join(dir, t)).isFile(), t).toBe(true);
    // the published manifest replaces both maps, without the source condition
    expect(sourceTargets([manifest.publishConfig.exports, manifest.publishConfig.imports])).toEqual([]);
    expect(Object.keys(manifest.publishConfig.exports)).toEqual(Object.keys(manifest.exports));
    expect(Object.keys(manifest.publishConfig.imports)).toEqual(Object.keys(manifest.imports));
  });

  it('exports the same names from platform/node.ts and platform/browser.ts', async () => {
    const node = await import(join(dir, 'src/platform/node.ts'));
    const browser = await import(join(dir, 'src/platform/browser.ts'));
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
  });
});

describe('the workspace', () => {
  it('runs its tests from the sources (vitest applies the source condition), not from a stale dist/', async () => {
    // without ssr.resolve.conditions in vitest.config.ts these would silently load dist/ (when built)
    expect((await import('@convgrad/core')).Tensor).toBe((await import('../../core/src/tensor.ts')).Tensor);
    expect((await import('@convgrad/core/testing')).gradcheck).toBe((await import('../../core/src/testing/gradcheck.ts')).gradcheck);
    expect((await import('@convgrad/layers')).Module).toBe((await import('../src/module.ts')).Module);
  });
});

describe.each([['layers', 15], ['onnx', 10]] as const)('@convgrad/%s outside src/platform/', (name, atLeast) => {
  const src = join(packages, name, 'src');
  const files = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));

  it('uses no node: module, process, Buffer or require (the browser bundle never sees them)', () => {
    const outside = files(src).filter((f) => !f.startsWith(join(src, 'platform')));
    expect(outside.length).toBeGreaterThan(atLeast);
    const offending = outside.flatMap((f) => readFileSync(f, 'utf8').split('\n')
      .map((line, i) => (/['"]node:|\bprocess\.|\bBuffer\b|\brequire\(/.test(line) ? `${f.slice(src.length + 1)}:${i + 1}: ${line.trim()}` : null))
      .filter((x) => x !== null));
    expect(offending).toEqual([]);
    expect(readFileSync(join(src, 'platform/browser.ts'), 'utf8')).not.toMatch(/['"]node:|\bprocess\.|\bBuffer\b/);
  });
});
