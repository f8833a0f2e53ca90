// convgrad graph ops → ONNX nodes (opset 13–17). Each emitter gets the recorded node and its input names.
import type { GradNode, Tensor } from '@convgrad/core';
import type { GraphBuilder } from './builder.ts';
import { full } from '@convgrad/core';

export interface EmitContext {
  readonly b: GraphBuilder;
  readonly node: GradNode;
  readonly out: Tensor;
  readonly ins: readonly string[];
  readonly path: string;
  fail(msg: string): never;
}

type Emitter = (c: EmitContext) => string;

const pair = (v: unknown) => v as [number, number];
const unary = (opType: string): Emitter => (c) => c.b.node(opType, c.path, c.ins);

function pool(opType: 'MaxPool' | 'AveragePool'): Emitter {
  return (c) => {
    if (c.node.inputs[0].rank !== 4) c.fail(`${c.node.op} on a rank-${c.node.inputs[0].rank} input has no ONNX mapping (ONNX pools need [N, C, H, W])`);
    const a = c.node.attrs!;
    if (a.divisorOverride != null) c.fail(`${c.node.op} with divisorOverride ${String(a.divisorOverride)} has no ONNX mapping`);
    const [ph, pw] = pair(a.padding);
    const attrs = { kernel_shape: pair(a.kernel), strides: pair(a.stride), pads: [ph, pw, ph, pw], ceil_mode: a.ceilMode ? 1 : 0 };
    return c.b.node(opType, c.path, c.ins, opType === 'AveragePool' ? { ...attrs, count_include_pad: a.countIncludePad === false ? 0 : 1 } : { ...attrs, dilations: pair(a.dilation) });
  };
}

function reduce(opType: 'ReduceSum' | 'ReduceMean'): Emitter {
  return (c) => {
    const axes = c.node.attrs!.axes as number[];
    const keepdims = c.out.rank === c.node.inputs[0].rank ? 1 : 0;
    // ReduceSum takes its axes as an input since opset 13; ReduceMean as an attribute until opset 18.
    if (opType === 'ReduceSum') return c.b.node(opType, c.path, [c.ins[0], c.b.intConst(`${c.path || 'root'}.axes`, axes)], { keepdims });
    return c.b.node(opType, c.path, c.ins, { axes, keepdims });
  };
}

function padWith(c: EmitContext, widths: readonly (readonly [number, number])[]): string {
  const pads = [...widths.map(([b]) => b), ...widths.map(([, a]) => a)];
  return c.b.node('Pad', c.path, [c.ins[0], c.b.intConst(`${c.path || 'root'}.pads`, pads)], { mode: 'constant' });
}

/**
 * core's fused batchNorm with batch statistics (a BatchNorm layer without running statistics), written op by
 * op: (x − mean)/√(biased var + ε)·γ + β over every dim but 1. (Layers with running statistics export as one
 * BatchNormalization node: composites.ts.)
 */
function batchNormBatchStats(c: EmitContext): string {
  const a = c.node.attrs!;
  const x = c.node.inputs[0];
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const kept = x.shape.map((d, i) => (i === 1 ? d : 1));
  const p = c.path || 'root';
  const xc = c.b.node('Sub', c.path, [c.ins[0], c.b.node('ReduceMean', c.path, [c.ins[0]], { axes, keepdims: 1 })]);
  const variance = c.b.node('ReduceMean', c.path, [c.b.node('Mul', c.path, [xc, xc])], { axes, keepdims: 1 });
  const eps = c.b.floatConst(`${p}.eps`, full([], a.eps as number, { dtype: c.out.dtype }));
  let y = c.b.node('Div', c.path, [xc, c.b.node('Sqrt', c.path, [c.b.node('Add', c.path, [variance, eps])])]);
  let k = 1;
  const perChannel = (name: string) => c.b.node('Reshape', c.path, [name, c.b.intConst(`${p}.channelShape`, kept)]);
  if (a.weight) y = c.b.node('Mul', c.path, [y, perChannel(c.ins[k++])]);
  if (a.bias) y = c.b.node('Add', c.path, [y, perChannel(c.ins[k++])]);
  return y;
}

export const EMITTERS: Readonly<Record<string, Emitter>> = {
  batchNorm: batchNormBatchStats,
  conv2d: (c) => {
    const w = c.node.inputs[1];
    const [ph, pw] = pair(c.node.attrs!.padding);
    return c.b.node('Conv', c.path, c.ins, {
      kernel_shape: [w.shape[2], w.shape[3]], strides: pair(c.node.attrs!.stride), pads: [ph, pw, ph, pw], dilations: pair(c.node.attrs!.dilation), group: (c.node.attrs!.groups as number | undefined) ?? 1,
    });
  },
  matmul: unary('MatMul'),
  add: unary('Add'),
  sub: unary('Sub'),
  mul: unary('Mul'),
  div: unary('Div'),
  neg: unary('Neg'),
  relu: unary('Relu'),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  exp: unary('Exp'),
  log: unary('Log'),
  sqrt: unary('Sqrt'),
  leakyRelu: (c) => c.b.node('LeakyRelu', c.path, c.ins, { alpha: { float: c.node.attrs!.slope as number } }),
  pow: (c) => c.b.node('Pow', c.path, [c.ins[0], c.b.floatConst(`${c.path || 'root'}.exponent`, full([], c.node.attrs!.p as number, { dtype: c.out.dtype }))]),
  maxPool2d: pool('MaxPool'),
  avgPool2d: pool('AveragePool'),
  reshape: (c) => c.b.node('Reshape', c.path, [c.ins[0], c.b.intConst(`${c.path || 'root'}.shape`, c.node.attrs!.shape as number[])]),
  permute: (c) => c.b.node('Transpose', c.path, c.ins, { perm: c.node.attrs!.perm as number[] }),
  pad: (c) => padWith(c, c.node.attrs!.widths as [number, number][]),
  pad2d: (c) => {
    const [t, bottom, l, r] = c.node.attrs!.padding as number[];
    const lead = c.node.inputs[0].shape.slice(0, -2).map(() => [0, 0] as [number, number]);
    return padWith(c, [...lead, [t, bottom], [l, r]]);
  },
  softmax: (c) => c.b.node('Softmax', c.path, c.ins, { axis: c.node.attrs!.axis as number }),
  logSoftmax: (c) => c.b.node('LogSoftmax', c.path, c.ins, { axis: c.node.attrs!.axis as number }),
  sum: reduce('ReduceSum'),
  mean: reduce('ReduceMean'),
  dropout: (c) => c.fail(`dropout was called with training enabled (p = ${c.node.attrs!.p}); an export traces eval mode, so pass { training: this.training }`),
};
