// One training epoch and one evaluation pass over MNIST splits, timed separately.
import { noGrad, Rng, softmaxCrossEntropy, Tensor } from '@convgrad/core';
import type { Module, Optimizer } from '@convgrad/layers';
import { batchRanges, gatherBatch, identityOrder, shuffledOrder, type Batch, type MnistSplit } from './data.ts';

type Model = Module<[Tensor], Tensor>;

/** Index of the largest logit in each row of [N, 10]. */
export function argmaxRows(logits: Tensor): Uint8Array {
  const [n, c] = logits.shape;
  const out = new Uint8Array(n);
  const d = logits.data;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (d[i * c + j] > d[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}

function batchTensor(x: Float32Array, count: number, s: MnistSplit): Tensor {
  return new Tensor(x, [count, 1, s.rows, s.cols]);
}

export interface EpochStats {
  /** Mean training loss and accuracy over the epoch (running, as the model changed). */
  loss: number;
  accuracy: number;
  /** Training time of the epoch (batches, forward, backward, updates): wall clock, and CPU time of
   *  this process (all its threads; below the wall time when other programs share the cores). */
  seconds: number;
  cpuSeconds: number;
  /** Per-window mean loss and accuracy (`windows` equal parts of the epoch), for the curves. */
  windowLoss: number[];
  windowAccuracy: number[];
}

export interface EpochSettings {
  batchSize: number;
  rng: Rng;
  /** Called after every batch with batches done, running loss and running accuracy. */
  onBatch?: (done: number, loss: number, accuracy: number) => void;
  /** How many points per epoch the curves get (default 10). */
  windows?: number;
  /** Transforms each training batch (e.g. augmentation); default none. */
  augment?: (b: Batch) => Batch;
  /** The training loss (default softmaxCrossEntropy). */
  loss?: (logits: Tensor, labels: Uint8Array) => Tensor;
  /** Called before each optimizer step (e.g. a per-step learning-rate schedule). */
  beforeStep?: () => void;
}

/** One pass over `data` in a fresh seeded order; the optimizer steps once per batch. */
export function trainEpoch(model: Model, optimizer: Optimizer, data: MnistSplit, s: EpochSettings): EpochStats {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  model.train();
  const order = shuffledOrder(data.count, s.rng);
  const nBatches = Math.ceil(data.count / s.batchSize);
  const windows = Math.min(s.windows ?? 10, nBatches);
  const windowLoss: number[] = [], windowAccuracy: number[] = [];
  let lossSum = 0, correct = 0, seen = 0, wLoss = 0, wCorrect = 0, wSeen = 0, done = 0;
  for (const [start, end] of batchRanges(data.count, s.batchSize)) {
    const raw = gatherBatch(data, order, start, end);
    const b = s.augment ? s.augment(raw) : raw;
    const logits = model.call(batchTensor(b.x, b.count, data));
    const loss = s.loss ? s.loss(logits, b.y) : softmaxCrossEntropy(logits, b.y);
    optimizer.zeroGrad();
    loss.backward();
    s.beforeStep?.();
    optimizer.step();
    const l = loss.item() * b.count;
    const pred = argmaxRows(logits);
    let c = 0;
    for (let i = 0; i < b.count; i++) if (pred[i] === b.y[i]) c++;
    lossSum += l; correct += c; seen += b.count;
    wLoss += l; wCorrect += c; wSeen += b.count;
    done++;
    // Close a curve window when this batch crosses the next 1/windows of the epoch.
    if (Math.floor((done * windows) / nBatches) > windowLoss.length) {
      windowLoss.push(wLoss / wSeen);
      windowAccuracy.push(wCorrect / wSeen);
      wLoss = wCorrect = wSeen = 0;
    }
    s.onBatch?.(done, lossSum / seen, correct / seen);
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    loss: lossSum / seen, accuracy: correct / seen, windowLoss, windowAccuracy,
    seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  correct: number;
  count: number;
  predictions: Uint8Array;
  seconds: number;
}

/** Loss and accuracy of `model` (in eval mode, no graph) over all of `data`, in file order. */
export function evaluate(model: Model, data: MnistSplit, batchSize = 1000): EvalResult {
  const t0 = performance.now();
  model.eval();
  const order = identityOrder(data.count);
  const predictions = new Uint8Array(data.count);
  let lossSum = 0, correct = 0;
  noGrad(() => {
    for (const [start, end] of batchRanges(data.count, batchSize)) {
      const b = gatherBatch(data, order, start, end);
      const logits = model.call(batchTensor(b.x, b.count, data));
      lossSum += softmaxCrossEntropy(logits, b.y, { reduction: 'sum' }).item();
      const pred = argmaxRows(logits);
      predictions.set(pred, start);
      for (let i = 0; i < b.count; i++) if (pred[i] === b.y[i]) correct++;
    }
  });
  return { loss: lossSum / data.count, accuracy: correct / data.count, correct, count: data.count, predictions, seconds: (performance.now() - t0) / 1000 };
}
