// End to end: a small CNN built from the layers learns a toy image task, and a checkpoint of it
// reloads to identical predictions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noGrad, Rng, Tensor } from '@convgrad/core';
import {
  Adam, BatchNorm2d, Conv2d, CrossEntropyLoss, Flatten, Linear, loadCheckpoint, MaxPool2d, ReLU, saveCheckpoint, Sequential,
} from '../src/index.ts';

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

function accuracy(net: Sequential, x: Tensor, y: Int32Array): number {
  const logits = noGrad(() => net.call(x));
  let right = 0;
  for (let i = 0; i < y.length; i++) if ((logits.data[2 * i + 1] > logits.data[2 * i] ? 1 : 0) === y[i]) right++;
  return right / y.length;
}

describe('training a small CNN', () => {
  it('learns horizontal vs vertical bars, and a reloaded checkpoint predicts the same', () => {
    const net = model();
    const opt = new Adam(net.parameters(), { lr: 0.05 });
    const lossFn = new CrossEntropyLoss();
    const test = bars(200, 99);
    const before = accuracy(net.eval(), test.x, test.y);
    net.train();
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      const batch = bars(32, step);
      opt.zeroGrad();
      const loss = lossFn.call(net.call(batch.x), batch.y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    const after = accuracy(net.eval(), test.x, test.y);
    expect(after, `accuracy went from ${before} to ${after}`).toBeGreaterThanOrEqual(0.95);
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses.slice(0, 5).reduce((a, b) => a + b) / 5 / 2);

    const dir = mkdtempSync(join(tmpdir(), 'convgrad-train-'));
    try {
      saveCheckpoint(join(dir, 'bars.safetensors'), net);
      const copy = model();
      loadCheckpoint(join(dir, 'bars.safetensors'), copy);
      copy.eval();
      expect(Array.from(noGrad(() => copy.call(test.x)).data)).toEqual(Array.from(noGrad(() => net.call(test.x)).data));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
