// `pnpm bench`'s command line: which parts run, the PyTorch anchor, the step bench's settings, and the
// conv options (packages/core/bench/conv-bench.ts parses those).
import { extractOptions } from '../../core/bench/args.ts';
import { CONV_USAGE, parseConvArgs, type ConvOptions, type TorchChoice } from '../../core/bench/conv-bench.ts';
import { defaultPython } from '../../core/bench/torch-client.ts';
import { EPOCH_IMAGES } from './step-report.ts';
import { STEP_OPTION_DEFAULTS, type StepOptions } from './step-bench.ts';

export type Part = 'conv' | 'step';

export interface BenchArgs {
  readonly parts: readonly Part[];
  readonly md: string | null;
  readonly torch: TorchChoice;
  readonly conv: ConvOptions;
  readonly step: StepOptions;
}

export const BENCH_USAGE = `usage: pnpm bench [--only conv|step] [--md FILE] [--no-torch] [--python PATH]
  conv2d cases: ${CONV_USAGE}
  MNIST step:   [--step-images N (default ${STEP_OPTION_DEFAULTS.images}; ${EPOCH_IMAGES}: a whole epoch)] [--step-warmup N (default ${STEP_OPTION_DEFAULTS.warmup})] [--step-rounds N (default ${STEP_OPTION_DEFAULTS.rounds})]`;

function count(name: string, v: string | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= min && n <= max)) throw new Error(`bench: ${name} must be an integer in [${min}, ${max}], got '${v}'`);
  return n;
}

export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchArgs {
  const { values, flags, rest } = extractOptions(argv, ['--only', '--md', '--python', '--step-images', '--step-warmup', '--step-rounds'], ['--no-torch']);
  const only = values.get('--only');
  if (only !== undefined && only !== 'conv' && only !== 'step') throw new Error(`bench: --only takes 'conv' or 'step', got '${only}'`);
  const step: StepOptions = {
    ...STEP_OPTION_DEFAULTS,
    images: count('--step-images', values.get('--step-images'), STEP_OPTION_DEFAULTS.images, 1, EPOCH_IMAGES),
    warmup: count('--step-warmup', values.get('--step-warmup'), STEP_OPTION_DEFAULTS.warmup, 0, EPOCH_IMAGES),
    rounds: count('--step-rounds', values.get('--step-rounds'), STEP_OPTION_DEFAULTS.rounds, 1, 100),
  };
  return {
    parts: only ? [only] : ['conv', 'step'],
    md: values.get('--md') ?? null,
    torch: flags.has('--no-torch') ? null : { python: values.get('--python') ?? defaultPython(env) },
    conv: parseConvArgs(rest),
    step,
  };
}
