// Turns an example's main function into Example.run: a UsageError prints `<name>: error: …` and
// returns exit code 2; --help prints the options.
import { formatOptions, parseOptions, UsageError, type OptionSpecs, type OptionValues } from './args.ts';
import { processIO, type ExampleIO } from './io.ts';

export async function runWithOptions<S extends OptionSpecs>(
  name: string,
  argv: readonly string[],
  specs: S,
  io: ExampleIO,
  main: (opts: OptionValues<S>, io: ExampleIO) => Promise<number> | number,
): Promise<number> {
  let opts: OptionValues<S> | null;
  try {
    opts = parseOptions(argv, specs);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${name}: error: ${err.message}\n\noptions:\n${formatOptions(specs)}`);
      return 2;
    }
    throw err;
  }
  if (opts === null) {
    io.out(`usage: pnpm example ${name} [options]\n\noptions:\n${formatOptions(specs)}`);
    return 0;
  }
  try {
    return await main(opts, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${name}: error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

export { processIO };
