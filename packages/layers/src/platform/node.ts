// @convgrad/layers on Node (the `node` condition of #platform): checkpoints and safetensors files by path,
// written atomically.
import { writeFileAtomic as atomic } from './atomic-write.ts';
import { loadCheckpoint as loadFile, saveCheckpoint as saveFile } from './checkpoint.ts';
import { loadSafetensors as loadTensors, saveSafetensors as saveTensors } from './safetensors-file.ts';
import { loadTrainingCheckpoint as loadTraining, saveTrainingCheckpoint as saveTraining } from './training-checkpoint-file.ts';
import type { LayersPlatform } from './types.ts';

/** Saves `module.stateDict()` to the safetensors file `path`, atomically; `metadata` goes to `__metadata__`. */
export const saveCheckpoint: LayersPlatform['saveCheckpoint'] = saveFile;
/** Loads the safetensors file `path` into `module` after validating it against the model (all or nothing). */
export const loadCheckpoint: LayersPlatform['loadCheckpoint'] = loadFile;
/** Writes a state dict as a safetensors file, atomically. */
export const saveSafetensors: LayersPlatform['saveSafetensors'] = saveTensors;
/** Reads and validates a safetensors file. */
export const loadSafetensors: LayersPlatform['loadSafetensors'] = loadTensors;
/** Writes `data` to a temp file beside `path`, fsyncs it and renames it over `path`. */
export const writeFileAtomic: LayersPlatform['writeFileAtomic'] = atomic;
/** Saves a training checkpoint (model, optimizer, schedule, generators, epoch/step) to `path`, atomically. */
export const saveTrainingCheckpoint: LayersPlatform['saveTrainingCheckpoint'] = saveTraining;
/** Restores a training checkpoint file into the given objects. */
export const loadTrainingCheckpoint: LayersPlatform['loadTrainingCheckpoint'] = loadTraining;
