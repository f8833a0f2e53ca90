// Training checkpoints: a run stopped, saved, restored into fresh objects and continued writes the same
// bytes as the run that never stopped (model, Adam moments, schedule, shuffling, dropout masks).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randn, Rng, softmaxCrossEntropy, Tensor } from '@convgrad/core';
import {
  Adam, BatchNorm1d, DataLoader, decodeTrainingCheckpoint, Dropout, encodeTrainingCheckpoint, LinearLR, Linear, loadTrainingCheckpoint,
  ReLU, saveCheckpoint, saveTrainingCheckpoint, Sequential, SGD, StepLR, TensorDataset, ExponentialLR, SequentialLR
} from '../src/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'convgrad-training-ckpt-'));

/** Everything a small run owns, built the same way every time (the state that matters comes from the checkpoint). */
function setup(seed = 1) {
  const rng = new Rng(seed);
  const model = new Sequential(new Linear(4, 8, { rng }), new BatchNorm1d(8), new ReLU(), new Dropout(0.3, { seed: 11 }), new Linear(8, 3, { rng }));
  const optimizer = new Adam(model.parameters(), { lr: 0.01, amsgrad: true });
  const scheduler = new SequentialLR(optimizer, [new LinearLR(optimizer, { startFactor: 0.5, totalIters: 2 }), new ExponentialLR(optimizer, 0.9)], [2]);
  const x = randn([20, 4], { seed: 3 });
  const y = new Tensor(Float32Array.from({ length: 20 }, (_, i) => i % 3), [20]);
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 6, shuffle: true, seed: 5 });
  return { model, optimizer, scheduler, loader };
}

type Run = ReturnType<typeof setup>;

function trainEpoch(r: Run): void {
  r.model.train();
  for (const [xb, yb] of r.loader) {
    r.optimizer.zeroGrad();
    softmaxCrossEntropy(r.model.call(xb), yb).backward();
    r.optimizer.step();
  }
  r.scheduler.step();
}

/** What a checkpoint saves and restores of a run. */
const state = (r: Run) => ({ model: r.model, optimizer: r.optimizer, scheduler: r.scheduler, rng: { shuffle: r.loader.generator } });
const encode = (r: Run, epoch: number) => encodeTrainingCheckpoint({ ...state(r), epoch, step: epoch * r.loader.length });

describe('exact resume', () => {
  it('3 epochs straight = 1 epoch, save, load into fresh objects, 2 more epochs (byte-identical checkpoints)', () => {
    const straight = setup();
    const bytes: Uint8Array[] = [];
    for (let e = 1; e <= 3; e++) {
      trainEpoch(straight);
      bytes.push(encode(straight, e));
    }
    const first = setup();
    trainEpoch(first);
    const path = join(tmp, 'run.safetensors');
    saveTrainingCheckpoint(path, { ...state(first), epoch: 1, step: first.loader.length, metadata: { note: 'hi' } });

    const resumed = setup(99); // a different init: everything must come from the file
    const info = loadTrainingCheckpoint(path, state(resumed));
    expect(info).toEqual({ epoch: 1, step: 4, metadata: { note: 'hi' } });
    expect(encode(resumed, 1)).toEqual(bytes[0]);
    for (let e = 2; e <= 3; e++) {
      trainEpoch(resumed);
      const b = encode(resumed, e);
      expect(Buffer.from(b).equals(Buffer.from(bytes[e - 1])), `epoch ${e} checkpoint bytes`).toBe(true);
    }
    // the run really changed between epochs (the comparison is not of constant files)
    expect(Buffer.from(bytes[1]).equals(Buffer.from(bytes[2]))).toBe(false);
  });

  it('without the shuffle generator or the dropout generator the continuation differs (both are needed)', () => {
    const straight = setup();
    trainEpoch(straight);
    trainEpoch(straight);
    const target = encode(straight, 2);
    const first = setup();
    trainEpoch(first);
    const saved = encode(first, 1);
    for (const drop of ['shuffle', 'dropout'] as const) {
      const r = setup();
      decodeTrainingCheckpoint(saved, state(r));
      if (drop === 'shuffle') r.loader.generator.setState(new Rng(123).getState());
      else (r.model.at(3) as Dropout).generator.setState(new Rng(123).getState());
      trainEpoch(r);
      expect(Buffer.from(encode(r, 2)).equals(Buffer.from(target)), drop).toBe(false);
    }
  });

  it('the file holds the model, the optimizer buffers and the scalars in its metadata', () => {
    const r = setup();
    trainEpoch(r);
    const text = new TextDecoder().decode(encode(r, 1));
    for (const key of ['model.0.weight', 'model.1.running_mean', 'optimizer.state.0.expAvg', 'optimizer.state.0.maxExpAvgSq', '"convgrad.epoch":"1"', '"convgrad.step":"4"', 'convgrad.scheduler', 'model.3', 'layers.default', 'shuffle']) {
      expect(text).toContain(key);
    }
  });
});

describe('rejections leave everything as it was', () => {
  it('a checkpoint of another optimizer or schedule kind, a model-only file, a wrong model', () => {
    const r = setup();
    trainEpoch(r);
    const saved = encode(r, 1);
    const wrong = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3)); // draws from the shared generator, which the checkpoint holds
    const fresh = setup(7);
    const before = encode(fresh, 0);
    const sgd = new SGD(fresh.model.parameters(), { lr: 0.1 });
    expect(() => decodeTrainingCheckpoint(saved, { model: fresh.model, optimizer: sgd })).toThrow(/^loadTrainingCheckpoint: <buffer>: the checkpoint's optimizer is "Adam", the one given is SGD/);
    const other = setup(8);
    const stepLR = new StepLR(other.optimizer, 2);
    expect(() => decodeTrainingCheckpoint(saved, { model: other.model, optimizer: other.optimizer, scheduler: stepLR })).toThrow(/the checkpoint's scheduler is "SequentialLR", the one given is StepLR/);
    expect(() => decodeTrainingCheckpoint(saved, { model: wrong })).toThrow(/the model does not match: missing keys: 2\.weight, 2\.bias; unexpected keys: (1\.\w+, )*1\.bias/);
    const modelOnly = join(tmp, 'model.safetensors');
    saveCheckpoint(modelOnly, fresh.model);
    expect(() => loadTrainingCheckpoint(modelOnly, state(fresh))).toThrow(/model\.safetensors: not a training checkpoint .* loads with loadCheckpoint/);
    expect(Buffer.from(encode(fresh, 0)).equals(Buffer.from(before)), 'fresh run unchanged').toBe(true);
  });

  it('refuses reserved metadata keys, bad counters and unknown fields', () => {
    const r = setup();
    expect(() => encodeTrainingCheckpoint({ model: r.model, metadata: { 'convgrad.epoch': '3' } })).toThrow(/^saveTrainingCheckpoint: metadata key 'convgrad.epoch' is reserved/);
    expect(() => encodeTrainingCheckpoint({ model: r.model, epoch: -1 })).toThrow(/^saveTrainingCheckpoint: epoch must be an integer ≥ 0, got -1/);
    expect(() => encodeTrainingCheckpoint({ model: r.model, epochs: 2 } as never)).toThrow(/^saveTrainingCheckpoint: unknown field 'epochs'/);
    expect(() => encodeTrainingCheckpoint({ model: r.model, scheduler: r.scheduler })).toThrow(/a scheduler needs its optimizer/);
    expect(() => encodeTrainingCheckpoint({ model: r.model, rng: { a: 3 as never } })).toThrow(/rng 'a' must be an Rng, got 3/);
  });

  it('a generator the run has but the file lacks is an error, and the optimizer is put back', () => {
    const r = setup();
    trainEpoch(r);
    const saved = encodeTrainingCheckpoint({ model: r.model, optimizer: r.optimizer, scheduler: r.scheduler });
    const fresh = setup(3);
    const optBefore = JSON.stringify(fresh.optimizer.stateDict().paramGroups);
    const w = Array.from(fresh.model.parameters()[0].data);
    expect(() => decodeTrainingCheckpoint(saved, state(fresh))).toThrow(/holds no state for the generator\(s\) shuffle/);
    expect(JSON.stringify(fresh.optimizer.stateDict().paramGroups)).toBe(optBefore);
    expect(Array.from(fresh.model.parameters()[0].data)).toEqual(w);
  });
});
