// The output directory of an example: created if missing and proved writable before any work starts.
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './args.ts';

/**
 * Creates `dir` (with parents) and writes then removes a probe file in it, so an unwritable or
 * uncreatable directory fails now with a UsageError rather than after training. If this call
 * created directories and the probe fails, it removes them again.
 */
export function prepareOutDir(dir: string): string {
  // Relative to where the user typed the command: pnpm runs package scripts in the package
  // directory but sets INIT_CWD to the original one.
  const abs = resolve(process.env.INIT_CWD ?? process.cwd(), dir);
  let created: string | undefined;
  try {
    created = mkdirSync(abs, { recursive: true });
  } catch (err) {
    throw new UsageError(`--out '${dir}': cannot create the directory (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!statSync(abs).isDirectory()) throw new UsageError(`--out '${dir}' is not a directory`);
  const probe = join(abs, `.convgrad-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    if (created) rmSync(created, { recursive: true, force: true });
    throw new UsageError(`--out '${dir}': directory is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return abs;
}
