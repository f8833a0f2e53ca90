// Importers of the elementwise, activation, shape and bookkeeping ONNX ops.
import {
  add, div, exp, leakyRelu, log, logSoftmax, mean, mul, neg, pad, permute, pow, relu, reshape, sigmoid, softmax, sqrt, sub, sum, tanh,
  Tensor,
} from '@convgrad/core';
import { decodeTensor, isInt, type IntTensor, type Value } from '../tensor-proto.ts';
import { arity, axisOf, constIntsAt, floatAt, guardSize, type NodeContext, type Run } from './context.ts';

function broadcastShape(ctx: NodeContext, a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const x = a[i - (r - a.length)] ?? 1, y = b[i - (r - b.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1) ctx.fail(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    return x === 1 ? y : x;
  });
}

const BINARY = { Add: add, Sub: sub, Mul: mul, Div: div } as const;

export function importBinary(op: keyof typeof BINARY) {
  return (ctx: NodeContext): Run => {
    arity(ctx, 2, 2);
    ctx.attrs.finish();
    return (inputs) => {
      const a = floatAt(ctx, inputs, 0), b = floatAt(ctx, inputs, 1);
      guardSize(ctx, broadcastShape(ctx, a.shape, b.shape));
      return BINARY[op](a, b);
    };
  };
}

const UNARY = { Relu: relu, Sigmoid: sigmoid, Tanh: tanh, Exp: exp, Log: log, Sqrt: sqrt, Neg: neg } as const;

export function importUnary(op: keyof typeof UNARY) {
  return (ctx: NodeContext): Run => {
    arity(ctx, 1, 1);
    ctx.attrs.finish();
    return (inputs) => UNARY[op](floatAt(ctx, inputs, 0));
  };
}

export function importLeakyRelu(ctx: NodeContext): Run {
  arity(ctx, 1, 1);
  const alpha = ctx.attrs.float('alpha', 0.01);
  ctx.attrs.finish();
  return (inputs) => leakyRelu(floatAt(ctx, inputs, 0), alpha);
}

export function importPow(ctx: NodeContext): Run {
  arity(ctx, 2, 2);
  ctx.attrs.finish();
  const e = ctx.constant(1);
  const values = e === undefined ? null : isInt(e) ? e.values : Array.from(e.data);
  if (values === null || values.length !== 1) ctx.fail(`exponent '${ctx.inputs[1]}' must be a constant scalar (an initializer or Constant with one value)`);
  const p = values[0];
  return (inputs) => pow(floatAt(ctx, inputs, 0), p);
}

function importSoftmaxLike(ctx: NodeContext, fn: typeof softmax): Run {
  arity(ctx, 1, 1);
  const axis = ctx.attrs.int('axis', -1);
  ctx.attrs.finish();
  return (inputs) => {
    const x = floatAt(ctx, inputs, 0);
    return fn(x, axisOf(ctx, axis, x.rank));
  };
}

export const importSoftmax = (ctx: NodeContext): Run => importSoftmaxLike(ctx, softmax);
export const importLogSoftmax = (ctx: NodeContext): Run => importSoftmaxLike(ctx, logSoftmax);

export function importFlatten(ctx: NodeContext): Run {
  arity(ctx, 1, 1);
  const axis = ctx.attrs.int('axis', 1);
  ctx.attrs.finish();
  return (inputs) => {
    const x = floatAt(ctx, inputs, 0);
    if (axis < -x.rank || axis > x.rank) ctx.fail(`axis ${axis} is out of range for rank ${x.rank}`);
    const a = axis < 0 ? axis + x.rank : axis;
    const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);
    return reshape(x, [prod(x.shape.slice(0, a)), prod(x.shape.slice(a))]);
  };
}

export function importReshape(ctx: NodeContext): Run {
  arity(ctx, 2, 2);
  const allowZero = ctx.opset >= 14 ? ctx.attrs.int('allowzero', 0) : 0;
  ctx.attrs.finish();
  const shape = constIntsAt(ctx, 1, 'shape');
  if (shape.dims.length !== 1) ctx.fail(`shape must be 1-D, got dims [${shape.dims.join(', ')}]`);
  if (allowZero !== 0 && shape.values.includes(0)) ctx.fail('allowzero 1 with a 0 in the shape is not supported');
  return (inputs) => {
    const x = floatAt(ctx, inputs, 0);
    // 0 copies the input's dim; −1 is inferred (convgrad's reshape checks the rest).
    const target = shape.values.map((d, i) => {
      if (d === 0) return i < x.rank ? x.shape[i] : ctx.fail(`shape entry ${i} is 0 but the input has rank ${x.rank}`);
      if (d < -1) ctx.fail(`shape entry ${d} is invalid`);
      return d;
    });
    return reshape(x, target);
  };
}

export function importTranspose(ctx: NodeContext): Run {
  arity(ctx, 1, 1);
  const perm = ctx.attrs.ints('perm', null);
  ctx.attrs.finish();
  return (inputs) => {
    const x = floatAt(ctx, inputs, 0);
    return permute(x, perm ?? x.shape.map((_, i) => x.rank - 1 - i));
  };
}

export function importPad(ctx: NodeContext): Run {
  arity(ctx, 2, 3);
  const mode = ctx.attrs.string('mode', 'constant');
  ctx.attrs.finish();
  if (mode !== 'constant') ctx.fail(`mode '${mode}' is not supported (constant only)`);
  const p = constIntsAt(ctx, 1, 'pads');
  if (ctx.inputs[2]) {
    const c = ctx.constant(2);
    const value = c === undefined ? null : isInt(c) ? c.values : Array.from(c.data);
    if (value === null || value.length !== 1 || value[0] !== 0) ctx.fail(`constant_value must be a constant 0 (zero padding only), got ${value === null ? 'a computed value' : `[${value.join(', ')}]`}`);
  }
  if (p.values.some((v) => v < 0)) ctx.fail(`negative pads [${p.values.join(', ')}] are not supported`);
  return (inputs) => {
    const x = floatAt(ctx, inputs, 0);
    const r = x.rank;
    if (p.values.length !== 2 * r) ctx.fail(`pads has ${p.values.length} entries; a rank-${r} input needs ${2 * r} [begins..., ends...]`);
    guardSize(ctx, x.shape.map((d, i) => d + p.values[i] + p.values[i + r]));
    return pad(x, x.shape.map((_, i) => [p.values[i], p.values[i + r]] as [number, number]));
  };
}

function reduceAxes(ctx: NodeContext, axes: readonly number[] | null, rank: number): number[] {
  const ax = (axes ?? []).map((a) => axisOf(ctx, a, rank, 'axes entry'));
  if (new Set(ax).size !== ax.length) ctx.fail(`axes [${(axes ?? []).join(', ')}] repeat a dim`);
  return ax.length > 0 ? ax : Array.from({ length: rank }, (_, i) => i);
}

export function importReduceMean(ctx: NodeContext): Run {
  arity(ctx, 1, 1);
  const axes = ctx.attrs.ints('axes', null);
  const keep = ctx.attrs.int('keepdims', 1);
  ctx.attrs.finish();
  return (inputs) => {
    const x = floatAt(ctx, inputs, 0);
    return mean(x, reduceAxes(ctx, axes, x.rank), keep !== 0);
  };
}

export function importReduceSum(ctx: NodeContext): Run {
  arity(ctx, 1, 2);
  const keep = ctx.attrs.int('keepdims', 1);
  if (ctx.attrs.int('noop_with_empty_axes', 0) !== 0) ctx.fail('noop_with_empty_axes 1 is not supported');
  ctx.attrs.finish();
  const axes = ctx.inputs[1] ? constIntsAt(ctx, 1, 'axes').values : null;
  return (inputs) => {
    const x = floatAt(ctx, inputs, 0);
    return sum(x, reduceAxes(ctx, axes, x.rank), keep !== 0);
  };
}

export function importIdentity(ctx: NodeContext): Run {
  arity(ctx, 1, 1);
  ctx.attrs.finish();
  return (inputs) => inputs[0]!;
}

/** Dropout in inference: the identity. A training_mode that is not a constant false, or a used mask, is refused. */
export function importDropout(ctx: NodeContext): Run {
  arity(ctx, 1, 3, 2);
  ctx.attrs.int('seed', 0);
  ctx.attrs.finish();
  if (ctx.inputs[2]) {
    const t = ctx.constant(2);
    const v = t === undefined ? null : isInt(t) ? t.values : Array.from(t.data);
    if (v === null || v.length !== 1 || v[0] !== 0) ctx.fail('training_mode must be a constant false (inference graphs only)');
  }
  return (inputs) => floatAt(ctx, inputs, 0);
}

/** A Constant node's value: `value` (a tensor) or value_float(s) / value_int(s). */
export function constantValue(ctx: NodeContext): Value {
  arity(ctx, 0, 0);
  const t = ctx.attrs.tensor('value');
  const f = ctx.attrs.has('value_float') ? ctx.attrs.float('value_float', 0) : null;
  const fs = ctx.attrs.floats('value_floats');
  const i = ctx.attrs.has('value_int') ? ctx.attrs.int('value_int', 0) : null;
  const is = ctx.attrs.ints('value_ints', null);
  ctx.attrs.finish();
  const given = [t, f, fs, i, is].filter((v) => v !== null).length;
  if (given !== 1) ctx.fail(`needs exactly one of value, value_float(s), value_int(s); got ${given} (sparse and string values are not supported)`);
  if (t) return decodeTensor(t, `Constant '${ctx.outputs[0]}'`);
  if (f !== null) return new Tensor(new Float32Array([f]), []);
  if (fs) return new Tensor(new Float32Array(fs), [fs.length]);
  if (i !== null) return { kind: 'int', dims: [], values: [i] } satisfies IntTensor;
  return { kind: 'int', dims: [is!.length], values: is! } satisfies IntTensor;
}
