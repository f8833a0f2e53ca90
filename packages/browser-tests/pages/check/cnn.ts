// A small CNN (conv → BN → ReLU → max-pool → conv → tanh → avg-pool → linear) learns to tell three kinds of
// strokes apart with Adam; its state dict (parameters and BN buffers) goes to safetensors bytes and through a
// File, and back into fresh models that predict exactly the same.
import { noGrad, Rng, Tensor } from '@convgrad/core';
import {
  Adam, AvgPool2d, BatchNorm2d, Conv2d, CrossEntropyLoss, Flatten, Linear, loadCheckpointFromBlob, MaxPool2d, ReLU, saveCheckpoint,
  Sequential, stateDictFromBytes, stateDictToBlob, stateDictToBytes, Tanh,
} from '@convgrad/layers';
import type { CnnSummary } from './result.ts';

const SIDE = 8;
const CLASSES = 3;

/** SIDE×SIDE noisy images with one stroke: a row (label 0), a column (1) or a wrapped diagonal (2). */
function strokes(n: number, seed: number): { x: Tensor; y: Int32Array } {
  const rng = new Rng(seed);
  const px = SIDE * SIDE;
  const data = new Float32Array(n * px), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(CLASSES);
    const at = rng.int(SIDE);
    for (let k = 0; k < px; k++) data[i * px + k] = 0.25 * rng.normal();
    for (let j = 0; j < SIDE; j++) {
      const [r, c] = y[i] === 0 ? [at, j] : y[i] === 1 ? [j, at] : [j, (j + at) % SIDE];
      data[i * px + r * SIDE + c] += 1;
    }
  }
  return { x: new Tensor(data, [n, 1, SIDE, SIDE]), y };
}

const model = () => new Sequential(
  new Conv2d(1, 6, 3, { padding: 1, seed: 3 }), new BatchNorm2d(6), new ReLU(), new MaxPool2d(2),
  new Conv2d(6, 8, 3, { seed: 4 }), new Tanh(), new AvgPool2d(2), new Flatten(), new Linear(8, CLASSES, { seed: 5 }),
);

function argmaxRows(t: Tensor): number[] {
  const out: number[] = [];
  for (let i = 0; i < t.shape[0]; i++) {
    const row = Array.from(t.data.subarray(i * CLASSES, (i + 1) * CLASSES));
    out.push(row.indexOf(Math.max(...row)));
  }
  return out;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const same = (a: Tensor, b: Tensor) => a.shape.join() === b.shape.join() && a.data.every((v, i) => Object.is(v, b.data[i]));

export async function trainCnn(steps: number): Promise<CnnSummary> {
  const net = model();
  const opt = new Adam(net.parameters(), { lr: 0.03 });
  const lossFn = new CrossEntropyLoss();
  net.train();
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const batch = strokes(32, step);
    opt.zeroGrad();
    const loss = lossFn.call(net.call(batch.x), batch.y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  net.eval();
  const test = strokes(300, 999);
  const logits = noGrad(() => net.call(test.x));
  const right = argmaxRows(logits).filter((label, i) => label === test.y[i]).length;

  // bytes (an ArrayBuffer of their own: nothing shared with the encoder) → state dict → a fresh model
  const dict = net.stateDict();
  const bytes = stateDictToBytes(net);
  const back = stateDictFromBytes(bytes.slice().buffer).tensors;
  let tensorsEqual = 0;
  for (const [name, t] of dict) if (back.has(name) && same(back.get(name)!, t)) tensorsEqual++;
  const copy = model();
  copy.loadStateDict(back);
  copy.eval();
  const predictionsEqual = same(noGrad(() => copy.call(test.x)), logits);

  // a Blob as a File (what a download, an upload or IndexedDB holds) → a third model
  const again = model();
  await loadCheckpointFromBlob(new File([stateDictToBlob(net)], 'strokes.safetensors'), again);
  again.eval();
  const viaBlob = same(noGrad(() => again.call(test.x)), logits);

  // path-based checkpoints are Node-only and must say so
  let saveCheckpointError: string | null = null;
  try {
    saveCheckpoint('strokes.safetensors', net);
  } catch (e) {
    saveCheckpointError = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  return {
    steps,
    firstLoss: losses[0],
    meanFirst5: mean(losses.slice(0, 5)),
    meanLast5: mean(losses.slice(-5)),
    accuracy: right / test.y.length,
    bytes: bytes.length,
    tensors: dict.size,
    tensorsEqual,
    predictionsEqual,
    viaBlob,
    saveCheckpointError,
  };
}
