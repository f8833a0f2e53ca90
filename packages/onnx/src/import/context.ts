// What an op's importer sees of its node, and what it returns: a function from input values to the output.
import { Tensor } from '@convgrad/core';
import type { INodeProto } from '../proto.ts';
import { isInt, MAX_ELEMENTS, type IntTensor, type Value } from '../tensor-proto.ts';
import type { Attributes } from './attributes.ts';

/** Runs one node: input values (undefined for an absent optional input) → its first output. */
export type Run = (inputs: readonly (Value | undefined)[]) => Value;

export interface NodeContext {
  readonly node: INodeProto;
  readonly opset: number;
  readonly attrs: Attributes;
  /** Input names ('' for an absent optional input). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Throws a ConvgradError naming the node. */
  fail(msg: string): never;
  /** The value of input i when it is known at import time (an initializer or a Constant's output). */
  constant(i: number): Value | undefined;
  /** Says that float initializer input i is this op's `weight` or `bias` (named after the node's PyTorch scope when anonymous). */
  role(i: number, local: 'weight' | 'bias', transposed?: boolean): void;
  /** Creates the BatchNorm module for this node from its four statistic/affine initializers. */
  batchNorm(eps: number, momentum: number): (x: Tensor) => Tensor;
}

/** Refuses a node whose input or output count is outside [min, max]. */
export function arity(ctx: NodeContext, min: number, max: number, outputs = 1): void {
  const n = ctx.inputs.length;
  if (n < min || n > max) ctx.fail(`needs ${min === max ? min : `${min} to ${max}`} inputs, got ${n}`);
  for (let i = 0; i < min; i++) if (ctx.inputs[i] === '') ctx.fail(`input ${i} is required but empty`);
  if (ctx.outputs.length < 1 || ctx.outputs.length > outputs || ctx.outputs[0] === '') ctx.fail(`must have ${outputs === 1 ? 'one output' : `1 to ${outputs} outputs`}, got ${ctx.outputs.length}`);
}

/** A float tensor input (an integer tensor there is a type error of the file). */
export function floatAt(ctx: NodeContext, inputs: readonly (Value | undefined)[], i: number): Tensor {
  const v = inputs[i];
  if (v === undefined) ctx.fail(`input ${i} is missing`);
  if (isInt(v)) ctx.fail(`input ${i} ('${ctx.inputs[i]}') is an integer tensor where a float tensor is expected`);
  return v;
}

/** An integer input known at import time (shapes, pads, axes). */
export function constIntsAt(ctx: NodeContext, i: number, what: string): IntTensor {
  const v = ctx.constant(i);
  if (v === undefined) ctx.fail(`${what} (input ${i}, '${ctx.inputs[i]}') must be an initializer or a Constant (computed shapes are not supported)`);
  if (!isInt(v)) ctx.fail(`${what} (input ${i}, '${ctx.inputs[i]}') must be an INT64 tensor, got a float tensor`);
  return v;
}

/** Refuses an output larger than the importer's limit before it is allocated. */
export function guardSize(ctx: NodeContext, shape: readonly number[]): void {
  const n = shape.reduce((p, d) => p * d, 1);
  if (n > MAX_ELEMENTS) ctx.fail(`would create a tensor of shape [${shape.join(', ')}] (${n} elements), more than the ${MAX_ELEMENTS} the importer allows`);
}

/** Normalizes an axis in [−rank, rank). */
export function axisOf(ctx: NodeContext, axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) ctx.fail(`${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}
