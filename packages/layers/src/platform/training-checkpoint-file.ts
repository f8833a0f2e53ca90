// Training checkpoints as files: an atomic write of encodeTrainingCheckpoint's bytes, and a validated
// read (see loadSafetensors) restored with restoreTrainingCheckpoint. Node only (behind #platform); the
// byte-level encode/decodeTrainingCheckpoint work everywhere.
import { writeFileAtomic } from './atomic-write.ts';
import { loadSafetensors } from './safetensors-file.ts';
import { encodeTrainingCheckpoint, restoreTrainingCheckpoint, type LoadedTrainingCheckpoint, type TrainingCheckpoint, type TrainingState } from '../io/training-checkpoint.ts';

/** Saves model, optimizer, scheduler, generator states, epoch and step to one safetensors file, atomically. */
export function saveTrainingCheckpoint(path: string, checkpoint: TrainingCheckpoint): void {
  writeFileAtomic(path, encodeTrainingCheckpoint(checkpoint));
}

/** Restores a file written by saveTrainingCheckpoint into `state`; returns its epoch, step and metadata. */
export function loadTrainingCheckpoint(path: string, state: TrainingState): LoadedTrainingCheckpoint {
  return restoreTrainingCheckpoint(loadSafetensors(path), state, path);
}
