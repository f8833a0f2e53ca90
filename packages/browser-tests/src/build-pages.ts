// `vite build` of the test pages (vite.config.ts) into outDir, through Vite's JavaScript API.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const CONFIG_FILE = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

export async function buildPages(outDir: string): Promise<void> {
  await build({ configFile: CONFIG_FILE, mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}
