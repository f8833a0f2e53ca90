// @convgrad/onnx on Node (the `node` condition of #platform): .onnx files on disk (the atomic write is
// layers' writeFileAtomic).
import { readFileSync } from 'node:fs';
import { ConvgradError, type Tensor } from '@convgrad/core';
import { writeFileAtomic, type Module } from '@convgrad/layers';
import { exportOnnx, type ExportOptions } from '../export/export.ts';
import { importOnnx } from '../import/import.ts';
import type { OnnxModel } from '../import/model.ts';

/** Exports `module` (see exportOnnx) and writes the file atomically: a failed write leaves the old file intact. */
export function saveOnnx(path: string, module: Module<any, any>, exampleInput: Tensor, options?: ExportOptions): void {
  writeFileAtomic(path, exportOnnx(module, exampleInput, options));
}

/** Reads an .onnx file and imports it (see importOnnx). */
export function loadOnnx(path: string): OnnxModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ConvgradError('loadOnnx', `${path}: cannot read the file (${(err as Error).message})`);
  }
  return importOnnx(bytes);
}
