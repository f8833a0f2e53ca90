// Training checkpoints as files: an atomic write of encodeTrainingCheckpoint's bytes, and a validated
// read (see loadSafetensors) restored with restoreTrainingCheckpoint. Uses the Node-backed file I/O of
// atomic-write.ts and safetensors.ts (no Node import of its own).
import { writeFileAtomic } from './atomic-write.ts';
import { loadSafetensors } from './safetensors.ts';
import { encodeTrainingCheckpoint, restoreTrainingCheckpoint, type LoadedTrainingCheckpoint, type TrainingCheckpoint, type TrainingState } from './training-checkpoint.ts';

/** Saves model, optimizer, scheduler, generator states, epoch and step to one safetensors file, atomically. */
export function saveTrainingCheckpoint(path: string, checkpoint: TrainingCheckpoint): void {
  writeFileAtomic(path, encodeTrainingCheckpoint(checkpoint));
}

/** Restores a file written by saveTrainingCheckpoint into `state`; returns its epoch, step and metadata. */
export function loadTrainingCheckpoint(path: string, state: TrainingState): LoadedTrainingCheckpoint {
  return restoreTrainingCheckpoint(loadSafetensors(path), state, path);
}
