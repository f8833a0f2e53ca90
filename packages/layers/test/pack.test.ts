// The packages as a user gets them: `pnpm pack` core, layers and onnx (after `pnpm build`, which the root `pnpm test` runs
// first), check what the tarballs hold, `npm install` them into a fresh project outside the workspace, run a
// plain `node` ESM script against them (pack-app/app.mjs) and type-check a strict TypeScript file against
// the shipped .d.ts (pack-app/app.ts), as NodeNext and as a bundler (Vite) project would resolve them.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = { core: '@convgrad/core', layers: '@convgrad/layers', onnx: '@convgrad/onnx' } as const;
const tmp = mkdtempSync(join(tmpdir(), 'convgrad-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The environment of the child processes: without the npm_* variables of the pnpm run that started vitest,
 * and without CONVGRAD_* settings (a `CONVGRAD_BACKEND=js pnpm test` run still checks a default install).
 */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|CONVGRAD_)/i.test(k)));

function run(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

interface Packed { file: string; manifest: Record<string, any>; entries: string[] }
const packed: Partial<Record<keyof typeof PACKAGES, Packed>> = {};

beforeAll(async () => {
  for (const dir of Object.keys(PACKAGES)) {
    if (!existsSync(join(root, 'packages', dir, 'dist', 'index.js'))) throw new Error(`packages/${dir}/dist is missing: run \`pnpm build\` first (the root \`pnpm test\` does)`);
  }
  for (const [dir, name] of Object.entries(PACKAGES) as [keyof typeof PACKAGES, string][]) {
    await run('npx', ['-y', 'pnpm@12.4.2', 'pack', '--pack-destination', tmp], join(root, 'packages', dir));
    const file = join(tmp, `${name.slice(1).replace('/', '-')}-0.1.0.tgz`);
    const manifest = JSON.parse(await run('tar', ['-xzOf', file, 'package/package.json'], tmp));
    const entries = (await run('tar', ['-tzf', file], tmp)).split('\n').filter(Boolean).map((e) => e.replace(/^package\//, ''));
    packed[dir] = { file, manifest, entries };
  }
  writeFileSync(join(tmp, 'package.json'), JSON.stringify({
    name: 'convgrad-user', private: true, type: 'module',
    dependencies: { '@convgrad/core': `file:./${packed.core!.file.split('/').pop()}`, '@convgrad/layers': `file:./${packed.layers!.file.split('/').pop()}`,
      '@convgrad/onnx': `file:./${packed.onnx!.file.split('/').pop()}`, 'fast-check': '^4.3.0' },
  }, null, 2));
  cpSync(fileURLToPath(new URL('./pack-app', import.meta.url)), tmp, { recursive: true });
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], tmp, 180_000);
}, 240_000);

/** Every file path named in a package.json `exports`/`imports` value. */
function targets(map: unknown): string[] {
  if (typeof map === 'string') return [map];
  if (map && typeof map === 'object') return Object.values(map).flatMap(targets);
  return [];
}

describe('the tarballs', () => {
  it.each(Object.keys(PACKAGES) as (keyof typeof PACKAGES)[])('%s: real version ranges, no install-time scripts, no workspace-only condition', (dir) => {
    const { manifest } = packed[dir]!;
    const deps = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
    for (const [dep, range] of Object.entries(deps)) expect(range, dep).toMatch(/^[\^~]?\d+\.\d+\.\d+$/);
    if (dir !== 'core') expect(manifest.dependencies['@convgrad/core']).toBe('^0.1.0');
    if (dir === 'onnx') expect(manifest.dependencies['@convgrad/layers']).toBe('^0.1.0');
    if (dir === 'core') {
      expect(manifest.dependencies?.['fast-check']).toBeUndefined(); // only ./testing needs it: an optional peer
      expect(manifest.peerDependenciesMeta?.['fast-check']).toEqual({ optional: true });
    }
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts?.[s], s).toBeUndefined();
    const text = JSON.stringify({ exports: manifest.exports, imports: manifest.imports });
    expect(text).not.toContain('source');
    expect(text).not.toContain('src/');
  });

  it.each(Object.keys(PACKAGES) as (keyof typeof PACKAGES)[])('%s: holds dist (JS, .d.ts, maps) and README, and every exported path, but no sources, tests or benches', (dir) => {
    const { manifest, entries } = packed[dir]!;
    for (const t of targets([manifest.exports, manifest.imports])) expect(entries, t).toContain(t.replace(/^\.\//, ''));
    expect(entries).toContain('README.md');
    const top = new Set(entries.map((e) => e.split('/')[0]));
    expect([...top].sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(entries.filter((e) => e.endsWith('.ts') && !e.endsWith('.d.ts'))).toEqual([]);
    expect(entries.filter((e) => /(^|\/)(test|bench|as)\//.test(e))).toEqual([]);
    expect(entries).toContain('dist/index.js.map');
    if (dir === 'core') {
      for (const f of ['dist/kernels/wasm/build/convgrad.wasm', 'dist/kernels/wasm/build/convgrad-relaxed.wasm']) expect(entries).toContain(f);
      // every worker script beside the code that loads it
      const workers = readdirRecursive(join(root, 'packages/core/src')).filter((f) => f.endsWith('.mjs'));
      expect(workers.length).toBeGreaterThan(0);
      for (const w of workers) expect(entries).toContain(`dist/${w}`);
    }
  });
});

function readdirRecursive(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? readdirRecursive(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

/** The runtime names the extension guide (test/extending.test.ts, quoted in README.md) imports, per specifier. */
function guideImports(): Record<string, string[]> {
  const code = readFileSync(new URL('./extending.test.ts', import.meta.url), 'utf8');
  const out: Record<string, string[]> = {};
  for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(@convgrad\/[^']+)'/g)) {
    const names = m[1].split(',').map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('type '));
    (out[m[2]] ??= []).push(...names);
  }
  return out;
}

describe('installed with npm into a project outside the workspace', () => {
  it('a plain node ESM script trains the edge kernel on wasm, gradchecks, trains a CNN with Adam and round-trips checkpoints and ONNX', async () => {
    const wanted = guideImports();
    expect(Object.keys(wanted).sort()).toEqual(['@convgrad/core', '@convgrad/core/testing', '@convgrad/layers']);
    const stdout = await run(process.execPath, ['app.mjs', tmp, JSON.stringify(wanted)], tmp);
    const r = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(r.backend).toBe('wasm');
    expect(r.edge.loss).toBeLessThan(1e-7);
    expect(r.edge.maxAbsDiff).toBeLessThan(1e-3); // w allclose the chapter's kernel
    expect(r.gradcheck.ok).toBe(true);
    expect(r.cnn.lastLoss).toBeLessThan(r.cnn.firstLoss * 0.2);
    expect(r.cnn.accuracy).toBe(1);
    expect(r.checkpoint).toEqual({ metadata: { steps: '60' }, fileSame: true, bytesSame: true });
    expect(r.onnx).toEqual({ bytesSame: true, fileSame: true });
    expect(r.check).toEqual({ isConvgradError: true, message: 'softplus: x must be float64' });
    expect(r.missing).toEqual([]);
  }, 60_000);

  it("the root README's Node snippet runs as written", async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const snippet = /\*\*Node\*\* \(plain `node app\.mjs`; no loader\):\n\n```js\n([\s\S]*?)```/.exec(readme);
    expect(snippet, 'README.md has no Node snippet').not.toBeNull();
    const dir = mkdtempSync(join(tmp, 'readme-'));
    writeFileSync(join(tmp, 'readme-node.mjs'), snippet![1]);
    const stdout = await run(process.execPath, [join(tmp, 'readme-node.mjs')], dir);
    expect(stdout).toMatch(/backend: 'wasm'/);
    expect(readFileSync(join(dir, 'conv.safetensors')).length).toBeGreaterThan(8 + 4 * 10);
  }, 60_000);

  it.each(['tsconfig.json', 'tsconfig.bundler.json'])('a strict TypeScript file type-checks against the shipped .d.ts (%s)', async (config) => {
    const tsc = join(dirname(createRequire(join(root, 'package.json')).resolve('typescript/package.json')), 'bin', 'tsc');
    await expect(run(process.execPath, [tsc, '-p', config], tmp)).resolves.toBe('');
  }, 60_000);
});
