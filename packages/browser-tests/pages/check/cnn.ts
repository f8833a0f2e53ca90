// A small CNN (conv → BN → ReLU → pool → linear) learns horizontal vs vertical bars with Adam, and its
// state dict goes to safetensors bytes and back into a fresh model that predicts exactly the same.
import { noGrad, Rng, Tensor } from '@convgrad/core';
import {
  Adam, BatchNorm2d, Conv2d, CrossEntropyLoss, Flatten, Linear, loadCheckpointFromBlob, MaxPool2d, ReLU, saveCheckpoint, Sequential,
  stateDictFromBytes, stateDictToBlob, stateDictToBytes,
} from '@convgrad/layers';
import type { CnnSummary } from './result.ts';

/** 6×6 images with one horizontal (label 0) or vertical (label 1) bar at a random place, plus noise. */
function bars(n: number, seed: number): { x: Tensor; y: Int32Array } {
  const rng = new Rng(seed);
  const data = new Float32Array(n * 36), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(2);
    const at = rng.int(6);
    for (let k = 0; k < 36; k++) data[i * 36 + k] = 0.3 * rng.normal();
    for (let j = 0; j < 6; j++) data[i * 36 + (y[i] === 0 ? at * 6 + j : j * 6 + at)] += 1;
  }
  return { x: new Tensor(data, [n, 1, 6, 6]), y };
}

const model = () => new Sequential(
  new Conv2d(1, 4, 3, { padding: 1, seed: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
  new Flatten(), new Linear(4 * 3 * 3, 2, { seed: 2 }),
);

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const same = (a: Tensor, b: Tensor) => a.shape.join() === b.shape.join() && a.data.every((v, i) => Object.is(v, b.data[i]));

export async function trainCnn(steps: number): Promise<CnnSummary> {
  const net = model();
  const opt = new Adam(net.parameters(), { lr: 0.05 });
  const lossFn = new CrossEntropyLoss();
  net.train();
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const batch = bars(32, step);
    opt.zeroGrad();
    const loss = lossFn.call(net.call(batch.x), batch.y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  net.eval();
  const test = bars(200, 99);
  const logits = noGrad(() => net.call(test.x));
  let right = 0;
  for (let i = 0; i < test.y.length; i++) if ((logits.data[2 * i + 1] > logits.data[2 * i] ? 1 : 0) === test.y[i]) right++;

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
  await loadCheckpointFromBlob(new File([stateDictToBlob(net)], 'bars.safetensors'), again);
  again.eval();
  const viaBlob = same(noGrad(() => again.call(test.x)), logits);

  // path-based checkpoints are Node-only and must say so
  let saveCheckpointError: string | null = null;
  try {
    saveCheckpoint('bars.safetensors', net);
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
