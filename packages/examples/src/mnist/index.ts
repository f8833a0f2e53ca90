// `pnpm example mnist`: registers the example with the CLI.
import { UsageError } from '../shared/args.ts';
import { checkOutDir } from '../shared/out-dir.ts';
import { registerExample } from '../registry.ts';
import { IdxError } from './idx.ts';
import { MODEL_SPECS } from './model.ts';
import { MNIST_USAGE, parseMnistOptions, type MnistOptions } from './options.ts';
import { ConvgradError } from '@convgrad/core';
import { ResumeError, runMnist } from './run.ts';

/** Options and the output folder checked (created when the checkpoint is written), or the exit code (0 for --help, 2 for bad usage). */
function prepare(argv: readonly string[]): { opts: MnistOptions; outDir: string } | number {
  try {
    const opts = parseMnistOptions(argv);
    if (opts === null) {
      process.stdout.write(MNIST_USAGE);
      return 0;
    }
    return { opts, outDir: checkOutDir(opts.out) };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`mnist: ${e.message}\n\n${MNIST_USAGE}`);
    return 2;
  }
}

export async function runMnistCli(argv: readonly string[]): Promise<number> {
  const ready = prepare(argv);
  if (typeof ready === 'number') return ready;
  const { opts, outDir } = ready;
  try {
    runMnist({
      epochs: opts.epochs,
      batchSize: opts['batch-size'],
      lr: opts.lr,
      seed: opts.seed,
      outDir,
      limit: opts.limit,
      testLimit: opts['test-limit'],
      dataDir: opts['data-dir'],
      spec: MODEL_SPECS[opts.model],
      resume: opts.resume,
      progress: true, // a bar on a terminal, plain lines otherwise (see progress.ts)
      log: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (e) {
    // missing or corrupt data files; a --resume without (or with an unusable) training checkpoint
    if (!(e instanceof IdxError || e instanceof ResumeError || (opts.resume && e instanceof ConvgradError))) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  return 0;
}

registerExample({
  name: 'mnist',
  summary: 'LeNet-like CNN on the full MNIST (60,000 train / official 10,000 test): checkpoint, curves, confusion matrix',
  run: runMnistCli,
});
