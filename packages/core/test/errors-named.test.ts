// Argument checks of the ops that no other test triggered (mutation survivors): each call throws a
// ConvgradError for its op whose message names the offending value or shape, and no later check or
// TypeError stands in for it.
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import { ConvgradError } from '../src/index.ts';
import * as flat from '../src/ops/indexing.ts';

const z = (shape: number[], dtype: 'float32' | 'float64' = 'float32') => C.zeros(shape, { dtype });
const x4 = () => z([1, 1, 4, 4]);

const cases: [string, () => unknown, string][] = [
  ['eq', () => C.eq(z([2]), 'a' as never), 'eq: second operand must be a Tensor or a number, got string'],
  ['lt', () => C.lt(null as never, z([2])), 'lt: first operand must be a Tensor or a number, got null'],
  ['ge', () => C.ge(z([2]), z([2], 'float64')), 'ge: dtype mismatch: float32 and float64'],
  ['where', () => C.where(C.gt(z([2]), 0), 'a' as never, 1), 'where: a must be a Tensor or a number, got string'],
  ['where', () => C.where(C.gt(z([2]), 0), 1, null as never), 'where: b must be a Tensor or a number, got null'],
  ['where', () => C.where(C.gt(z([2]), 0), z([2]), z([2], 'float64')), 'where: dtype mismatch between a (float32) and b (float64)'],
  ['expand', () => C.expand(z([2]), 3 as never), 'expand: sizes must be an array of numbers, got number'],
  ['cumsum', () => C.cumsum(z([2, 3]), undefined as never), 'cumsum: dim is required (shape [2, 3])'],
  ['sum', () => C.sum(z([2, 3]), 0, 1 as never), 'sum: keepDim must be true or false, got 1'],
  ['mean', () => C.mean(z([2, 3]), 0, 'yes' as never), `mean: keepDim must be true or false, got 'yes'`],
  ['pad', () => C.pad(z([2]), [1, 2] as never), 'pad: widths must be [before, after] pairs, got [1, 2]'],
  ['pad', () => C.pad(z([2]), [[1, 2, 3]] as never), 'pad: widths must be [before, after] pairs, got [[1, 2, 3]]'],
  ['pad', () => C.pad(z([2]), [[1.5, 1]]), 'pad: padding must be non-negative integers, got [1.5, 1]'],
  ['pad', () => C.pad(z([2]), [[1, 0.5]]), 'pad: padding must be non-negative integers, got [1, 0.5]'],
  ['pad', () => C.pad(z([2]), [[-1, 0]]), 'pad: padding must be non-negative integers, got [-1, 0]'],
  ['pad', () => C.pad(z([2]), [[0, -1]]), 'pad: padding must be non-negative integers, got [0, -1]'],
  ['sumTo', () => C.sumTo(null as never, [4]), 'sumTo: input must be a Tensor, got null'],
  ['abs', () => C.abs(null as never), 'abs: input must be a Tensor, got null'],
  ['clamp', () => C.clamp(null as never, 0, 1), 'clamp: input must be a Tensor, got null'],
  ['norm', () => C.norm(z([2]), 'nuc' as never), `norm: p must be 'fro', a number ≥ 0, Infinity or -Infinity, got nuc ('nuc' is not implemented)`],
  ['norm', () => C.norm(z([2]), -1), `norm: p must be 'fro', a number ≥ 0, Infinity or -Infinity, got -1`],
  ['softmaxCrossEntropy', () => C.softmaxCrossEntropy(z([2, 3]), null as never), 'softmaxCrossEntropy: labels must be an Int32Array, an array of numbers or a Tensor, got null'],
  ['var', () => C.variance(C.tensor(3), 1), 'var: dim 1 is out of range for a tensor of rank 0 (expected an integer in [-1, 0])'],
  ['sumTo', () => C.sumTo(z([2]), [-1]), 'sumTo: invalid shape [-1]: dimensions must be non-negative integers'],
  ['sumTo', () => C.sumTo(z([2, 3]), [4]), 'sumTo: cannot sum [2, 3] down to [4]'],
  ['sumTo', () => C.sumTo(z([2, 3]), [1, 2, 3, 4]), 'sumTo: cannot sum [2, 3] down to [1, 2, 3, 4]'],
  // more dims than the input, where the per-dim comparison alone would pass (a broadcast, not a sum)
  ['sumTo', () => C.sumTo(z([2, 3]), [2, 3, 2, 3]), 'sumTo: cannot sum [2, 3] down to [2, 3, 2, 3]'],
  ['sumTo', () => C.sumTo(z([1]), [1, 1]), 'sumTo: cannot sum [1] down to [1, 1]'],
  ['maxPool2d', () => C.maxPool2d(x4(), undefined as never), 'maxPool2d: kernel size is required (a positive integer or an [h, w] pair), got undefined'],
  ['avgPool2d', () => C.avgPool2d(x4(), undefined as never), 'avgPool2d: kernel size is required'],
  ['maxPool2d', () => C.maxPool2d(x4(), 2, { dilation: [4, 1] }), 'maxPool2d: kernel [2, 2] (dilated: 5×2) is larger than the padded input 4×4 (input [1, 1, 4, 4], padding [0, 0])'],
  ['conv2d', () => C.conv2d(x4(), z([1, 1, 3, 3]), 5 as never), 'conv2d: bias must be a Tensor or null, got 5'],
  ['split', () => C.split(C.tensor(1), 1), 'split: cannot split a zero-dimensional tensor'],
  ['chunk', () => C.chunk(C.tensor(1), 1), 'chunk: cannot chunk a zero-dimensional tensor'],
  ['matmul', () => C.matmul(z([2, 3]), z([4, 2])), 'matmul: inner dimensions differ: [2, 3] and [4, 2] (3 ≠ 4)'],
  ['matmul', () => C.matmul(z([3]), z([4])), 'matmul: inner dimensions differ: [3] and [4] (3 ≠ 4)'],
  ['matmul', () => C.matmul(C.tensor(2), z([2])), 'matmul: operands must have at least 1 dim, got [] and [2]'],
  ['matmul', () => C.matmul(z([2]), C.tensor(2)), 'matmul: operands must have at least 1 dim, got [2] and []'],
  ['reshape', () => C.reshape(z([2]), 'ab' as never), `reshape: shape must be an array of non-negative integers (one may be -1), got 'ab'`],
  ['batchNorm', () => C.batchNorm(z([2, 3, 2]), null, null, { training: true, weight: z([3], 'float64') }), 'batchNorm: weight dtype float64 does not match input dtype float32'],
  ['batchNorm', () => C.batchNorm(z([2, 3, 2]), null, z([3]), { training: true }), 'batchNorm: give both runningMean and runningVar, or neither'],
  ['batchNorm', () => C.batchNorm(z([2, 3, 2]), null, null, { training: true, numBatchesTracked: 2 }), 'batchNorm: numBatchesTracked is only used with running statistics'],
  ['crossEntropy', () => C.crossEntropy(C.tensor(1), [0]), 'crossEntropy: input must be [C], [N, C] or [N, C, d1, …], got shape []'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), [0, 1], { ignoreIndex: 1.5 }), 'crossEntropy: ignoreIndex must be an integer, got 1.5'],
  ['convTranspose2d', () => C.convTranspose2d(x4(), z([1, 1, 3])), 'convTranspose2d: weight must be [Cin, Cout/groups, KH, KW] (rank 4), got rank 3: input [1, 1, 4, 4], weight [1, 1, 3]'],
  ['convTranspose2d', () => C.convTranspose2d(z([1, 1, 4]), z([1, 1, 3, 3])), 'convTranspose2d: input must be [N, Cin, H, W] (rank 4), got rank 3: input [1, 1, 4], weight [1, 1, 3, 3]'],
  ['convTranspose2d', () => C.convTranspose2d(z([0, 1, 4, 4]), z([1, 1, 3, 3]), z([1])), 'convTranspose2d: empty input or weight: input [0, 1, 4, 4], weight [1, 1, 3, 3], bias [1]'],
  ['convTranspose2d', () => C.convTranspose2d(x4(), z([1, 0, 3, 3])), 'convTranspose2d: empty input or weight: input [1, 1, 4, 4], weight [1, 0, 3, 3]$'],
  ['expand', () => C.expand(null as never, [2]), 'expand: input must be a Tensor, got null'],
  ['bce', () => C.bce(C.full([2], 0.5), C.full([2], 0.5), { weight: z([1, 2]) }), 'bce: weight of shape [1, 2] does not broadcast to the input shape [2]'],
  ['maxPool2d', () => C.maxPool2d(x4(), 2, { dilation: [1, 4] }), 'maxPool2d: kernel [2, 2] (dilated: 2×5) is larger than the padded input 4×4'],
  ['reshape', () => C.reshape(z([0, 2]), [-1, 0]), 'reshape: cannot reshape [0, 2] (0 elements) into [-1, 0]'],
  ['broadcastTo', () => C.broadcastTo(z([2, 3]), [3]), 'broadcastTo: cannot broadcast [2, 3] to [3]'],
  ['broadcastTo', () => C.broadcastTo(z([1, 1]), [3]), 'broadcastTo: cannot broadcast [1, 1] to [3]'],
  ['slice', () => C.slice(z([2, 3]), [0], [1, 1]), 'slice: begin and size need 2 entries for shape [2, 3]'],
  ['slice', () => C.slice(z([2, 3]), [0, 0], [1]), 'slice: begin and size need 2 entries for shape [2, 3]'],
  ['dilate2d', () => C.dilate2d(z([1, 1, 0, 3]), 2), 'dilate2d: cannot dilate an empty spatial shape [1, 1, 0, 3]'],
  ['dilate2d', () => C.dilate2d(z([1, 1, 3, 0]), 2), 'dilate2d: cannot dilate an empty spatial shape [1, 1, 3, 0]'],
  ['clamp', () => C.clamp(z([2]), { min: NaN }), 'clamp: min must be a number (or undefined), got NaN'],
  ['conv2d', () => C.conv2d(z([1, 3, 5, 5]), z([2, 4, 3, 3])), 'conv2d: channel mismatch: input has 3 channels but weight expects 4: input [1, 3, 5, 5], weight [2, 4, 3, 3]'],
  ['conv2d', () => C.conv2d(z([1, 4, 5, 5]), z([2, 1, 3, 3]), null, { groups: 2 }), 'conv2d: channel mismatch: input has 4 channels but weight expects 1 per group × 2 groups = 2'],
  ['add', () => C.add(z([65536, 1]), z([1, 65536])), 'add: broadcast shape [65536, 65536] has 4294967296 elements, above the allocation limit of 2147483647 (2^31 − 1): operands [65536, 1] and [1, 65536]'],
  ['flatten', () => C.flatten(null as never), 'flatten: input must be a Tensor, got null'],
  ['flatten', () => C.flatten(C.tensor(3), 1), 'flatten: dim 1 is out of range for a tensor of rank 0 (expected an integer in [-1, 0])'],
  ['interpolate', () => C.interpolate(x4(), { size: 0 }), 'interpolate: size must be a positive integer or an [h, w] pair of them, got 0'],
  ['interpolate', () => C.interpolate(x4(), { scaleFactor: [0, 1] }), 'interpolate: scaleFactor must be a positive number or an [h, w] pair of them, got [0, 1]'],
  ['interpolate', () => C.interpolate(z([1, 1, 3, 0]), { size: 2 }), 'interpolate: input [1, 1, 3, 0] has an empty spatial size'],
  ['conv2d', () => C.conv2d(x4(), z([1, 1, 3, 3]), null, { padding: 'same', stride: [1, 2] }), `conv2d: padding 'same' is not supported for strided convolutions (stride [1, 2])`],
  ['conv2d', () => C.conv2d(x4(), z([1, 1, 3, 3]), null, { padding: 'same', stride: [2, 1] }), `conv2d: padding 'same' is not supported for strided convolutions (stride [2, 1])`],
  // the flat index-list pair that pooling and label picking record (internal: its callers build the list)
  ['gather', () => flat.gather(z([4]), Int32Array.from([0, 1, 2]), [2, 2]), 'gather: 3 indices cannot fill shape [2, 2]'],
  ['scatterAdd', () => flat.scatterAdd(z([2, 2]), Int32Array.from([0, 1, 2]), [4]), 'scatterAdd: 3 indices for a source of shape [2, 2]'],
  ['klDiv', () => C.klDiv(z([2]), z([2]), { logTarget: 1 as never }), 'klDiv: logTarget must be a boolean, got 1'],
  ['clamp', () => C.clamp(z([2]), { min: 0 }, 1 as never), 'clamp: pass either clamp(x, min, max) or clamp(x, { min, max }), not both'],
  ['clamp', () => C.clamp(z([2]), z([1]) as never, 1), 'clamp: min must be a number (or undefined), got a Tensor (tensor bounds are not implemented)'],
  ['clamp', () => C.clamp(z([2]), 0, 'a' as never), 'clamp: max must be a number (or undefined), got a'],
  ['l1Loss', () => C.l1Loss(z([2]), z([2]), { reduction: 'avg' as never }), `l1Loss: reduction must be 'mean', 'sum' or 'none', got 'avg'`],
  ['klDiv', () => C.klDiv(z([2]), z([2]), { reduction: 'avg' as never }), `klDiv: reduction must be 'mean', 'sum', 'none' or 'batchmean', got 'avg'`],
  ['pad2d', () => C.pad2d(x4(), 1, 'wrap' as never), `pad2d: mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'wrap'`],
  ['pad2d', () => C.pad2d(z([1, 1, 0, 4]), 1, 'reflect'), 'pad2d: reflect padding needs a non-empty spatial size, got [1, 1, 0, 4]'],
  ['pad2d', () => C.pad2d(z([1, 1, 4, 0]), 1, 'replicate'), 'pad2d: replicate padding needs a non-empty spatial size, got [1, 1, 4, 0]'],
  ['conv2d', () => C.conv2d(x4(), z([1, 1, 3, 3]), null, { stride: [1, 'a'] } as never), `conv2d: stride must be a positive integer or an [h, w] pair of them, got [1, 'a']`],
  ['conv2d', () => C.conv2d(x4(), z([1, 1, 3, 3]), null, { padding: [1, 0.5] }), 'conv2d: padding must be a non-negative integer or an [h, w] pair of them, got [1, 0.5]'],
  // an output size of exactly 0 on one axis (PyTorch refuses it too), each axis on its own
  ['interpolate', () => C.interpolate(z([1, 1, 2, 2]), { scaleFactor: [1, 0.4] }), 'interpolate: scaleFactor [1, 0.4] gives an empty output 2×0 for input [1, 1, 2, 2]'],
  ['interpolate', () => C.interpolate(z([1, 1, 2, 2]), { scaleFactor: [0.4, 1] }), 'interpolate: scaleFactor [0.4, 1] gives an empty output 0×2 for input [1, 1, 2, 2]'],
  ['convTranspose2d', () => C.convTranspose2d(z([1, 1, 4, 1]), z([1, 1, 2, 2]), null, { padding: [0, 1] }), 'convTranspose2d: output size 5×0 is not positive: input [1, 1, 4, 1], weight [1, 1, 2, 2]'],
  ['convTranspose2d', () => C.convTranspose2d(z([1, 1, 1, 4]), z([1, 1, 2, 2]), null, { padding: [1, 0] }), 'convTranspose2d: output size 0×5 is not positive: input [1, 1, 1, 4], weight [1, 1, 2, 2]'],
  // array-likes that are not arrays: a string of length 2, an object with a length
  ['interpolate', () => C.interpolate(x4(), { size: 'ab' as never }), `interpolate: size must be a positive integer or an [h, w] pair of them, got 'ab'`],
  ['interpolate', () => C.interpolate(x4(), { scaleFactor: { length: 2 } as never }), 'interpolate: scaleFactor must be a positive number or an [h, w] pair of them, got {"length":2}'],
  // without a bias the message lists input and weight only
  ['linear', () => C.linear(z([2, 4]), z([3, 5])), 'linear: input must be [..., in] with in = 5 (weight [out, in]): input [2, 4], weight [3, 5]$'],
  ['l1Loss', () => C.l1Loss(null as never, z([2])), 'l1Loss: input must be a Tensor, got null'],
  ['mseLoss', () => C.mseLoss(z([2]), null as never), 'mseLoss: target must be a Tensor, got null'],
  ['gather', () => C.gather(z([2, 3]), 2, C.tensor([[0]])), 'gather: dim 2 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])'],
  ['scatterAdd', () => C.scatterAdd(z([2, 3]), -3, C.tensor([[0]]), z([1, 1])), 'scatterAdd: dim -3 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])'],
  ['adaptiveAvgPool2d', () => C.adaptiveAvgPool2d(x4(), 'ab' as never), `adaptiveAvgPool2d: outputSize must be a positive integer or an [h, w] pair of them (null keeps the input size), got 'ab' for input [1, 1, 4, 4]`],
  ['adaptiveMaxPool2d', () => C.adaptiveMaxPool2d(x4(), { length: 2 } as never), 'adaptiveMaxPool2d: outputSize must be a positive integer or an [h, w] pair of them (null keeps the input size), got {"length":2}'],
  // dtype mismatches, each operand on its own
  ['convTranspose2d', () => C.convTranspose2d(x4(), z([1, 1, 3, 3], 'float64')), 'convTranspose2d: dtype mismatch: input float32, weight float64'],
  ['convTranspose2d', () => C.convTranspose2d(x4(), z([1, 1, 3, 3]), z([1], 'float64')), 'convTranspose2d: dtype mismatch: input float32, bias float64'],
  ['linear', () => C.linear(z([2, 3]), z([4, 3]), z([4], 'float64')), 'linear: dtype mismatch: input float32, bias float64'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), [0, 1], { weight: z([3], 'float64') }), 'crossEntropy: weight is float64 but the input is float32'],
  ['crossEntropy', () => C.crossEntropy(z([2, 3]), z([2, 3], 'float64')), 'crossEntropy: dtype mismatch: input float32, target float64'],
  ['bce', () => C.bce(C.full([2], 0.5), C.full([2], 0.5), { weight: z([2], 'float64') }), 'bce: weight is float64 but the input is float32'],
  // the weight's expected layout, with and without groups and through padding 'same'
  ['conv2d', () => C.conv2d(x4(), z([1, 1, 3])), 'conv2d: weight must be [Cout, Cin, KH, KW] (rank 4), got rank 3: input [1, 1, 4, 4], weight [1, 1, 3]'],
  ['conv2d', () => C.conv2d(z([1, 2, 4, 4]), z([2, 1, 3]), null, { groups: 2 }), 'conv2d: weight must be [Cout, Cin/groups, KH, KW] (rank 4), got rank 3: input [1, 2, 4, 4], weight [2, 1, 3]'],
  ['conv2d', () => C.conv2d(x4(), z([1, 1, 3]), null, { padding: 'same' }), 'conv2d: weight must be [Cout, Cin/groups, KH, KW] (rank 4): input [1, 1, 4, 4], weight [1, 1, 3]'],
  ['interpolate', () => C.interpolate(x4(), { size: 2, mode: 'bilinear', alignCorners: 1 as never }), 'interpolate: alignCorners must be a boolean, got 1'],
  ['interpolate', () => C.interpolate(x4(), { scaleFactor: 2, recomputeScaleFactor: 'no' as never }), `interpolate: recomputeScaleFactor must be a boolean, got 'no'`],
  ['split', () => C.split(z([4]), 'a' as never), 'split: expects a size or an array of sizes, got string'],
  ['amax', () => C.amax(z([2]), 0, 1 as never), 'amax: keepDim must be a boolean, got 1'],
  ['amin', () => C.amin(z([2]), 0, 'y' as never), `amin: keepDim must be a boolean, got 'y'`],
  ['indexSelect', () => C.indexSelect(C.tensor(2), 0, [0, 0]), 'indexSelect: a zero-dimensional input needs exactly one index, got 2'],
  ['indexSelect', () => C.indexSelect(C.tensor(2), 0, []), 'indexSelect: a zero-dimensional input needs exactly one index, got 0'],
  ['slice', () => C.slice(z([2]), 0 as never, [1]), 'slice: begin and size must be arrays, got 0 and [1]'],
  ['slice', () => C.slice(z([2]), [0], 1 as never), 'slice: begin and size must be arrays, got [0] and 1'],
  ['erf', () => C.erf(null as never), 'erf: input must be a Tensor, got null'],
  ['gelu', () => C.gelu(null as never), 'gelu: input must be a Tensor, got null'],
  ['elu', () => C.elu(null as never), 'elu: input must be a Tensor, got null'],
  ['softplus', () => C.softplus(null as never), 'softplus: input must be a Tensor, got null'],
  ['elu', () => C.elu(z([2]), Infinity), 'elu: alpha must be a finite number, got Infinity'],
  ['elu', () => C.elu(z([2]), '2' as never), `elu: alpha must be a finite number, got '2'`],
  ['softplus', () => C.softplus(z([2]), { beta: Infinity }), 'softplus: beta must be a finite non-zero number, got Infinity'],
  ['softplus', () => C.softplus(z([2]), { beta: NaN }), 'softplus: beta must be a finite non-zero number, got NaN'],
  ['softplus', () => C.softplus(z([2]), { beta: '2' as never }), `softplus: beta must be a finite non-zero number, got '2'`],
  ['softplus', () => C.softplus(z([2]), { threshold: NaN }), 'softplus: threshold must be a number, got NaN'],
  ['softplus', () => C.softplus(z([2]), { threshold: 'a' as never }), `softplus: threshold must be a number, got 'a'`],
];

describe('ops name the op and the offending value', () => {
  it.each(cases)('%s (case %#)', (op, call, message) => {
    let caught: unknown;
    try {
      call();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConvgradError);
    expect((caught as ConvgradError).op).toBe(op);
    // a trailing $ means the message ends there
    if (message.endsWith('$')) expect((caught as Error).message.endsWith(message.slice(0, -1))).toBe(true);
    else expect((caught as Error).message).toContain(message);
  });
});
