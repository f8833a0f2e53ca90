// The end of an MNIST training run, shared by the mnist and resnet examples: the checkpoint round
// trip (save, reload into a freshly initialized model, require identical predictions) and the curves PNG.
import { loadCheckpoint, saveCheckpoint, type Module } from '@convgrad/layers';
import type { Tensor } from '@convgrad/core';
import { writeLineChartPng } from '../figures/index.ts';
import type { MnistSplit } from './data.ts';
import { evaluate, type EpochStats, type EvalResult } from './train.ts';

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** Saves `model`, loads the file into `fresh` and re-evaluates; throws unless the predictions match. */
export function checkpointRoundTrip(example: string, path: string, model: Module<[Tensor], Tensor>, fresh: Module<[Tensor], Tensor>,
  test: MnistSplit, result: EvalResult, metadata: Record<string, string>, log: (line: string) => void): EvalResult {
  saveCheckpoint(path, model, { example, ...metadata, testAccuracy: String(result.accuracy) });
  loadCheckpoint(path, fresh);
  const again = evaluate(fresh, test);
  if (again.correct !== result.correct || !again.predictions.every((p, i) => p === result.predictions[i])) {
    throw new Error(`${example}: the model reloaded from ${path} scores ${pct(again.accuracy)}, not ${pct(result.accuracy)}`);
  }
  log(`checkpoint: ${path}; reloaded into a fresh model: test accuracy ${pct(again.accuracy)} (same predictions)`);
  return again;
}

/** Training loss and error per curve window, log scale, x in epochs. */
export function writeCurves(path: string, epochs: readonly EpochStats[], title: string): void {
  const windows = epochs[0]?.windowLoss.length ?? 1;
  writeLineChartPng(path, [
    { name: 'train loss', values: epochs.flatMap((e) => e.windowLoss) },
    { name: 'train error (1 - accuracy)', values: epochs.flatMap((e) => e.windowAccuracy.map((a) => 1 - a)) },
  ], { title, xLabel: 'epoch', yLabel: 'loss / error', xStart: 1 / windows, xStep: 1 / windows, logY: true });
}
