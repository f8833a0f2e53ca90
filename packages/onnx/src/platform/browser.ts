// @convgrad/onnx outside Node (the `default` condition of #platform): there are no file paths, so the
// path-based functions throw a ConvgradError naming the byte functions to use instead.
import { ConvgradError, type Tensor } from '@convgrad/core';
import type { Module } from '@convgrad/layers';
import type { ExportOptions } from '../export/export.ts';
import type { OnnxModel } from '../import/model.ts';

/** Node only (a file path). In a browser: `exportOnnx(module, exampleInput)` gives the bytes (make a Blob of them). */
export function saveOnnx(_path: string, _module: Module<any, any>, _exampleInput: Tensor, _options?: ExportOptions): void {
  throw new ConvgradError('saveOnnx', 'file paths work only in Node; in a browser use exportOnnx(module, exampleInput) and store or download the bytes');
}

/** Node only (a file path). In a browser: `importOnnx(new Uint8Array(await file.arrayBuffer()))`. */
export function loadOnnx(_path: string): OnnxModel {
  throw new ConvgradError('loadOnnx', 'file paths work only in Node; in a browser use importOnnx(bytes) (e.g. bytes of a fetched or dropped File)');
}
