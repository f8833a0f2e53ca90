// The ONNX protobuf schema: onnx-proto's generated protobufjs module (onnx.proto of ONNX 1.10), and the
// enum values convgrad reads or writes.
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type IModelProto = onnxProto.onnx.IModelProto;
export type IGraphProto = onnxProto.onnx.IGraphProto;
export type INodeProto = onnxProto.onnx.INodeProto;
export type ITensorProto = onnxProto.onnx.ITensorProto;
export type IAttributeProto = onnxProto.onnx.IAttributeProto;
export type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** TensorProto.DataType values. */
export const DataType = onnx.TensorProto.DataType;
/** AttributeProto.AttributeType values. */
export const AttrType = onnx.AttributeProto.AttributeType;

/** A DataType's name for messages ('FLOAT16 (10)'). */
export function dataTypeName(t: number | null | undefined): string {
  const name = (DataType as unknown as Record<number, string>)[t ?? 0];
  return name ? `${name} (${t ?? 0})` : `unknown data type ${t}`;
}

/** An int64 field as a number: protobufjs gives Long objects; values beyond ±2^53 are refused by `fail`. */
export function toInt(v: number | { toNumber(): number; toString(): string } | null | undefined, fail: (msg: string) => never): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  if (!Number.isSafeInteger(n)) fail(`integer ${v.toString()} is beyond ±2^53`);
  return n;
}
