// Global setup of `pnpm mutate` runs: Stryker copies the project into .stryker-tmp/<tag>/sandbox-*/ in
// no particular order, so the wasm builds there can look older than their sources, and the kernels'
// staleness check would then refuse to load them (the tests comparing wasm with js would fail). Inside a
// sandbox only, mark the copied builds as fresh: they are byte copies of the checked build.
import { readdirSync, utimesSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const build = fileURLToPath(new URL('./packages/core/src/kernels/wasm/build/', import.meta.url));
  if (!build.includes('/.stryker-tmp/')) return;
  const now = new Date();
  for (const f of readdirSync(build)) if (f.endsWith('.wasm')) utimesSync(build + f, now, now);
}
