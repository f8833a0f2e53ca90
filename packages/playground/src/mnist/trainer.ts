// The MNIST example's training in the page: the example's LeNet (packages/examples/src/mnist/model.ts, so
// `pnpm example mnist` checkpoints load into it), Adam with lr × 0.3 per epoch, seeded init and shuffling and the
// same batches (examples/src/mnist/batch.ts) as `pnpm example mnist` trains; batch size and lr are the caller's.
// Work is cut into chunks that yield to the browser.
import { noGrad, Rng, softmax, softmaxCrossEntropy, Tensor } from '@convgrad/core';
import { Adam, StepLR, type Sequential } from '@convgrad/layers';
import { buildLeNet, LENET_SPEC } from '@convgrad/examples/src/mnist/model.ts';
import { yieldToBrowser } from '../ui/dom.ts';
import { argmaxRows, gatherBatch, identityOrder, NORMALIZED, shuffledOrder, type MnistSplit } from '@convgrad/examples/src/mnist/batch.ts';

const CHUNK_MS = 40;

export function newModel(seed = 1): Sequential {
  return buildLeNet(LENET_SPEC, seed);
}

export interface TrainProgress { epoch: number; epochs: number; done: number; total: number; loss: number; accuracy: number; imagesPerSecond: number; etaSeconds: number }

export interface TrainSettings {
  images: number; epochs: number; seed: number; batchSize?: number; lr?: number;
  onProgress: (p: TrainProgress) => void;
  /** Called after each batch with its loss and accuracy (for the curves). */
  onBatch: (loss: number, accuracy: number) => void;
  shouldStop: () => boolean;
}

/** Trains `model` on the first `images` of `data`; returns the training seconds (chunk yields included). */
export async function trainModel(model: Sequential, data: MnistSplit, s: TrainSettings): Promise<{ seconds: number; stopped: boolean }> {
  const batch = s.batchSize ?? 64;
  const n = Math.min(s.images, data.count);
  const opt = new Adam(model.parameters(), { lr: s.lr ?? 2e-3 });
  const schedule = new StepLR(opt, 1, 0.3);
  const rng = new Rng(s.seed + 1);
  const t0 = performance.now();
  const total = n * s.epochs;
  let seen = 0;
  for (let e = 0; e < s.epochs; e++) {
    const order = shuffledOrder(n, rng);
    let lossSum = 0, correct = 0, count = 0;
    let chunk = performance.now();
    for (let start = 0; start < n; start += batch) {
      if (s.shouldStop()) return { seconds: (performance.now() - t0) / 1000, stopped: true };
      const b = gatherBatch(data, order, start, Math.min(n, start + batch));
      model.train(); // again each batch: classifying a drawing between chunks puts the model in eval mode
      const logits = model.call(new Tensor(b.x, [b.count, 1, 28, 28]));
      const loss = softmaxCrossEntropy(logits, b.y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      const l = loss.item();
      const pred = argmaxRows(logits);
      let c = 0;
      for (let i = 0; i < b.count; i++) if (pred[i] === b.y[i]) c++;
      lossSum += l * b.count; correct += c; count += b.count; seen += b.count;
      s.onBatch(l, c / b.count);
      if (performance.now() - chunk > CHUNK_MS) {
        const el = (performance.now() - t0) / 1000, rate = seen / el;
        s.onProgress({ epoch: e + 1, epochs: s.epochs, done: seen, total, loss: lossSum / count, accuracy: correct / count, imagesPerSecond: rate, etaSeconds: (total - seen) / rate });
        await yieldToBrowser();
        chunk = performance.now();
      }
    }
    schedule.step();
    const el = (performance.now() - t0) / 1000;
    s.onProgress({ epoch: e + 1, epochs: s.epochs, done: seen, total, loss: lossSum / count, accuracy: correct / count, imagesPerSecond: seen / el, etaSeconds: (total - seen) / (seen / el) });
  }
  return { seconds: (performance.now() - t0) / 1000, stopped: false };
}

/** Accuracy of `model` (eval mode, no graph) on all of `data`, in chunks. */
export async function evaluateModel(model: Sequential, data: MnistSplit, onProgress?: (done: number) => void): Promise<{ accuracy: number; correct: number; seconds: number }> {
  const t0 = performance.now();
  model.eval();
  const order = identityOrder(data.count);
  let correct = 0;
  for (let start = 0; start < data.count; start += 500) {
    const b = gatherBatch(data, order, start, Math.min(data.count, start + 500));
    const pred = noGrad(() => argmaxRows(model.call(new Tensor(b.x, [b.count, 1, 28, 28]))));
    for (let i = 0; i < b.count; i++) if (pred[i] === b.y[i]) correct++;
    onProgress?.(start + b.count);
    await yieldToBrowser();
  }
  return { accuracy: correct / data.count, correct, seconds: (performance.now() - t0) / 1000 };
}

/** Class probabilities of one 28×28 image in [0, 1] (normalized as the training data). */
export function classify(model: Sequential, img: Float32Array): Float32Array {
  model.eval();
  const x = new Float32Array(784);
  for (let i = 0; i < 784; i++) x[i] = NORMALIZED[Math.round(img[i] * 255)];
  return noGrad(() => softmax(model.call(new Tensor(x, [1, 1, 28, 28])), 1).data as Float32Array);
}
