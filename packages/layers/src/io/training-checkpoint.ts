// Training checkpoints: one safetensors file with everything needed to resume a run exactly —
//   tensors   model.<key>                      the model's state dict (parameters and buffers)
//             optimizer.state.<i>.<buffer>     the optimizer's per-parameter buffers (momentum, moments)
//   metadata  convgrad.format                  "training-checkpoint/1"
//             convgrad.epoch, convgrad.step    the caller's counters (decimal integers)
//             convgrad.optimizer               JSON: kind, step count, parameter groups, per-parameter steps
//             convgrad.scheduler               JSON: kind and state dict
//             convgrad.rng                     JSON: name → generator state (named generators, every
//                                              module's `generator` (Dropout), the shared layer generator)
//   plus the caller's own metadata strings.
// Encoding and decoding work on bytes; saveTrainingCheckpoint/loadTrainingCheckpoint add the file.
import { ConvgradError, Rng, Tensor, type RngState } from '@convgrad/core';
import { defaultGenerator } from '../init.ts';
import type { Module } from '../module.ts';
import type { Scheduler, SchedulerStateDict } from '../optim/lr-scheduler.ts';
import { type Optimizer, type OptimizerStateDict, type ParamStateDict } from '../optim/optimizer.ts';
import { describeValue } from '../describe-value.ts';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from './safetensors.ts';

export const TRAINING_CHECKPOINT_FORMAT = 'training-checkpoint/1';
const PREFIX = 'convgrad.';
const DEFAULT_RNG = 'layers.default';

export interface TrainingState {
  model: Module<any, any>;
  optimizer?: Optimizer;
  scheduler?: Scheduler;
  /** Generators the run draws from besides the model's (data shuffling, augmentation), by name. */
  rng?: Record<string, Rng>;
}

export interface TrainingCheckpoint extends TrainingState {
  /** Epochs completed. */
  epoch?: number;
  /** Optimizer steps (batches) completed. */
  step?: number;
  /** Extra strings for the file's metadata (keys must not start with 'convgrad.'). */
  metadata?: Record<string, string>;
}

export interface LoadedTrainingCheckpoint {
  epoch: number | null;
  step: number | null;
  /** The caller's own metadata strings. */
  metadata: Record<string, string>;
}

/** Every generator of a run (checked by checkState): the named ones, each module's `generator` (model.<path>) and the shared layer generator. */
function generators(state: TrainingState): Map<string, Rng> {
  const out = new Map<string, Rng>(Object.entries(state.rng ?? {}));
  for (const [path, m] of state.model.namedModules()) {
    const g = (m as unknown as { generator?: unknown }).generator;
    if (g instanceof Rng) out.set(`model.${path}`, g);
  }
  out.set(DEFAULT_RNG, defaultGenerator());
  return out;
}

function checkState(op: string, state: TrainingState): void {
  if (typeof state !== 'object' || state === null) throw new ConvgradError(op, `expected { model, optimizer?, scheduler?, rng?, … }, got ${describeValue(state)}`);
  const known = ['model', 'optimizer', 'scheduler', 'rng', 'epoch', 'step', 'metadata'];
  for (const k of Object.keys(state)) if (!known.includes(k)) throw new ConvgradError(op, `unknown field '${k}' (known: ${known.join(', ')})`);
  if (typeof state.model?.namedModules !== 'function') throw new ConvgradError(op, `model must be a Module, got ${describeValue(state.model)}`);
  if (state.scheduler !== undefined && state.optimizer === undefined) throw new ConvgradError(op, 'a scheduler needs its optimizer in the checkpoint too');
  if (state.scheduler !== undefined && state.scheduler.optimizer !== state.optimizer) throw new ConvgradError(op, 'the scheduler belongs to another optimizer than the one given');
  for (const [name, rng] of Object.entries(state.rng ?? {})) {
    if (!(rng instanceof Rng)) throw new ConvgradError(op, `rng '${name}' must be an Rng, got ${describeValue(rng)}`);
  }
}

/** The bytes of a training checkpoint (deterministic: the same state gives the same bytes). */
export function encodeTrainingCheckpoint(checkpoint: TrainingCheckpoint): Uint8Array {
  const op = 'saveTrainingCheckpoint';
  checkState(op, checkpoint);
  const { model, optimizer, scheduler, epoch, step, metadata = {} } = checkpoint;
  for (const [k, v] of [['epoch', epoch], ['step', step]] as const) {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new ConvgradError(op, `${k} must be an integer ≥ 0, got ${describeValue(v)}`);
  }
  const meta: Record<string, string> = { [`${PREFIX}format`]: TRAINING_CHECKPOINT_FORMAT };
  if (epoch !== undefined) meta[`${PREFIX}epoch`] = String(epoch);
  if (step !== undefined) meta[`${PREFIX}step`] = String(step);
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of model.stateDict()) tensors.set(`model.${k}`, t);
  if (optimizer) {
    const sd = optimizer.stateDict();
    const steps: Record<string, number> = {};
    for (const [i, st] of Object.entries(sd.state)) {
      steps[i] = st.step;
      for (const [name, t] of Object.entries(st.buffers)) tensors.set(`optimizer.state.${i}.${name}`, t);
    }
    meta[`${PREFIX}optimizer`] = JSON.stringify({ kind: optimizer.name, stepCount: optimizer.stepCount, paramGroups: sd.paramGroups, steps });
  }
  if (scheduler) meta[`${PREFIX}scheduler`] = JSON.stringify({ kind: scheduler.name, state: scheduler.stateDict() });
  meta[`${PREFIX}rng`] = JSON.stringify(Object.fromEntries([...generators(checkpoint)].map(([k, g]) => [k, g.getState()])));
  if (typeof metadata !== 'object' || metadata === null) throw new ConvgradError(op, `metadata must be an object of strings, got ${describeValue(metadata)}`);
  for (const [k, v] of Object.entries(metadata)) {
    if (k.startsWith(PREFIX)) throw new ConvgradError(op, `metadata key '${k}' is reserved (keys starting with '${PREFIX}' are the checkpoint's own)`);
    if (typeof v !== 'string') throw new ConvgradError(op, `metadata '${k}' must be a string, got ${describeValue(v)}`);
    meta[k] = v;
  }
  return encodeSafetensors(tensors, meta);
}

/**
 * Restores a training checkpoint from its bytes into `state` (the model, and the optimizer, scheduler
 * and generators when given) and returns its epoch, step and the caller's metadata. Everything is
 * checked before the model changes, and the optimizer, scheduler and generators are put back as they
 * were if any part is rejected. `source` names the file in error messages.
 */
export function decodeTrainingCheckpoint(bytes: Uint8Array, state: TrainingState, source = '<buffer>'): LoadedTrainingCheckpoint {
  return restoreTrainingCheckpoint(decodeSafetensors(bytes, source), state, source);
}

/** As decodeTrainingCheckpoint, from already parsed safetensors contents. */
export function restoreTrainingCheckpoint(contents: SafetensorsContents, state: TrainingState, source = '<buffer>'): LoadedTrainingCheckpoint {
  const op = 'loadTrainingCheckpoint';
  const fail = (msg: string): never => {
    throw new ConvgradError(op, `${source}: ${msg}`);
  };
  checkState(op, state);
  const meta = contents.metadata ?? {};
  if (meta[`${PREFIX}format`] !== TRAINING_CHECKPOINT_FORMAT) {
    fail(`not a training checkpoint (metadata ${PREFIX}format is ${describeValue(meta[`${PREFIX}format`])}, expected '${TRAINING_CHECKPOINT_FORMAT}'); a model-only file loads with loadCheckpoint`);
  }
  const json = (key: string): unknown => {
    const text = meta[`${PREFIX}${key}`];
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch (err) {
      return fail(`metadata ${PREFIX}${key} is not valid JSON (${(err as Error).message})`);
    }
  };
  const counter = (key: string): number | null => {
    const text = meta[`${PREFIX}${key}`];
    if (text === undefined) return null;
    if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(Number(text))) fail(`metadata ${PREFIX}${key} must be a non-negative integer, got ${JSON.stringify(text)}`);
    return Number(text);
  };
  const epoch = counter('epoch'), step = counter('step');

  // Split the tensors: model.* and optimizer.state.<i>.<name>; anything else is unexpected.
  const modelDict = new Map<string, Tensor>();
  const buffers = new Map<string, Record<string, Tensor>>();
  for (const [name, t] of contents.tensors) {
    if (name.startsWith('model.')) modelDict.set(name.slice(6), t);
    else {
      const m = /^optimizer\.state\.(0|[1-9][0-9]*)\.([A-Za-z]+)$/.exec(name);
      if (!m) fail(`unexpected tensor '${name}' (a training checkpoint holds model.* and optimizer.state.<i>.<buffer>)`);
      const entry = buffers.get(m![1]) ?? {};
      entry[m![2]] = t;
      buffers.set(m![1], entry);
    }
  }
  const { problems } = state.model.checkStateDict(modelDict);
  if (problems.length > 0) fail(`the model does not match: ${problems.join('; ')}`);

  const savedOpt = json('optimizer') as { kind?: unknown; stepCount?: unknown; paramGroups?: unknown; steps?: unknown } | undefined;
  const savedSched = json('scheduler') as { kind?: unknown; state?: unknown } | undefined;
  const savedRng = json('rng') as Record<string, unknown> | undefined;
  if (state.optimizer && savedOpt === undefined) fail('an optimizer was given but the checkpoint holds no optimizer state');
  if (state.scheduler && savedSched === undefined) fail('a scheduler was given but the checkpoint holds no scheduler state');

  // Snapshots to put back if a later part is rejected.
  const gens = generators(state);
  const undo = {
    optimizer: state.optimizer && { dict: state.optimizer.stateDict(), stepCount: state.optimizer.stepCount },
    scheduler: state.scheduler?.stateDict(),
    rng: new Map([...gens].map(([k, g]) => [k, g.getState()])),
  };
  try {
    if (state.optimizer) {
      const o = savedOpt!;
      if (o.kind !== state.optimizer.name) fail(`the checkpoint's optimizer is ${describeValue(o.kind)}, the one given is ${state.optimizer.name}`);
      if (!Number.isSafeInteger(o.stepCount) || (o.stepCount as number) < 0) fail(`optimizer stepCount must be an integer ≥ 0, got ${describeValue(o.stepCount)}`);
      const steps = (o.steps ?? {}) as Record<string, unknown>;
      const ids = new Set([...Object.keys(steps), ...buffers.keys()]);
      const st: Record<number, ParamStateDict> = {};
      for (const i of ids) st[Number(i)] = { step: steps[i] as number, buffers: buffers.get(i) ?? {} };
      state.optimizer.loadStateDict({ state: st, paramGroups: o.paramGroups } as OptimizerStateDict);
      state.optimizer.stepCount = o.stepCount as number;
    }
    if (state.scheduler) {
      const s = savedSched!;
      if (s.kind !== state.scheduler.name) fail(`the checkpoint's scheduler is ${describeValue(s.kind)}, the one given is ${state.scheduler.name}`);
      state.scheduler.loadStateDict(s.state as SchedulerStateDict);
    }
    if (savedRng !== undefined) {
      if (typeof savedRng !== 'object' || savedRng === null) fail(`metadata ${PREFIX}rng must be an object of generator states`);
      const missing = [...gens.keys()].filter((k) => !(k in savedRng));
      if (missing.length > 0) fail(`the checkpoint holds no state for the generator(s) ${missing.join(', ')} (saved: ${Object.keys(savedRng).join(', ') || 'none'})`);
      for (const [k, g] of gens) g.setState(savedRng[k] as RngState);
    } else {
      fail('the checkpoint holds no generator states'); // there is always one: the shared layer generator
    }
  } catch (err) {
    if (state.optimizer) {
      state.optimizer.loadStateDict(undo.optimizer!.dict);
      state.optimizer.stepCount = undo.optimizer!.stepCount;
    }
    if (state.scheduler) state.scheduler.loadStateDict(undo.scheduler!);
    for (const [k, g] of gens) g.setState(undo.rng.get(k)!);
    if (err instanceof ConvgradError && !err.message.startsWith(op)) throw new ConvgradError(op, `${source}: ${err.message}`);
    throw err;
  }
  state.model.loadStateDict(modelDict);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) if (!k.startsWith(PREFIX)) metadata[k] = v;
  return { epoch, step, metadata };
}
