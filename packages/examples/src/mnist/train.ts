// One training epoch and one evaluation pass over MNIST splits (batches from @convgrad/layers'
// DataLoader), timed separately.
import { noGrad, softmaxCrossEntropy, Tensor } from '@convgrad/core';
import { DataLoader, type Module, type Optimizer } from '@convgrad/layers';
import { argmaxRows, type Batch, type MnistSplit } from './batch.ts';
import { MnistDataset } from './data.ts';

type Model = Module<[Tensor], Tensor>;

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
  /** Trained before a --resume (read from the training checkpoint; seconds are 0). */
  restored?: boolean;
}

export interface EpochSettings {
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
  /** Called after each optimizer step (e.g. to update a moving average of the weights). */
  afterStep?: () => void;
}

/** Images and labels of a batch: [B, 1, 28, 28] and [B]. */
export type MnistLoader = DataLoader<Tensor[], Tensor[], Tensor[]>;

/** One pass over the loader (a fresh seeded order when it shuffles); the optimizer steps once per batch. */
export function trainEpoch(model: Model, optimizer: Optimizer, loader: MnistLoader, s: EpochSettings = {}): EpochStats {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  model.train();
  const nBatches = loader.length;
  const windows = Math.min(s.windows ?? 10, nBatches);
  const windowLoss: number[] = [], windowAccuracy: number[] = [];
  let lossSum = 0, correct = 0, seen = 0, wLoss = 0, wCorrect = 0, wSeen = 0, done = 0;
  for (const [xs, ys] of loader) {
    const count = xs.shape[0];
    // an augmented batch is a new one; the labels stay those of the loader
    const b: Batch | null = s.augment ? s.augment({ x: xs.data as Float32Array, y: Uint8Array.from(ys.data), count }) : null;
    const x = b ? new Tensor(b.x, xs.shape) : xs, y = b ? b.y : ys;
    const logits = model.call(x);
    const loss = s.loss ? s.loss(logits, b ? b.y : Uint8Array.from(ys.data)) : softmaxCrossEntropy(logits, y);
    optimizer.zeroGrad();
    loss.backward();
    s.beforeStep?.();
    optimizer.step();
    s.afterStep?.();
    const l = loss.item() * count;
    const pred = argmaxRows(logits);
    let c = 0;
    for (let i = 0; i < count; i++) if (pred[i] === (b ? b.y[i] : ys.data[i])) c++;
    lossSum += l; correct += c; seen += count;
    wLoss += l; wCorrect += c; wSeen += count;
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
  const predictions = new Uint8Array(data.count);
  let lossSum = 0, correct = 0, start = 0;
  noGrad(() => {
    for (const [x, y] of new DataLoader(new MnistDataset(data), { batchSize })) {
      const logits = model.call(x);
      lossSum += softmaxCrossEntropy(logits, y, { reduction: 'sum' }).item();
      const pred = argmaxRows(logits);
      predictions.set(pred, start);
      for (let i = 0; i < pred.length; i++) if (pred[i] === y.data[i]) correct++;
      start += pred.length;
    }
  });
  return { loss: lossSum / data.count, accuracy: correct / data.count, correct, count: data.count, predictions, seconds: (performance.now() - t0) / 1000 };
}
