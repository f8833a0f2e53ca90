// `pnpm example <name> [options]`: runs a registered example and exits with its code.
// No name: lists the examples on stdout, exit 0. Unknown name: lists them on stderr, exit 2.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { examples } from './examples.ts';
import type { Example } from './registry.ts';
import { processIO, type ExampleIO } from './shared/io.ts';

function listing(list: readonly Example[]): string {
  const width = Math.max(0, ...list.map((e) => e.name.length));
  const lines = list.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`);
  return `usage: pnpm example <name> [options]   (pnpm example <name> --help for its options)\n\nexamples:\n${lines.join('\n')}\n`;
}

/** Dispatches argv[0] to an example; returns the exit code. */
export async function main(argv: readonly string[], list: readonly Example[] = examples, io: ExampleIO = processIO): Promise<number> {
  // `pnpm example -- mnist …` passes the separator through: skip it before the name
  const [name, ...rest] = argv[0] === '--' ? argv.slice(1) : argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(listing(list));
    return 0;
  }
  const ex = list.find((e) => e.name === name);
  if (!ex) {
    io.err(`error: unknown example '${name}'\n\n${listing(list)}`);
    return 2;
  }
  return ex.run(rest);
}

// Run only when executed directly (tests import main()).
const entry = process.argv[1];
const isEntry = entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href;
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
