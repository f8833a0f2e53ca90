// The resnet example: random shifts and random affine maps, the weight EMA, the learning-rate schedule, the model's structure, and a small
// real training run (a few hundred images) that must lower the loss and beat chance.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng, Tensor } from '@convgrad/core';
import { BatchNorm1d, Conv2d, GELU, GlobalAvgPool2d, Linear, Sequential } from '@convgrad/layers';
import { loadMnist, takeFirst } from '../src/mnist/data.ts';
import { randomAffine, randomShift } from '../src/resnet/augment.ts';
import { WeightEma } from '../src/resnet/ema.ts';
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

describe('random affine', () => {
  // a 28×28 image, background 0, with a Gaussian blob (σ = 1.2) centred at (y, x); its centroid is where the blob went
  const blob = (y: number, x: number) => {
    const img = new Float32Array(784);
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) img[r * 28 + c] = Math.exp(-((r - y) ** 2 + (c - x) ** 2) / (2 * 1.2 ** 2));
    return { x: img, y: new Uint8Array([7]), count: 1 };
  };
  const centroid = (img: Float32Array) => {
    let m = 0, my = 0, mx = 0;
    for (let i = 0; i < 784; i++) { m += img[i]; my += img[i] * Math.floor(i / 28); mx += img[i] * (i % 28); }
    return [my / m - 13.5, mx / m - 13.5]; // offset from the centre
  };
  const draw = (b: ReturnType<typeof blob>, r: { degrees: number; scale: number; shift: number }, n: number) =>
    Array.from({ length: n }, (_, k) => centroid(randomAffine(b, 28, 28, r, 0, new Rng(k)).x));

  it('is seeded, keeps the batch shape and labels, and is the identity for an empty range', () => {
    const d = takeFirst(loadMnist('train'), 4);
    const b = { x: Float32Array.from(d.images.subarray(0, 4 * 784), (v) => v / 255), y: d.labels, count: 4 };
    const r = { degrees: 10, scale: 0.1, shift: 2 };
    const out = randomAffine(b, 28, 28, r, -0.42, new Rng(9));
    expect(out.x.length).toBe(b.x.length);
    expect(out.count).toBe(4);
    expect(out.y).toEqual(b.y);
    expect(out.x).toEqual(randomAffine(b, 28, 28, r, -0.42, new Rng(9)).x);
    expect(out.x).not.toEqual(randomAffine(b, 28, 28, r, -0.42, new Rng(10)).x);
    expect(out.x).not.toEqual(b.x);
    expect(randomAffine(b, 28, 28, { degrees: 0, scale: 0, shift: 0 }, -0.42, new Rng(9)).x).toEqual(b.x);
  });
  it('rotates about the centre by up to ± degrees, both ways', () => {
    const angles = draw(blob(13.5, 21.5), { degrees: 10, scale: 0, shift: 0 }, 40).map(([y, x]) => {
      expect(Math.hypot(y, x)).toBeCloseTo(8, 1); // the distance from the centre is kept
      return (Math.atan2(y, x) * 180) / Math.PI;
    });
    expect(Math.max(...angles.map(Math.abs))).toBeLessThanOrEqual(10.05);
    expect(Math.max(...angles)).toBeGreaterThan(7);
    expect(Math.min(...angles)).toBeLessThan(-7);
  });
  it('scales about the centre by 1 ± scale', () => {
    const dist = draw(blob(13.5, 21.5), { degrees: 0, scale: 0.1, shift: 0 }, 40).map(([y, x]) => {
      expect(Math.abs(y)).toBeLessThan(1e-3); // no rotation
      return x / 8;
    });
    expect(Math.min(...dist)).toBeGreaterThanOrEqual(0.9 - 0.01);
    expect(Math.max(...dist)).toBeLessThanOrEqual(1.1 + 0.01);
    expect(Math.min(...dist)).toBeLessThan(0.93);
    expect(Math.max(...dist)).toBeGreaterThan(1.07);
  });
  it('shifts by up to ± shift pixels in each direction, not only by whole pixels', () => {
    const moves = draw(blob(13.5, 13.5), { degrees: 0, scale: 0, shift: 2 }, 40).flat();
    expect(Math.max(...moves.map(Math.abs))).toBeLessThanOrEqual(2.01);
    expect(Math.max(...moves)).toBeGreaterThan(1.5);
    expect(Math.min(...moves)).toBeLessThan(-1.5);
    expect(moves.some((m) => Math.abs(m - Math.round(m)) > 0.2)).toBe(true);
  });
  it('fills what comes from outside the image with the background', () => {
    const b = { x: new Float32Array(784).fill(1), y: new Uint8Array([0]), count: 1 };
    const out = randomAffine(b, 28, 28, { degrees: 0, scale: 0, shift: 2 }, -3, new Rng(1)).x;
    expect(out.some((v) => v < 0)).toBe(true); // a border came from outside
    expect(out[14 * 28 + 14]).toBe(1); // the middle did not
    expect(Math.min(...out)).toBeGreaterThanOrEqual(-3);
  });
});

describe('weight EMA', () => {
  it('averages parameters and running statistics with a warmed-up decay, copies the batch counter, and loads into a twin', () => {
    const make = () => new Sequential(new Linear(2, 1, { rng: new Rng(1) }), new BatchNorm1d(1));
    const m = make();
    const ema = new WeightEma(m, 0.5);
    const w0 = Array.from(m.stateDict().get('0.weight')!.data);
    expect(ema.currentDecay()).toBeCloseTo(1 / 10, 12); // (1 + 0)/(10 + 0) below 0.5
    // train one step's worth: new weights and a forward in train mode (moves running stats and the counter)
    m.loadStateDict(new Map([['0.weight', new Tensor(new Float32Array([3, -1]), [1, 2])]]), { strict: false });
    m.train().call(new Tensor(new Float32Array([1, 2, 3, 5, -1, 0]), [3, 2]));
    const live = m.stateDict();
    ema.update(m);
    const twin = make();
    ema.copyTo(twin);
    const avg = twin.stateDict();
    const d = 0.1;
    expect(Array.from(avg.get('0.weight')!.data)).toEqual([0, 1].map((i) => Math.fround(d * w0[i] + (1 - d) * [3, -1][i])));
    expect(avg.get('1.running_mean')!.data[0]).toBeCloseTo((1 - d) * live.get('1.running_mean')!.data[0], 6);
    expect(avg.get('1.running_var')!.data[0]).toBeCloseTo(d + (1 - d) * live.get('1.running_var')!.data[0], 6);
    expect(avg.get('1.num_batches_tracked')!.item()).toBe(1); // copied, not averaged
    for (let t = 0; t < 20; t++) ema.update(m);
    expect(ema.currentDecay()).toBe(0.5); // the warm-up reached the decay
    expect(() => new WeightEma(m, 1)).toThrow(/decay/);
  });
});

describe('model and schedule', () => {
  it('uses depthwise convs (groups = channels), GELU, residual blocks and global average pooling', () => {
    const spec = { stemWidth: 4, stemBlocks: 0, width: 8, blocks: 1, stages: 2, down: 'separable' as const, stem: 'pool' as const, norm: 'batch' as const };
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
  it('puts residual blocks at 14×14 with --stem-blocks, and downsamples with a full 3×3 stride-2 conv with --down dense', () => {
    const spec = { stemWidth: 4, stemBlocks: 2, width: 8, blocks: 1, stages: 2, down: 'dense' as const, stem: 'pool' as const, norm: 'batch' as const };
    const m = buildResNet(spec, 1);
    const blocks = m.modules().filter((q): q is ResidualBlock => q instanceof ResidualBlock);
    expect(blocks.length).toBe(4); // two at the stem, one per stage
    const stemOut = m.at(1).call(m.at(0).call(new Tensor(new Float32Array(28 * 28), [1, 1, 28, 28])));
    expect(blocks[0].call(stemOut).shape).toEqual([1, 4, 14, 14]);
    expect(m.at(2)).toBe(blocks[0]);
    const convs = m.modules().filter((q): q is Conv2d => q instanceof Conv2d);
    const down = convs.filter((c) => [c.stride].flat()[0] === 2 && c.groups === 1);
    expect(down.map((c) => [c.inChannels, c.outChannels, c.groups, c.kernelSize[0]])).toEqual([[4, 8, 1, 3], [8, 16, 1, 3]]);
    expect(convs.some((c) => c.groups === c.inChannels && c.groups > 1)).toBe(true); // the blocks stay depthwise-separable
    expect(m.call(new Tensor(new Float32Array(2 * 28 * 28), [2, 1, 28, 28])).shape).toEqual([2, 10]);
    expect(forwardMacs(spec)).toBe(4 * 25 * 784 + 2 * (4 * 9 + 16) * 196 + (4 * 8 * 9 + 8 * 9 + 64) * 49 + (8 * 16 * 9 + 16 * 9 + 256) * 16 + 16 * 10);
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
      epochs: 4, batchSize: 32, lr: 1e-2, weightDecay: 0.01, shift: 1, rotate: 8, scale: 0.1, ema: 0.9, labelSmoothing: 0, seed: 3, outDir: tmp, data,
      spec: { stemWidth: 8, stemBlocks: 0, width: 16, blocks: 1, stages: 2, down: 'dense', stem: 'pool', norm: 'batch' }, progress: false, log: () => {},
    });
    expect(r.epochs[0].windowLoss[0]).toBeGreaterThan(1.5); // near chance (ln 10 ≈ 2.3) at the start
    expect(r.epochs.at(-1)!.loss).toBeLessThan(0.6 * r.epochs[0].loss);
    expect(r.test.accuracy).toBeGreaterThan(0.5); // chance is 0.1 (BatchNorm in eval mode after 64 steps)
    expect(r.reloadedAccuracy).toBe(r.test.accuracy);
    expect(existsSync(r.checkpointPath) && existsSync(r.chartPath)).toBe(true);
  });
});
