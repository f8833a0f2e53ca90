// The trained model as ONNX: model.onnx next to the checkpoint, run in onnxruntime-node on test images;
// its outputs must equal convgrad's (within 1e-5 relative, float32).
import { join } from 'node:path';
import { noGrad, Tensor } from '@convgrad/core';
import type { Module } from '@convgrad/layers';
import { saveOnnx } from '@convgrad/onnx';
import { maxRelError, runOnnxRuntime } from '../shared/onnx-runtime.ts';
import { gatherBatch, identityOrder, type MnistSplit } from './batch.ts';

export interface OnnxCheck {
  path: string;
  images: number;
  maxRelError: number;
}

export const ONNX_RTOL = 1e-5;

/** Writes `outDir/model.onnx` (dynamic batch) and compares onnxruntime-node with convgrad on up to 256 test images. */
export function writeAndCheckOnnx(model: Module, test: MnistSplit, outDir: string): OnnxCheck {
  const n = Math.min(256, test.count);
  const batch = gatherBatch(test, identityOrder(n), 0, n);
  const x = new Tensor(batch.x, [n, 1, test.rows, test.cols]);
  const path = join(outDir, 'model.onnx');
  saveOnnx(path, model, x);
  model.eval();
  const ours = noGrad(() => model.call(x));
  const err = maxRelError(runOnnxRuntime(path, x), ours);
  if (!(err <= ONNX_RTOL)) throw new Error(`mnist: onnxruntime-node's outputs for ${path} differ from convgrad's (worst relative error ${err})`);
  return { path, images: n, maxRelError: err };
}
