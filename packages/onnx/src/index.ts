export { importOnnx } from './import/import.ts';
export { OnnxModel } from './import/model.ts';
export type { ValueSpec } from './import/model.ts';
