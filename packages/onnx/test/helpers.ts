// Shared test helpers: onnxruntime-node runs, float32 comparison, editing ONNX bytes.
import { Tensor } from '@convgrad/core';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { onnx } from '../src/proto.ts';

/** Runs ONNX bytes in onnxruntime-node (CPU) on one float32 input; returns the first output. */
export async function ortRun(bytes: Uint8Array, x: Tensor, inputName = 'input'): Promise<Tensor> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  try {
    const feeds = { [inputName]: new ort.Tensor(x.dtype === 'float64' ? 'float64' : 'float32', x.data, [...x.shape]) };
    const out = await session.run(feeds);
    const y = out[session.outputNames[0]];
    const data = y.data as Float32Array | Float64Array;
    return new Tensor(data instanceof Float64Array ? data.slice() : Float32Array.from(data), [...y.dims]);
  } finally {
    await session.release();
  }
}

/** Worst |a − b| / max(|b|, 1) (relative error, absolute below 1) and whether every element is within `rtol`. */
export function relError(a: Tensor, b: Tensor): number {
  expect([...a.shape]).toEqual([...b.shape]);
  let worst = 0;
  for (let i = 0; i < a.size; i++) {
    const x = a.data[i], y = b.data[i];
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue; // equal infinities
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(y), 1));
  }
  return worst;
}

export function expectClose(a: Tensor, b: Tensor, rtol = 1e-5, what = ''): void {
  const err = relError(a, b);
  expect(err, `${what}: worst relative error ${err}`).toBeLessThanOrEqual(rtol);
}

type ModelObject = ReturnType<typeof onnx.ModelProto.toObject> & { graph: any; opsetImport: any[] };

/** Decodes, edits and re-encodes ONNX bytes. */
export function edit(bytes: Uint8Array, change: (m: ModelObject) => void): Uint8Array {
  const obj = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, defaults: false }) as ModelObject;
  change(obj);
  return new Uint8Array(onnx.ModelProto.encode(onnx.ModelProto.fromObject(obj)).finish());
}
