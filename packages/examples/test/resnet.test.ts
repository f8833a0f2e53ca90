// The resnet example: random shifts, the learning-rate schedule, the model's structure, and a small
// real training run (a few hundred images) that must lower the loss and beat chance.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng, Tensor } from '@convgrad/core';
import { Conv2d, GELU, GlobalAvgPool2d, Linear } from '@convgrad/layers';
import { loadMnist, takeFirst } from '../src/mnist/data.ts';
import { randomShift } from '../src/resnet/augment.ts';
import { buildResNet, forwardMacs, ResidualBlock } from '../src/resnet/model.ts';
import { runResNet, scheduledLr } from '../src/resnet/run.ts';

describe('random shift', () => {
  it('moves each image by whole pixels within ±s, filling with the background, seeded', () => {
    // one 4×4 image with a single bright pixel at (1, 2)
    const x = new Float32Array(16).fill(-1);
    x[1 * 4 + 2] = 5;
    const b = { x, y: new Uint8Array([3]), count: 1 };
    const seen = new Set<string>();
    for (let k = 0; k < 60; k++) {
      const out = randomShift(b, 4, 4, 1, -1, new Rng(k)).x;
      const at = out.indexOf(5);
      expect(at).toBeGreaterThanOrEqual(0);
      const [r, c] = [Math.floor(at / 4), at % 4];
      expect(Math.abs(r - 1)).toBeLessThanOrEqual(1);
      expect(Math.abs(c - 2)).toBeLessThanOrEqual(1);
      expect(out.filter((v) => v === -1).length).toBe(15);
      seen.add(`${r},${c}`);
    }
    expect(seen.size).toBe(9); // every shift in [−1, 1]² occurs
    expect(Array.from(randomShift(b, 4, 4, 2, -1, new Rng(3)).x)).toEqual(Array.from(randomShift(b, 4, 4, 2, -1, new Rng(3)).x));
    expect(randomShift(b, 4, 4, 0, -1, new Rng(0))).toBe(b);
  });
});

describe('model and schedule', () => {
  it('uses depthwise convs (groups = channels), GELU, residual blocks and global average pooling', () => {
    const spec = { stemWidth: 4, width: 8, blocks: 1, stages: 2, stem: 'pool' as const, norm: 'batch' as const };
    const m = buildResNet(spec, 1);
    const convs = m.modules().filter((q): q is Conv2d => q instanceof Conv2d);
    expect(convs.some((c) => c.groups === c.inChannels && c.groups > 1)).toBe(true);
    expect(m.modules().some((q) => q instanceof GELU)).toBe(true);
    expect(m.modules().filter((q) => q instanceof ResidualBlock).length).toBe(2); // one per stage
    expect(m.call(new Tensor(new Float32Array(2 * 28 * 28), [2, 1, 28, 28])).shape).toEqual([2, 10]);
    expect(m.at(-1)).toBeInstanceOf(Linear);
    expect((m.at(-1) as Linear).inFeatures).toBe(16); // the second stage is 2 × width wide
    expect(m.at(-3)).toBeInstanceOf(GlobalAvgPool2d);
    expect(forwardMacs(spec)).toBeGreaterThan(0);
  });
  it('warms up linearly, then decays by a half cosine to 0', () => {
    const lrs = Array.from({ length: 100 }, (_, t) => scheduledLr(1, t, 100));
    expect(lrs[0]).toBeCloseTo(1 / 3, 12);
    expect(lrs[2]).toBe(1);
    for (let t = 3; t < 100; t++) expect(lrs[t]).toBeLessThanOrEqual(lrs[t - 1]);
    expect(lrs[99]).toBeLessThan(0.001);
  });
});

describe('a small resnet run', () => {
  it('lowers the loss, beats chance on held-out images, and reloads from its checkpoint', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'convgrad-resnet-test-'));
    const data = { train: takeFirst(loadMnist('train'), 512), test: takeFirst(loadMnist('test'), 300) };
    const r = runResNet({
      epochs: 4, batchSize: 32, lr: 1e-2, weightDecay: 0.01, shift: 1, labelSmoothing: 0, seed: 3, outDir: tmp, data,
      spec: { stemWidth: 8, width: 16, blocks: 1, stages: 2, stem: 'pool', norm: 'batch' }, progress: false, log: () => {},
    });
    expect(r.epochs[0].windowLoss[0]).toBeGreaterThan(1.5); // near chance (ln 10 ≈ 2.3) at the start
    expect(r.epochs.at(-1)!.loss).toBeLessThan(0.6 * r.epochs[0].loss);
    expect(r.test.accuracy).toBeGreaterThan(0.5); // chance is 0.1 (BatchNorm in eval mode after 64 steps)
    expect(r.reloadedAccuracy).toBe(r.test.accuracy);
    expect(existsSync(r.checkpointPath) && existsSync(r.chartPath)).toBe(true);
  });
});
