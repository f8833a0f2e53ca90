export { exportOnnx } from './export/export.ts';
export type { ExportOptions } from './export/export.ts';
export { importOnnx } from './import/import.ts';
export { OnnxModel } from './import/model.ts';
export type { ValueSpec } from './import/model.ts';
export { OnnxScope } from './import/names.ts';
export { MIN_OPSET, MAX_OPSET } from './import/ops.ts';
// Path-based files: Node only (in a browser they throw, naming exportOnnx/importOnnx on bytes).
export { saveOnnx, loadOnnx } from '#platform';
