// `vite build` of the test pages (vite.config.ts) into outDir, through Vite's JavaScript API.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const CONFIG_FILE = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

/** The built entry points the pages bundle (the packages' `exports` resolve to these). */
const BUILT = ['../../core/dist/index.js', '../../core/dist/testing/index.js', '../../layers/dist/index.js']
  .map((p) => fileURLToPath(new URL(p, import.meta.url)));

export async function buildPages(outDir: string): Promise<void> {
  const missing = BUILT.filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`the test pages bundle the built packages, but ${missing.join(', ')} is missing: run \`pnpm build\` first`);
  await build({ configFile: CONFIG_FILE, mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}
