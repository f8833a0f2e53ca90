// The residual-network example end to end: load MNIST, train with seeded random shifts and a
// warm-up + cosine learning rate (timed), evaluate on the official test set, checkpoint → reload into
// a fresh model → re-evaluate, curves PNG, confusion matrix.
import { join } from 'node:path';
import { getBackend, Rng, Tensor } from '@convgrad/core';
import { AdamW, CrossEntropyLoss, DataLoader } from '@convgrad/layers';
import { confusionMatrix, formatConfusion } from '../mnist/confusion.ts';
import { loadMnist, MNIST_MEAN, MNIST_STD, MnistDataset, takeFirst, type MnistSplit } from '../mnist/data.ts';
import { epochProgress } from '../mnist/progress.ts';
import { evaluate, trainEpoch, type EpochStats, type EvalResult, type MnistLoader } from '../mnist/train.ts';
import { checkpointRoundTrip, writeCurves } from '../mnist/wrap-up.ts';
import { makeOutDir } from '../shared/out-dir.ts';
import { randomAffine, randomShift } from './augment.ts';
import { WeightEma } from './ema.ts';
import { buildResNet, describe, forwardMacs, RESNET_SPEC, type ResNetSpec } from './model.ts';

export interface ResNetRunSettings {
  epochs: number;
  batchSize: number;
  /** Peak AdamW learning rate: linear warm-up over the first `warmup` fraction of steps, then cosine to 0. */
  lr: number;
  weightDecay: number;
  /** Random shift of up to ± this many pixels (0: no augmentation). */
  shift: number;
  /** Random rotation of up to ± this many degrees and scaling by 1 ± `scale` (both 0: whole-pixel shifts only). */
  rotate: number;
  scale: number;
  /** Decay of the weight moving average that is evaluated and saved (0: the trained weights themselves). */
  ema: number;
  labelSmoothing: number;
  seed: number;
  outDir: string;
  limit?: number;
  testLimit?: number;
  dataDir?: string;
  data?: { train: MnistSplit; test: MnistSplit };
  spec?: ResNetSpec;
  progress: boolean;
  log: (line: string) => void;
}

export interface ResNetRunResult {
  epochs: EpochStats[];
  trainSeconds: number;
  test: EvalResult;
  reloadedAccuracy: number;
  checkpointPath: string;
  chartPath: string;
}

export const TARGET = { accuracy: 0.995, seconds: 600 };
const WARMUP = 0.03;
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The learning rate at step t of T: linear warm-up, then half a cosine down to 0. */
export function scheduledLr(peak: number, t: number, total: number): number {
  const w = Math.max(1, Math.round(WARMUP * total));
  if (t < w) return (peak * (t + 1)) / w;
  return 0.5 * peak * (1 + Math.cos((Math.PI * (t - w)) / Math.max(1, total - w)));
}

export function runResNet(s: ResNetRunSettings): ResNetRunResult {
  const log = s.log;
  const spec = s.spec ?? RESNET_SPEC;
  const data = s.data ?? { train: loadMnist('train', s.dataDir || undefined), test: loadMnist('test', s.dataDir || undefined) };
  const train = s.limit ? takeFirst(data.train, s.limit) : data.train;
  const test = s.testLimit ? takeFirst(data.test, s.testLimit) : data.test;
  const affine = s.rotate > 0 || s.scale > 0;
  const aug = affine ? `random affine: rotation ±${s.rotate}°, scale 1 ± ${s.scale}, shift ±${s.shift} px, bilinear` : `random shifts up to ±${s.shift} px`;
  log(`data: ${train.count} training images (${aug}), ${test.count} test images${test.count === 10_000 ? ' (the official test set)' : ''}`);
  log(`model: ${describe(spec)}; ${(forwardMacs(spec) / 1e6).toFixed(2)}M MACs per image`);

  const model = buildResNet(spec, s.seed);
  const ema = s.ema > 0 ? new WeightEma(model, s.ema) : null;
  const optimizer = new AdamW(model.parameters(), { lr: s.lr, weightDecay: s.weightDecay });
  const criterion = new CrossEntropyLoss({ labelSmoothing: s.labelSmoothing });
  log(`parameters: ${model.numParameters()}; kernels: ${getBackend().name}; batch ${s.batchSize}, AdamW peak lr ${s.lr} (warm-up, cosine), weight decay ${s.weightDecay}, label smoothing ${s.labelSmoothing}${ema ? `, weight EMA decay ${s.ema}` : ''}`);
  const loader: MnistLoader = new DataLoader(new MnistDataset(train), { batchSize: s.batchSize, shuffle: true, seed: s.seed + 1 });
  const shiftRng = new Rng(s.seed + 2);
  const background = -MNIST_MEAN / MNIST_STD;
  const nBatches = Math.ceil(train.count / s.batchSize), totalSteps = nBatches * s.epochs;
  let step = 0;

  const epochs: EpochStats[] = [];
  let trainSeconds = 0;
  for (let e = 1; e <= s.epochs; e++) {
    const bar = epochProgress(e, s.epochs, nBatches, s.progress);
    const stats = trainEpoch(model, optimizer, loader, {
      onBatch: (d, l, a) => bar.update(d, l, a),
      augment: affine
        ? (b) => randomAffine(b, train.rows, train.cols, { degrees: s.rotate, scale: s.scale, shift: s.shift }, background, shiftRng)
        : (b) => randomShift(b, train.rows, train.cols, s.shift, background, shiftRng),
      loss: (logits: Tensor, y: Uint8Array) => criterion.call(logits, y),
      beforeStep: () => { optimizer.lr = scheduledLr(s.lr, step++, totalSteps); },
      afterStep: ema ? () => ema.update(model) : undefined,
    });
    bar.stop();
    epochs.push(stats);
    trainSeconds += stats.seconds;
    log(`epoch ${e}/${s.epochs}: loss ${stats.loss.toFixed(4)}, train accuracy ${pct(stats.accuracy)}, lr now ${optimizer.lr.toPrecision(3)}, ${stats.seconds.toFixed(1)} s (cpu ${stats.cpuSeconds.toFixed(1)} s)`);
  }
  log(`training time: ${trainSeconds.toFixed(1)} s (${(trainSeconds / s.epochs).toFixed(1)} s per epoch)`);

  let final = model;
  if (ema) {
    const raw = evaluate(model, test);
    log(`test accuracy of the trained weights (not averaged): ${pct(raw.accuracy)} (${raw.correct}/${raw.count}), test loss ${raw.loss.toFixed(4)}`);
    final = buildResNet(spec, s.seed);
    ema.copyTo(final);
  }
  const result = evaluate(final, test);
  log(`${ema ? 'weight EMA: ' : ''}test accuracy: ${pct(result.accuracy)} (${result.correct}/${result.count}), test loss ${result.loss.toFixed(4)}; evaluation time ${result.seconds.toFixed(1)} s`);

  const checkpointPath = join(makeOutDir(s.outDir), 'resnet.safetensors');
  const again = checkpointRoundTrip('resnet', checkpointPath, final, buildResNet(spec, s.seed + 1000), test, result, { model: describe(spec) }, log);
  const chartPath = join(s.outDir, 'curves.png');
  writeCurves(chartPath, epochs, `MNIST ResNet: test accuracy ${pct(result.accuracy)}`);
  log(`curves: ${chartPath}`);
  log(`confusion matrix on ${test.count} test images (rows: true digit, columns: predicted):\n${formatConfusion(confusionMatrix(test.labels, result.predictions))}`);
  log(`result: ${pct(result.accuracy)} on ${test.count} test images after ${trainSeconds.toFixed(1)} s of training (target ≥ ${pct(TARGET.accuracy)} in ≤ ${TARGET.seconds} s)`);
  return { epochs, trainSeconds, test: result, reloadedAccuracy: again.accuracy, checkpointPath, chartPath };
}
