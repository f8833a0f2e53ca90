// TensorProto ⇄ values: float tensors become convgrad Tensors; int64/int32 tensors (shapes, pads, axes)
// become plain integer arrays. Every size is checked against the bytes before anything is allocated.
import { ConvgradError, Tensor, type DType } from '@convgrad/core';
import { DataType, dataTypeName, toInt, type ITensorProto } from './proto.ts';

/** A tensor of integers (only used as shapes, pads, axes, exponents): not part of any gradient. */
export interface IntTensor { readonly kind: 'int'; readonly dims: readonly number[]; readonly values: readonly number[] }

/** What flows along an imported graph's edges. */
export type Value = Tensor | IntTensor;

export const isInt = (v: Value): v is IntTensor => !(v instanceof Tensor);

/** Largest tensor the importer creates (elements), so a hostile file cannot ask for gigabytes. */
export const MAX_ELEMENTS = 1 << 26;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function sizeOf(dims: readonly number[], what: string, fail: (m: string) => never): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) fail(`${what} has an invalid dimension ${d} in [${dims.join(', ')}]`);
    n *= d;
  }
  if (n > MAX_ELEMENTS) fail(`${what} has ${n} elements, more than the ${MAX_ELEMENTS} the importer accepts`);
  return n;
}

/** Decodes a TensorProto (initializer or Constant value). `what` names it in messages. */
export function decodeTensor(t: ITensorProto, what: string, op = 'importOnnx'): Value {
  const fail = (m: string): never => {
    throw new ConvgradError(op, `${what}: ${m}`);
  };
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0)) fail('external data is not supported (save the model with its weights inside)');
  if (t.segment) fail('segmented tensors are not supported');
  const dims = (t.dims ?? []).map((d) => toInt(d, fail));
  const n = sizeOf(dims, what, fail);
  const type = t.dataType ?? 0;
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  const fields: [string, ArrayLike<unknown> | null | undefined][] = [['float_data', t.floatData], ['double_data', t.doubleData], ['int32_data', t.int32Data], ['int64_data', t.int64Data]];
  const present = fields.filter(([, f]) => f && f.length > 0).map(([k]) => k);
  if (raw && present.length > 0) fail(`holds both raw_data and ${present.join(', ')}`);
  const expectField = (field: string, arr: ArrayLike<unknown> | null | undefined, bytes: number): void => {
    if (raw) {
      if (raw.length !== n * bytes) fail(`${dataTypeName(type)} [${dims.join(', ')}] needs ${n * bytes} bytes of raw_data, got ${raw.length}`);
    } else {
      const others = present.filter((k) => k !== field);
      if (others.length > 0) fail(`${dataTypeName(type)} data found in ${others.join(', ')} instead of ${field}`);
      if ((arr?.length ?? 0) !== n) fail(`${dataTypeName(type)} [${dims.join(', ')}] needs ${n} values in ${field}, got ${arr?.length ?? 0}`);
    }
  };
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  switch (type) {
    case DataType.FLOAT:
    case DataType.DOUBLE: {
      const f64 = type === DataType.DOUBLE;
      expectField(f64 ? 'double_data' : 'float_data', f64 ? t.doubleData : t.floatData, f64 ? 8 : 4);
      const data = f64 ? new Float64Array(n) : new Float32Array(n);
      if (view) {
        if (littleEndian) new Uint8Array(data.buffer).set(raw!);
        else for (let i = 0; i < n; i++) data[i] = f64 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
      } else data.set((f64 ? t.doubleData : t.floatData) as number[]);
      return new Tensor(data, dims);
    }
    case DataType.INT64:
    case DataType.INT32: {
      const i64 = type === DataType.INT64;
      expectField(i64 ? 'int64_data' : 'int32_data', i64 ? t.int64Data : t.int32Data, i64 ? 8 : 4);
      const values = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        if (view && i64) {
          const big = view.getBigInt64(i * 8, true);
          if (big > MAX_SAFE || big < -MAX_SAFE) fail(`integer ${big} is beyond ±2^53`);
          values[i] = Number(big);
        } else if (view) values[i] = view.getInt32(i * 4, true);
        else values[i] = toInt((i64 ? t.int64Data! : t.int32Data!)[i] as number, fail);
      }
      return { kind: 'int', dims, values };
    }
    default:
      return fail(`data type ${dataTypeName(type)} is not supported (FLOAT, DOUBLE, or INT64/INT32 for shapes)`);
  }
}

export function dataTypeOf(dtype: DType): number {
  return dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
}

/** A float Tensor as a TensorProto (little-endian raw_data). */
export function encodeTensor(name: string, t: Tensor): ITensorProto {
  const data = t.data;
  const raw = new Uint8Array(data.byteLength);
  if (littleEndian) raw.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else {
    const v = new DataView(raw.buffer);
    for (let i = 0; i < data.length; i++) if (t.dtype === 'float64') v.setFloat64(i * 8, data[i], true); else v.setFloat32(i * 4, data[i], true);
  }
  return { name, dims: [...t.shape], dataType: dataTypeOf(t.dtype), rawData: raw };
}

/** Integers as an INT64 TensorProto (shapes, pads, axes). */
export function encodeInts(name: string, values: readonly number[], dims: readonly number[] = [values.length]): ITensorProto {
  const raw = new Uint8Array(values.length * 8);
  const v = new DataView(raw.buffer);
  values.forEach((x, i) => v.setBigInt64(i * 8, BigInt(x), true));
  return { name, dims: [...dims], dataType: DataType.INT64, rawData: raw };
}
