// @convgrad/layers outside Node (the `default` condition of #platform): there are no file paths, so the
// path-based functions throw a ConvgradError that names the byte and Blob helpers to use instead.
import { ConvgradError } from '@convgrad/core';
import type { LayersPlatform } from './types.ts';

function nodeOnly(op: string, instead: string): never {
  throw new ConvgradError(op, `file paths work only in Node; in a browser use ${instead}`);
}

const SAVE = 'stateDictToBytes(module) or stateDictToBlob(module) (then download the Blob or store the bytes)';
const LOAD = 'loadCheckpointFromBytes(bytes, module) (Uint8Array or ArrayBuffer) or await loadCheckpointFromBlob(blobOrFile, module)';

export const saveCheckpoint: LayersPlatform['saveCheckpoint'] = () => nodeOnly('saveCheckpoint', SAVE);
export const loadCheckpoint: LayersPlatform['loadCheckpoint'] = () => nodeOnly('loadCheckpoint', LOAD);
export const saveSafetensors: LayersPlatform['saveSafetensors'] = () => nodeOnly('saveSafetensors', 'stateDictToBytes(dict) or stateDictToBlob(dict)');
export const loadSafetensors: LayersPlatform['loadSafetensors'] = () => nodeOnly('loadSafetensors', 'stateDictFromBytes(bytes) or await stateDictFromBlob(blobOrFile)');
export const writeFileAtomic: LayersPlatform['writeFileAtomic'] = () => nodeOnly('writeFileAtomic', `a Blob (${SAVE})`);
