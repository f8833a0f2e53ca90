// Runs an .onnx file in onnxruntime-node, synchronously (in a child process, see onnxruntime-run.mjs).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tensor, type Tensor } from '@convgrad/core';

const script = fileURLToPath(new URL('./onnxruntime-run.mjs', import.meta.url));

/** The first output of the model at `path` for input `x` (fed as `inputName`), computed by onnxruntime-node. */
export function runOnnxRuntime(path: string, x: Tensor, inputName = 'input'): Tensor {
  const r = spawnSync(process.execPath, [script, path, inputName, JSON.stringify(x.shape), x.dtype], {
    input: new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength),
    maxBuffer: 1 << 28,
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`onnxruntime-node failed on ${path}: ${r.error?.message ?? r.stderr.toString().trim()}`);
  const { dims, data } = JSON.parse(r.stdout.toString()) as { dims: number[]; data: number[] };
  return tensor(data, dims, { dtype: x.dtype });
}

/** Worst |a − b| / max(|b|, 1) over the elements (relative error, absolute below 1). */
export function maxRelError(a: Tensor, b: Tensor): number {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.size; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]) / Math.max(Math.abs(b.data[i]), 1));
  return worst;
}
