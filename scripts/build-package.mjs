// Builds the package in the current directory (run by its `build` script): tsc (tsconfig.build.json)
// compiles src/ to ESM JavaScript, .d.ts and source maps in dist/, then the files that the JavaScript
// loads by URL at run time (*.wasm, plain-JS *.mjs/*.js workers) are copied beside it, keeping their
// place relative to src/, so `new URL('./x.wasm', import.meta.url)` finds them the same way in both.
// Skipped: AssemblyScript sources (as/), TypeScript and configuration files.
// dist/ is rebuilt in place, not deleted first (a test run reading it meanwhile keeps its files), and then
// cleared of outputs whose source is gone, so a removed or renamed file is never packed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const ASSET = /\.(wasm|mjs|js)$/;
const SKIP_DIRS = new Set(['as', 'node_modules']);
/** Assets that must be present (built by an earlier step) before a package can be built. */
const REQUIRED = {
  '@convgrad/core': ['kernels/wasm/build/convgrad.wasm', 'kernels/wasm/build/convgrad-relaxed.wasm'],
};

/** Every file under `dir` (recursively), except in SKIP_DIRS. */
function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) yield* files(p);
    } else yield p;
  }
}

/** Whether dist/`rel` still has its origin in src/: the same file (a copied asset) or the .ts compiled to it. */
function hasOrigin(rel) {
  if (existsSync(join('src', rel))) return true;
  const ts = rel.replace(/(\.d\.ts|\.js\.map|\.js)$/, '.ts');
  return ts !== rel && existsSync(join('src', ts));
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
for (const f of REQUIRED[pkg.name] ?? []) {
  if (!existsSync(join('src', f))) {
    console.error(`${pkg.name}: src/${f} is missing; build the wasm kernels first (pnpm --filter ${pkg.name} build:wasm, which pnpm install runs)`);
    process.exit(1);
  }
}

const tsc = join(dirname(createRequire(join(process.cwd(), 'package.json')).resolve('typescript/package.json')), 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

let copied = 0;
for (const src of files('src')) {
  if (!ASSET.test(src)) continue;
  const dst = join('dist', relative('src', src));
  mkdirSync(dirname(dst), { recursive: true });
  copyFileSync(src, dst);
  copied++;
}
let stale = 0;
for (const out of files('dist')) {
  if (!hasOrigin(relative('dist', out))) {
    rmSync(out);
    stale++;
  }
}
console.log(`${pkg.name}: dist/ built (${copied} asset${copied === 1 ? '' : 's'} copied${stale ? `, ${stale} stale file${stale === 1 ? '' : 's'} removed` : ''})`);
