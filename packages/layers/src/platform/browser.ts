// @convgrad/layers outside Node (the `default` condition of #platform): there are no file paths, so the
// path-based functions throw a ConvgradError that names the byte and Blob helpers to use instead.
import { ConvgradError } from '@convgrad/core';
import type { LayersPlatform } from './types.ts';

function nodeOnly(op: string, instead: string): never {
  throw new ConvgradError(op, `file paths work only in Node; in a browser use ${instead}`);
}

const SAVE = 'stateDictToBytes(module) or stateDictToBlob(module) (then download the Blob or store the bytes)';
const LOAD = 'loadCheckpointFromBytes(bytes, module) (Uint8Array or ArrayBuffer) or await loadCheckpointFromBlob(blobOrFile, module)';

/** Node only (a file path). In a browser: `stateDictToBytes(module)` or `stateDictToBlob(module)`. */
export const saveCheckpoint: LayersPlatform['saveCheckpoint'] = () => nodeOnly('saveCheckpoint', SAVE);
/** Node only (a file path). In a browser: `loadCheckpointFromBytes(bytes, module)` or `await loadCheckpointFromBlob(file, module)`. */
export const loadCheckpoint: LayersPlatform['loadCheckpoint'] = () => nodeOnly('loadCheckpoint', LOAD);
/** Node only (a file path). In a browser: `stateDictToBytes(dict)` or `stateDictToBlob(dict)`. */
export const saveSafetensors: LayersPlatform['saveSafetensors'] = () => nodeOnly('saveSafetensors', 'stateDictToBytes(dict) or stateDictToBlob(dict)');
/** Node only (a file path). In a browser: `stateDictFromBytes(bytes)` or `await stateDictFromBlob(file)`. */
export const loadSafetensors: LayersPlatform['loadSafetensors'] = () => nodeOnly('loadSafetensors', 'stateDictFromBytes(bytes) or await stateDictFromBlob(blobOrFile)');
/** Node only (a file path). In a browser, make a Blob of the bytes instead. */
export const writeFileAtomic: LayersPlatform['writeFileAtomic'] = () => nodeOnly('writeFileAtomic', `a Blob (${SAVE})`);
/** Node only (a file path). In a browser: `encodeTrainingCheckpoint(checkpoint)` gives the bytes. */
export const saveTrainingCheckpoint: LayersPlatform['saveTrainingCheckpoint'] = () => nodeOnly('saveTrainingCheckpoint', 'encodeTrainingCheckpoint(checkpoint) (then store the bytes or a Blob of them)');
/** Node only (a file path). In a browser: `decodeTrainingCheckpoint(bytes, state)`. */
export const loadTrainingCheckpoint: LayersPlatform['loadTrainingCheckpoint'] = () => nodeOnly('loadTrainingCheckpoint', 'decodeTrainingCheckpoint(bytes, state)');
