// Writes a bench report atomically (a temporary file beside it, then a rename), so an interrupted run
// never leaves half a RESULTS.md.
import { renameSync, writeFileSync } from 'node:fs';

export function writeFileAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
