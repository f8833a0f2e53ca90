export { Module, toStateDict } from './module.ts';
export type { StateDict, StateDictLike, LoadStateDictOptions, LoadStateDictResult } from './module.ts';
export { Sequential } from './sequential.ts';
export { manualSeed, kaimingUniformBound } from './init.ts';
export type { InitOptions } from './init.ts';
export { Conv2d } from './layers/conv2d.ts';
export type { Conv2dLayerOptions } from './layers/conv2d.ts';
export { Linear } from './layers/linear.ts';
export type { LinearOptions } from './layers/linear.ts';
export { ReLU, LeakyReLU, Sigmoid, Tanh } from './layers/activations.ts';
export { MaxPool2d, AvgPool2d } from './layers/pooling.ts';
export type { PoolLayerOptions } from './layers/pooling.ts';
export { Flatten } from './layers/flatten.ts';
export { Dropout } from './layers/dropout.ts';
export { MSELoss, CrossEntropyLoss } from './losses.ts';
export { Optimizer, ParamState } from './optim/optimizer.ts';
export { SGD } from './optim/sgd.ts';
export type { SGDOptions } from './optim/sgd.ts';
export { Adam, AdamW } from './optim/adam.ts';
export type { AdamOptions } from './optim/adam.ts';
export { StepLR } from './optim/step-lr.ts';
export { encodeSafetensors, decodeSafetensors, MAX_HEADER_BYTES } from './io/safetensors.ts';
export type { SafetensorsContents } from './io/safetensors.ts';
export {
  stateDictToBytes, stateDictToBlob, stateDictFromBytes, stateDictFromBlob, loadCheckpointFromBytes, loadCheckpointFromBlob,
} from './io/checkpoint-bytes.ts';
export type { BytesLike } from './io/checkpoint-bytes.ts';
// Path-based files: Node only (in a browser they throw, naming the byte and Blob helpers above).
export { saveCheckpoint, loadCheckpoint, saveSafetensors, loadSafetensors, writeFileAtomic } from '#platform';
export type { CheckpointLoadResult } from './platform/types.ts';
export { BatchNorm1d, BatchNorm2d } from './layers/batchnorm.ts';
export type { BatchNormOptions } from './layers/batchnorm.ts';
