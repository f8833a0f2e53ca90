// The output directory of an example: checked before any work starts, created only when the first
// file is written into it (a run that fails or is interrupted before then leaves no empty folder).
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args.ts';

/**
 * Resolves `dir` and checks, creating nothing, that it is a writable directory or could be created
 * as one: its nearest existing ancestor must be a writable directory. Throws UsageError otherwise, so a
 * bad --out fails now rather than after training. Relative paths are relative to where the user typed
 * the command (pnpm runs scripts elsewhere but sets INIT_CWD to the original directory).
 */
export function checkOutDir(dir: string): string {
  const abs = resolve(process.env.INIT_CWD ?? process.cwd(), dir);
  let existing = abs;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw new UsageError(`--out '${dir}': cannot create the directory (${existing === abs ? 'EEXIST' : 'ENOTDIR'}: '${existing}' is a file)`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new UsageError(`--out '${dir}': directory '${existing}' is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return abs;
}

/** Creates the checked output directory (with parents) right before a file is written into it. */
export function makeOutDir(abs: string): string {
  mkdirSync(abs, { recursive: true });
  return abs;
}
