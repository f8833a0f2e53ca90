import { readFileSync } from 'node:fs';
import { onnx } from './src/proto.ts';
const dec = (f: string) => onnx.ModelProto.toObject(onnx.ModelProto.decode(readFileSync(f)), { longs: Number, bytes: Array });
const a = dec('test/fixtures/torch-net-op13.onnx'), b = dec('/tmp/fuzz-347.onnx');
function diff(x: any, y: any, path: string) {
  if (JSON.stringify(x) === JSON.stringify(y)) return;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || Array.isArray(x) && x.length > 50) { console.log(path, JSON.stringify(x)?.slice(0, 200), '→', JSON.stringify(y)?.slice(0, 200)); return; }
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) diff(x[k], y[k], `${path}.${k}`);
}
diff(a, b, '');
