// Training checkpoints, the parts the mutation run found untested: every refusal's exact message (naming
// the source and the offending key or value), the counters' grammar, tensor names, and that a rejected
// load puts the optimizer, the scheduler and the generators back as they were.
import { describe, expect, it } from 'vitest';
import { Rng, Tensor } from '@convgrad/core';
import {
  Adam, decodeSafetensors, decodeTrainingCheckpoint, encodeSafetensors, encodeTrainingCheckpoint, Linear, restoreTrainingCheckpoint,
  Sequential, SGD, StepLR, TRAINING_CHECKPOINT_FORMAT, type TrainingState,
} from '../src/index.ts';
import { messageOf } from './io-mutants-helpers.ts';

/** A small run: `layers` Linear(2, 2) layers (2 parameters each), Adam stepped once (every parameter has state), StepLR. */
function run(seed = 1, layers = 1) {
  const rng = new Rng(seed);
  const model = new Sequential(...Array.from({ length: layers }, () => new Linear(2, 2, { rng })));
  const optimizer = new Adam(model.parameters(), { lr: 0.1 });
  const scheduler = new StepLR(optimizer, 2);
  const data = new Rng(seed + 100);
  model.call(new Tensor(new Float32Array([1, -2]), [1, 2])).sum().backward();
  optimizer.step();
  scheduler.step();
  return { model, optimizer, scheduler, rng: { data } };
}

type Run = ReturnType<typeof run>;

/** Everything of a run that a checkpoint restores, as comparable values. */
function snapshot(r: Run) {
  return JSON.stringify({
    model: [...r.model.stateDict()].map(([k, t]) => [k, Array.from(t.data)]),
    optimizer: r.optimizer.stateDict().paramGroups,
    state: Object.entries(r.optimizer.stateDict().state).map(([i, s]) => [i, s.step, Object.entries(s.buffers).map(([b, t]) => [b, Array.from(t.data)])]),
    stepCount: r.optimizer.stepCount,
    scheduler: r.scheduler.stateDict(),
    data: r.rng.data.getState(),
  });
}

/** The parsed checkpoint of `r` with its metadata and tensors edited. */
function edited(r: Run, edit: { meta?: Record<string, string | undefined>; tensors?: Record<string, Tensor | undefined> }, state: TrainingState = r) {
  const contents = decodeSafetensors(encodeTrainingCheckpoint({ ...state, epoch: 2, step: 10 }));
  const metadata = { ...contents.metadata! };
  for (const [k, v] of Object.entries(edit.meta ?? {})) {
    if (v === undefined) delete metadata[k];
    else metadata[k] = v;
  }
  const tensors = new Map(contents.tensors);
  for (const [k, t] of Object.entries(edit.tensors ?? {})) {
    if (t === undefined) tensors.delete(k);
    else tensors.set(k, t);
  }
  return { tensors, metadata };
}

describe('saving: refused states and fields, with exact messages', () => {
  const r = run();
  const cases: [string, unknown, string][] = [
    ['null', null, "saveTrainingCheckpoint: expected { model, optimizer?, scheduler?, rng?, … }, got null"],
    ['a number', 3, 'saveTrainingCheckpoint: expected { model, optimizer?, scheduler?, rng?, … }, got 3'],
    ['a string', 'x', 'saveTrainingCheckpoint: expected { model, optimizer?, scheduler?, rng?, … }, got "x"'],
    ['no model', {}, 'saveTrainingCheckpoint: model must be a Module, got undefined'],
    ['a model that is not a Module', { model: 3 }, 'saveTrainingCheckpoint: model must be a Module, got 3'],
    ['an unknown field', { model: r.model, epochs: 2 }, "saveTrainingCheckpoint: unknown field 'epochs' (known: model, optimizer, scheduler, rng, epoch, step, metadata)"],
    ['a scheduler of another optimizer', { model: r.model, optimizer: new SGD(r.model.parameters(), { lr: 1 }), scheduler: r.scheduler }, 'saveTrainingCheckpoint: the scheduler belongs to another optimizer than the one given'],
    ['an rng that is not an Rng', { model: r.model, rng: { data: r.rng.data, aug: 'seed' } }, `saveTrainingCheckpoint: rng 'aug' must be an Rng, got "seed"`],
    ['null metadata', { model: r.model, metadata: null }, 'saveTrainingCheckpoint: metadata must be an object of strings, got null'],
    ['string metadata', { model: r.model, metadata: 'note' }, 'saveTrainingCheckpoint: metadata must be an object of strings, got "note"'],
    ['a metadata value that is not a string', { model: r.model, metadata: { note: 'a', lr: 0.5 } }, "saveTrainingCheckpoint: metadata 'lr' must be a string, got 0.5"],
    ['a fractional step', { model: r.model, step: 1.5 }, 'saveTrainingCheckpoint: step must be an integer ≥ 0, got 1.5'],
  ];
  it.each(cases)('%s', (_, checkpoint, message) => {
    expect(messageOf(() => encodeTrainingCheckpoint(checkpoint as never))).toBe(message);
  });

  it('the file names its format and keeps the caller metadata as given', () => {
    expect(TRAINING_CHECKPOINT_FORMAT).toBe('training-checkpoint/1');
    const { metadata } = decodeSafetensors(encodeTrainingCheckpoint({ model: r.model, epoch: 0, metadata: { note: 'hi' } }));
    expect(metadata!['convgrad.format']).toBe('training-checkpoint/1');
    expect(metadata!['convgrad.epoch']).toBe('0');
    expect(metadata!.note).toBe('hi');
    expect(metadata!['convgrad.step']).toBeUndefined();
  });
});

describe('loading: refused states and files, with exact messages', () => {
  it('refuses a bad state before reading the file (the op name, no source: the state is not the file)', () => {
    const bytes = encodeTrainingCheckpoint({ model: run().model });
    expect(() => decodeTrainingCheckpoint(bytes, null as never, 'run.st')).toThrow(/^loadTrainingCheckpoint: expected \{ model, optimizer\?, scheduler\?, rng\?, … \}, got null$/);
    expect(() => decodeTrainingCheckpoint(bytes, { model: undefined } as never, 'run.st')).toThrow(/^loadTrainingCheckpoint: model must be a Module, got undefined$/);
    expect(() => decodeTrainingCheckpoint(bytes, { model: run().model, rng: { a: 1 } } as never)).toThrow(/^loadTrainingCheckpoint: rng 'a' must be an Rng, got 1$/);
  });

  it('names a file that is not a training checkpoint by its format value; the default source is <buffer>', () => {
    const r = run();
    const other = { tensors: new Map(), metadata: { 'convgrad.format': 'other/2' } };
    expect(() => restoreTrainingCheckpoint(other, { model: r.model })).toThrow(
      /^loadTrainingCheckpoint: <buffer>: not a training checkpoint \(metadata convgrad\.format is "other\/2", expected 'training-checkpoint\/1'\); a model-only file loads with loadCheckpoint$/);
    expect(() => restoreTrainingCheckpoint({ tensors: new Map(), metadata: null }, { model: r.model }, 'run.st')).toThrow(
      /^loadTrainingCheckpoint: run\.st: not a training checkpoint \(metadata convgrad\.format is undefined, expected/);
  });

  it('epoch and step: decimal integers without sign, leading zeros, spaces or exponents, up to 2^53 - 1', () => {
    const r = run();
    for (const bad of ['01', '-1', '+1', '1.5', ' 1', '1 ', 'x1', '1x', '1e3', '0x10', '', '9007199254740992']) {
      const c = edited(r, { meta: { 'convgrad.epoch': bad } });
      expect(() => restoreTrainingCheckpoint(c, run(2), 'run.st'), JSON.stringify(bad)).toThrow(
        `loadTrainingCheckpoint: run.st: metadata convgrad.epoch must be a non-negative integer, got ${JSON.stringify(bad)}`);
    }
    for (const [text, value] of [['0', 0], ['7', 7], ['10', 10], ['190', 190], ['9007199254740991', 2 ** 53 - 1]] as const) {
      const info = restoreTrainingCheckpoint(edited(r, { meta: { 'convgrad.step': text } }), run(2), 'run.st');
      expect(info.step).toBe(value);
      expect(info.epoch).toBe(2);
    }
    const none = restoreTrainingCheckpoint(edited(r, { meta: { 'convgrad.epoch': undefined, 'convgrad.step': undefined } }), run(2));
    expect(none).toEqual({ epoch: null, step: null, metadata: {} });
  });

  it('metadata that is not JSON names its key and the parser error', () => {
    const r = run();
    for (const key of ['optimizer', 'scheduler', 'rng']) {
      expect(() => restoreTrainingCheckpoint(edited(r, { meta: { [`convgrad.${key}`]: '{"kind": ' } }), run(2), 'run.st')).toThrow(
        new RegExp(`^loadTrainingCheckpoint: run\\.st: metadata convgrad\\.${key} is not valid JSON \\(.+\\)$`));
    }
  });

  it('tensor names: model.* and optimizer.state.<index without leading zeros>.<letters>, nothing else', () => {
    const r = run();
    const t = new Tensor(new Float32Array(2), [2]);
    for (const name of ['foo', 'xoptimizer.state.0.expAvg', 'optimizer.state.0.expAvg2', 'optimizer.state.01.expAvg', 'optimizer.state.a.expAvg', 'optimizer.state.0.', 'optimizer.state.0.exp.avg']) {
      expect(() => restoreTrainingCheckpoint(edited(r, { tensors: { [name]: t } }), { model: run(2).model }, 'run.st'), name).toThrow(
        `loadTrainingCheckpoint: run.st: unexpected tensor '${name}' (a training checkpoint holds model.* and optimizer.state.<i>.<buffer>)`);
    }
  });

  it('an optimizer with more than 10 parameters: state 10 and 11 come back (two-digit indices)', () => {
    const r = run(1, 6);
    const bytes = encodeTrainingCheckpoint(r);
    expect(new TextDecoder().decode(bytes)).toContain('optimizer.state.11.expAvgSq');
    const fresh = run(5, 6);
    decodeTrainingCheckpoint(bytes, fresh);
    expect(snapshot(fresh)).toBe(snapshot(r));
  });

  it('an optimizer or scheduler given without its state in the file', () => {
    const r = run();
    const modelOnly = encodeTrainingCheckpoint({ model: r.model, rng: r.rng });
    expect(() => decodeTrainingCheckpoint(modelOnly, run(2), 'run.st')).toThrow(/^loadTrainingCheckpoint: run\.st: an optimizer was given but the checkpoint holds no optimizer state$/);
    const noSchedule = encodeTrainingCheckpoint({ model: r.model, optimizer: r.optimizer, rng: r.rng });
    expect(() => decodeTrainingCheckpoint(noSchedule, run(2), 'run.st')).toThrow(/^loadTrainingCheckpoint: run\.st: a scheduler was given but the checkpoint holds no scheduler state$/);
  });

  it('optimizer stepCount: an integer ≥ 0 (0 is fine)', () => {
    const r = run();
    for (const bad of ['-1', '1.5', '"3"', 'null']) {
      const o = JSON.parse(edited(r, {}).metadata['convgrad.optimizer']);
      const c = edited(r, { meta: { 'convgrad.optimizer': JSON.stringify({ ...o, stepCount: JSON.parse(bad) }) } });
      expect(() => restoreTrainingCheckpoint(c, run(2), 'run.st'), bad).toThrow(`loadTrainingCheckpoint: run.st: optimizer stepCount must be an integer ≥ 0, got ${bad === '"3"' ? '"3"' : bad}`);
    }
    // a run saved before its first step
    const rng = new Rng(1);
    const model = new Linear(2, 2, { rng });
    const optimizer = new Adam(model.parameters(), { lr: 0.1 });
    const bytes = encodeTrainingCheckpoint({ model, optimizer });
    const other = new Linear(2, 2, { rng });
    const fresh = new Adam(other.parameters(), { lr: 0.5 });
    decodeTrainingCheckpoint(bytes, { model: other, optimizer: fresh });
    expect(fresh.stepCount).toBe(0);
    expect(fresh.stateDict().paramGroups[0].lr).toBe(0.1);
  });

  it('a full checkpoint loads into the model alone (the optimizer and scheduler states are left unused)', () => {
    const r = run();
    const bytes = encodeTrainingCheckpoint({ ...r, metadata: { note: 'n' } });
    const fresh = run(3);
    const info = decodeTrainingCheckpoint(bytes, { model: fresh.model, rng: fresh.rng });
    expect(info).toEqual({ epoch: null, step: null, metadata: { note: 'n' } });
    expect(JSON.stringify([...fresh.model.stateDict()].map(([k, t]) => [k, Array.from(t.data)]))).toBe(JSON.stringify([...r.model.stateDict()].map(([k, t]) => [k, Array.from(t.data)])));
    expect(fresh.rng.data.getState()).toEqual(r.rng.data.getState());
    // a model-only checkpoint (no scheduler or optimizer JSON at all) loads into the model alone too
    decodeTrainingCheckpoint(encodeTrainingCheckpoint({ model: r.model }), { model: run(4).model });
  });

  it('a checkpoint with optimizer but no scheduler loads into optimizer and model', () => {
    const r = run();
    const bytes = encodeTrainingCheckpoint({ model: r.model, optimizer: r.optimizer, rng: r.rng });
    const fresh = run(3);
    decodeTrainingCheckpoint(bytes, { model: fresh.model, optimizer: fresh.optimizer, rng: fresh.rng });
    expect(fresh.optimizer.stepCount).toBe(1);
  });
});

describe('generator states', () => {
  it('refuses a convgrad.rng that is not an object, and names the missing and the saved generators', () => {
    const r = run();
    for (const bad of ['3', 'null', '"s"']) {
      expect(() => restoreTrainingCheckpoint(edited(r, { meta: { 'convgrad.rng': bad } }), run(2), 'run.st'), bad).toThrow(
        /^loadTrainingCheckpoint: run\.st: metadata convgrad\.rng must be an object of generator states$/);
    }
    expect(() => restoreTrainingCheckpoint(edited(r, { meta: { 'convgrad.rng': '{}' } }), run(2), 'run.st')).toThrow(
      /^loadTrainingCheckpoint: run\.st: the checkpoint holds no state for the generator\(s\) data, layers\.default \(saved: none\)$/);
    const saved = JSON.parse(edited(r, {}).metadata['convgrad.rng']);
    const two = JSON.stringify({ a: saved.data, b: saved.data, 'layers.default': saved['layers.default'] });
    expect(() => restoreTrainingCheckpoint(edited(r, { meta: { 'convgrad.rng': two } }), run(2), 'run.st')).toThrow(
      /^loadTrainingCheckpoint: run\.st: the checkpoint holds no state for the generator\(s\) data \(saved: a, b, layers\.default\)$/);
    expect(() => restoreTrainingCheckpoint(edited(r, { meta: { 'convgrad.rng': undefined } }), run(2), 'run.st')).toThrow(
      /^loadTrainingCheckpoint: run\.st: the checkpoint holds no generator states$/);
  });
});

describe('a rejected load puts back what it changed', () => {
  it('optimizer, scheduler and generators are as before after a late failure (a generator missing)', () => {
    const r = run();
    const c = edited(r, { meta: { 'convgrad.rng': JSON.stringify({ 'layers.default': JSON.parse(edited(r, {}).metadata['convgrad.rng'])['layers.default'] }) } });
    const fresh = run(7);
    fresh.scheduler.step(); // a scheduler state unlike the saved one
    fresh.optimizer.stepCount = 5; // and a step count
    const before = snapshot(fresh);
    expect(snapshot(r)).not.toBe(before);
    expect(() => restoreTrainingCheckpoint(c, fresh, 'run.st')).toThrow(/holds no state for the generator\(s\) data \(saved: layers\.default\)$/);
    expect(snapshot(fresh)).toBe(before);
  });

  it('without an optimizer, or with an optimizer but no scheduler, the failure is still the checkpoint\'s error', () => {
    const r = run();
    const fresh = run(7);
    const noRng = (state: TrainingState) => edited(r, { meta: { 'convgrad.rng': '{}' } }, state);
    expect(() => restoreTrainingCheckpoint(noRng({ model: r.model, rng: r.rng }), { model: fresh.model, rng: fresh.rng }, 'run.st')).toThrow(
      /^loadTrainingCheckpoint: run\.st: the checkpoint holds no state for the generator\(s\) data, layers\.default \(saved: none\)$/);
    const before = snapshot(fresh);
    expect(() => restoreTrainingCheckpoint(noRng({ model: r.model, optimizer: r.optimizer, rng: r.rng }), { model: fresh.model, optimizer: fresh.optimizer, rng: fresh.rng }, 'run.st')).toThrow(
      /^loadTrainingCheckpoint: run\.st: the checkpoint holds no state for the generator\(s\)/);
    expect(snapshot(fresh)).toBe(before);
  });

  it("the optimizer's own refusal is prefixed with the op and the source, and changes nothing", () => {
    const r = run();
    const o = JSON.parse(edited(r, {}).metadata['convgrad.optimizer']);
    const c = edited(r, { meta: { 'convgrad.optimizer': JSON.stringify({ ...o, paramGroups: [] }) } });
    const fresh = run(7);
    const before = snapshot(fresh);
    expect(() => restoreTrainingCheckpoint(c, fresh, 'run.st')).toThrow(
      /^loadTrainingCheckpoint: run\.st: Adam\.loadStateDict: the state dict has 0 parameter groups, this optimizer 1$/);
    expect(snapshot(fresh)).toBe(before);
    // the scheduler's refusal likewise, after the optimizer was loaded: the optimizer is put back
    const s = edited(r, { meta: { 'convgrad.scheduler': JSON.stringify({ kind: 'StepLR', state: 3 }) } });
    expect(() => restoreTrainingCheckpoint(s, fresh, 'run.st')).toThrow(/^loadTrainingCheckpoint: run\.st: StepLR\.loadStateDict: /);
    expect(snapshot(fresh)).toBe(before);
  });

  it('a checkpoint encoded from safetensors directly (not a training checkpoint) with the format key set is still checked', () => {
    const r = run();
    const bytes = encodeSafetensors(new Map([['model.0.weight', new Tensor(new Float32Array(4), [2, 2])]]), { 'convgrad.format': 'training-checkpoint/1' });
    expect(() => decodeTrainingCheckpoint(bytes, { model: r.model }, 'run.st')).toThrow(/^loadTrainingCheckpoint: run\.st: the model does not match: missing keys: 0\.bias/);
  });
});
