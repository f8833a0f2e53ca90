// A strict walk over the protobuf wire format of a ModelProto before protobufjs decodes it. protobufjs's
// generated decoders are lenient: they read a known field whatever its wire type, and a nested message may
// run past the end of its parent. onnxruntime's C++ parser refuses such bytes; so does this check, so that a
// corrupt file is an error here too and never a model with shifted weights. Field numbers and wire types
// come from the ONNX schema (schema/wire-table.ts, generated); the reading is protobufjs's Reader.
import protobuf from 'protobufjs/minimal.js';
import { WIRE_TABLE } from './schema/wire-table.ts';

const MAX_DEPTH = 64;

/** Throws `fail(message)` unless `bytes` is a well-formed ModelProto (unknown fields are allowed, as in C++). */
export function checkWireFormat(bytes: Uint8Array, fail: (msg: string) => never): void {
  const reader = protobuf.Reader.create(bytes);
  const walk = (type: string, end: number, depth: number): void => {
    if (depth > MAX_DEPTH) fail(`messages are nested more than ${MAX_DEPTH} deep`);
    const fields = WIRE_TABLE[type];
    while (reader.pos < end) {
      const at = reader.pos;
      const tag = reader.uint32();
      const number = tag >>> 3, wire = tag & 7;
      if (number === 0) fail(`${type}: field number 0 at byte ${at}`);
      const spec = fields[number];
      const length = () => {
        const n = reader.uint32();
        if (reader.pos + n > end) fail(`${type}.${spec?.[0] ?? `field ${number}`} at byte ${at} runs past the end of its message`);
        return n;
      };
      if (spec && spec[1] === wire && spec[2] !== null) {
        const n = length();
        walk(spec[2], reader.pos + n, depth + 1);
        continue;
      }
      if (spec && spec[1] !== wire && !(spec[3] && spec[1] !== 2 && wire === 2)) {
        fail(`${type}.${spec[0]} at byte ${at} has wire type ${wire}, expected ${spec[1]}${spec[3] && spec[1] !== 2 ? ' or 2 (packed)' : ''}`);
      }
      if (wire === 2) reader.skip(length());
      else if (wire === 0 || wire === 1 || wire === 5) reader.skipType(wire);
      else fail(`${type}: wire type ${wire} at byte ${at} is not used by ONNX`);
      if (reader.pos > end) fail(`${type} field ${number} at byte ${at} runs past the end of its message`);
    }
    if (reader.pos !== end) fail(`${type} ends at byte ${reader.pos}, not at ${end}`);
  };
  try {
    walk('onnx.ModelProto', bytes.length, 0);
  } catch (err) {
    if (err instanceof RangeError || (err instanceof Error && /index out of range/.test(err.message))) fail(`truncated at byte ${reader.pos}`);
    throw err;
  }
}
