// `pnpm example mnist`: registers the example with the CLI.
import { UsageError } from '../shared/args.ts';
import { prepareOutDir } from '../shared/out-dir.ts';
import { registerExample } from '../registry.ts';
import { IdxError } from './idx.ts';
import { MODEL_SPECS } from './model.ts';
import { MNIST_USAGE, parseMnistOptions } from './options.ts';
import { runMnist } from './run.ts';

export async function runMnistCli(argv: readonly string[]): Promise<number> {
  let outDir: string;
  let opts;
  try {
    opts = parseMnistOptions(argv);
    if (opts === null) {
      process.stdout.write(MNIST_USAGE);
      return 0;
    }
    outDir = prepareOutDir(opts.out);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`mnist: ${e.message}\n\n${MNIST_USAGE}`);
      return 2;
    }
    throw e;
  }
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
      progress: process.stderr.isTTY === true,
      log: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (e) {
    if (e instanceof IdxError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  return 0;
}

registerExample({
  name: 'mnist',
  summary: 'LeNet-like CNN on the full MNIST (60,000 / official 10,000 test), checkpoint, curves, confusion matrix',
  run: runMnistCli,
});
