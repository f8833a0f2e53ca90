// Child process of runOnnxRuntime (onnx-runtime.ts): runs an .onnx file in onnxruntime-node (CPU) on one
// input. argv: <model.onnx> <input name> <dims JSON> <float32|float64>; stdin: the input's little-endian
// values; stdout: JSON { dims, data } of the first output. onnxruntime's API is asynchronous; a child
// process lets a synchronous program (the examples) wait for it.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [path, inputName, dimsJson, dtype] = process.argv.slice(2);
const raw = readFileSync(0);
const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength).slice();
const data = dtype === 'float64' ? new Float64Array(bytes.buffer) : new Float32Array(bytes.buffer);
const session = await ort.InferenceSession.create(readFileSync(path), { executionProviders: ['cpu'], logSeverityLevel: 3 });
const out = await session.run({ [inputName]: new ort.Tensor(dtype, data, JSON.parse(dimsJson)) });
const y = out[session.outputNames[0]];
process.stdout.write(JSON.stringify({ dims: y.dims, data: Array.from(y.data) }));
await session.release();
