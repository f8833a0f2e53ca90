// What each platform module of @convgrad/layers provides under the same names: node.ts works with file
// paths; browser.ts throws, naming the byte/Blob helpers of io/checkpoint-bytes.ts to use instead.
import type { SafetensorsContents } from '../io/safetensors.ts';
import type { LoadedTrainingCheckpoint, TrainingCheckpoint, TrainingState } from '../io/training-checkpoint.ts';
import type { LoadStateDictOptions, LoadStateDictResult, Module, StateDictLike } from '../module.ts';

/** What loading a checkpoint reports: the key report of loadStateDict and the file's metadata. */
export type CheckpointLoadResult = LoadStateDictResult & { metadata: Record<string, string> | null };

export interface LayersPlatform {
  saveCheckpoint(path: string, module: Module<any, any>, metadata?: Record<string, string>): void;
  loadCheckpoint(path: string, module: Module<any, any>, options?: LoadStateDictOptions): CheckpointLoadResult;
  saveSafetensors(path: string, dict: StateDictLike, metadata?: Record<string, string>, op?: string): void;
  loadSafetensors(path: string, op?: string): SafetensorsContents;
  writeFileAtomic(path: string, data: Uint8Array | string, op?: string): void;
  saveTrainingCheckpoint(path: string, checkpoint: TrainingCheckpoint): void;
  loadTrainingCheckpoint(path: string, state: TrainingState): LoadedTrainingCheckpoint;
}
