// Each op's graph node carries the op's name: print's grad_fn=<…Backward>, toDot, anomaly mode, the
// version-counter and freed-graph errors and the ONNX exporter read it. So do the nodes of the gradients
// themselves (a second backward goes through them). A renamed or blank node fails here (survivors of the
// mutation run: no other test read these names).
import { describe, expect, it } from 'vitest';
import * as C from '../src/index.ts';
import type { Tensor } from '../src/index.ts';

const f64 = { dtype: 'float64' as const };
const img = () => C.randn([2, 3, 4, 4], { seed: 1, ...f64, requiresGrad: true });
const mat = () => C.randn([2, 3], { seed: 2, ...f64, requiresGrad: true });
const other = (seed: number) => C.randn([2, 3], { seed, ...f64 });
const prob = (seed: number) => C.sigmoid(other(seed));

/** [node name, the op's output] — the name of y.gradFn. */
const forward: [string, () => Tensor][] = [
  ['erf', () => C.erf(mat())], ['gelu', () => C.gelu(mat())], ['gelu', () => C.gelu(mat(), { approximate: 'tanh' })],
  ['silu', () => C.silu(mat())], ['elu', () => C.elu(mat())], ['softplus', () => C.softplus(mat())], ['hardswish', () => C.hardswish(mat())],
  ['relu', () => C.relu(mat())], ['leakyRelu', () => C.leakyRelu(mat())], ['sigmoid', () => C.sigmoid(mat())], ['tanh', () => C.tanh(mat())],
  ['exp', () => C.exp(mat())], ['log', () => C.log(mat().abs())], ['sqrt', () => C.sqrt(mat().abs())], ['pow', () => C.pow(mat(), 3)],
  ['batchNorm', () => C.batchNorm(img(), null, null, { training: true })], ['conv2d', () => C.conv2d(img(), C.randn([2, 3, 3, 3], { seed: 3, ...f64 }))],
  ['convTranspose2d', () => C.convTranspose2d(img(), C.randn([3, 2, 3, 3], { seed: 3, ...f64 }))], ['dropout', () => C.dropout(mat(), 0.5, { seed: 1 })],
  ['add', () => C.add(mat(), 1)], ['sub', () => C.sub(mat(), 1)], ['mul', () => C.mul(mat(), 2)], ['div', () => C.div(mat(), 2)], ['neg', () => C.neg(mat())],
  ['gather', () => C.gather(mat(), 1, C.tensor([[0, 1], [2, 0]]))], ['interpolate', () => C.interpolate(img(), { scaleFactor: 2 })],
  ['cat', () => C.cat([mat(), mat()])], ['mseLoss', () => C.mseLoss(mat(), other(6))], ['matmul', () => C.matmul(mat(), C.randn([3, 2], { seed: 7, ...f64 }))],
  ['sum', () => C.sum(mat())], ['mean', () => C.mean(mat())], ['reshape', () => C.reshape(mat(), [6])], ['permute', () => C.permute(mat(), [1, 0])],
  ['broadcastTo', () => C.broadcastTo(mat(), [4, 2, 3])], ['slice', () => C.slice(mat(), [0, 0], [1, 2])], ['pad', () => C.pad(mat(), [[1, 0], [0, 1]])],
  ['logSoftmax', () => C.logSoftmax(mat())], ['softmax', () => C.softmax(mat())], ['pad2d', () => C.pad2d(img(), 1)], ['dilate2d', () => C.dilate2d(img(), 2)],
  ['subsample2d', () => C.subsample2d(img(), 2)], ['rot180', () => C.rot180(img())], ['cumsum', () => C.cumsum(mat(), 1)], ['abs', () => C.abs(mat())],
  ['clamp', () => C.clamp(mat(), -0.5, 0.5)], ['where', () => C.where(C.gt(other(4), 0), mat(), 0)], ['maxPool2d', () => C.maxPool2d(img(), 2)],
  ['conv2dMaxPool2d', () => C.conv2dMaxPool2d(img(), C.randn([2, 3, 3, 3], { seed: 3, ...f64 }), null, { kernel: 2, relu: true })],
  ['avgPool2d', () => C.avgPool2d(img(), 2)], ['adaptiveAvgPool2d', () => C.adaptiveAvgPool2d(img(), 2)], ['adaptiveMaxPool2d', () => C.adaptiveMaxPool2d(img(), 2)],
  ['max', () => C.max(mat())], ['amax', () => C.amax(mat(), 1)], ['min', () => C.min(mat())], ['amin', () => C.amin(mat(), 1)], ['std', () => C.std(mat())],
  // the op's own node under a final reduction or reshape
  ['bce', () => C.bce(C.sigmoid(mat()), prob(5), { reduction: 'none' })], ['smoothL1Beta0', () => C.smoothL1Loss(mat(), other(6), { beta: 0, reduction: 'none' })],
  ['softmaxCrossEntropy', () => C.softmaxCrossEntropy(mat(), [0, 2], { reduction: 'none' })], ['norm', () => C.norm(mat()).gradFn!.inputs[0]],
];

/** [node name, y, the input whose gradient is a node]: the gradient of Σ y·v, with v requiring grad, is itself a graph node. */
const backward: [string, () => [Tensor, Tensor]][] = [
  ['reluGrad', () => { const x = mat(); return [C.relu(x), x]; }], ['reluGrad', () => { const x = mat(); return [C.leakyRelu(x, 0.2), x]; }],
  ['geluGrad', () => { const x = mat(); return [C.gelu(x), x]; }], ['siluGrad', () => { const x = mat(); return [C.silu(x), x]; }],
  ['logSoftmaxGrad', () => { const x = mat(); return [C.logSoftmax(x), x]; }], ['batchNormInputGrad', () => { const x = img(); return [C.batchNorm(x, null, null, { training: true }), x]; }],
  ['batchNormWeightGrad', () => { const w = C.ones([3], { ...f64, requiresGrad: true }); return [C.batchNorm(img(), null, null, { training: true, weight: w }), w]; }],
  ['batchNormBiasGrad', () => { const b = C.zeros([3], { ...f64, requiresGrad: true }); return [C.batchNorm(img(), null, null, { training: true, bias: b }), b]; }],
  ['interpolateGrad', () => { const x = img(); return [C.interpolate(x, { scaleFactor: 2, mode: 'bilinear' }), x]; }],
  ['avgPool2dGrad', () => { const x = img(); return [C.avgPool2d(x, 2), x]; }], ['cumsumReverse', () => { const x = mat(); return [C.cumsum(x, 1), x]; }],
  ['scatterAdd', () => { const x = mat(); return [C.gather(x, 1, C.tensor([[0, 1], [2, 0]])), x]; }],
  ['softmaxCrossEntropyGrad', () => { const x = mat(); return [C.softmaxCrossEntropy(x, [0, 2], { reduction: 'none' }), x]; }],
];

/** [op, output, the settings its node records] — what toDot prints and the ONNX exporter turns into attributes. */
const attrs: [string, () => Tensor, Record<string, unknown>][] = [
  ['leakyRelu', () => C.leakyRelu(mat(), 0.2), { slope: 0.2 }], ['elu', () => C.elu(mat(), 0.5), { alpha: 0.5 }],
  ['softplus', () => C.softplus(mat(), { beta: 2, threshold: 10 }), { beta: 2, threshold: 10 }],
  ['conv2d', () => C.conv2d(img(), C.randn([2, 3, 3, 3], { seed: 3, ...f64 }), null, { stride: 2, padding: 1 }), { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 }],
  ['convTranspose2d', () => C.convTranspose2d(img(), C.randn([3, 2, 3, 3], { seed: 3, ...f64 }), null, { stride: 2, padding: 1, outputPadding: 1 }),
    { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1, outputPadding: [1, 1] }],
  ['maxPool2d', () => C.maxPool2d(img(), 2, { stride: 1, padding: 1 }), { kernel: [2, 2], stride: [1, 1], padding: [1, 1], ceilMode: false, dilation: [1, 1] }],
  ['avgPool2d', () => C.avgPool2d(img(), 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    { kernel: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: true, countIncludePad: false, divisorOverride: null }],
  ['avgPool2d', () => C.avgPool2d(img(), 2), { kernel: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false, countIncludePad: true, divisorOverride: null }],
  ['maxPool2d', () => C.maxPool2d(img(), [2, 1]), { kernel: [2, 1], stride: [2, 1], padding: [0, 0], ceilMode: false, dilation: [1, 1] }],
  ['adaptiveAvgPool2d', () => C.adaptiveAvgPool2d(img(), [2, 3]), { outputSize: [2, 3] }], ['adaptiveMaxPool2d', () => C.adaptiveMaxPool2d(img(), 2), { outputSize: [2, 2] }],
  ['interpolate', () => C.interpolate(img(), { scaleFactor: 2, mode: 'bilinear', alignCorners: true }), { mode: 'bilinear', size: [8, 8], alignCorners: true }],
  ['dropout', () => C.dropout(mat(), 0.3, { seed: 1 }), { p: 0.3 }],
  ['batchNorm', () => C.batchNorm(img(), C.zeros([3], f64), C.ones([3], f64), { training: true, momentum: 0.2, eps: 1e-3, weight: C.ones([3], { ...f64, requiresGrad: true }) }),
    { training: true, eps: 1e-3, momentum: 0.2, weight: true, bias: false }],
  // no weight, a bias; no running statistics, so the recorded update factor is 0
  ['batchNorm', () => C.batchNorm(img(), null, null, { training: true, bias: C.zeros([3], f64) }), { training: true, eps: 1e-5, momentum: 0, weight: false, bias: true }],
  ['sum', () => C.sum(mat(), [1], true), { axes: [1] }], ['mean', () => C.mean(mat(), [0]), { axes: [0] }], ['permute', () => C.permute(mat(), [1, 0]), { perm: [1, 0] }],
  ['slice', () => C.slice(mat(), [0, 1], [2, 2]), { begin: [0, 1], size: [2, 2] }], ['pad', () => C.pad(mat(), [[1, 0], [0, 2]]), { widths: [[1, 0], [0, 2]] }],
  ['dilate2d', () => C.dilate2d(img(), 2), { stride: [2, 2] }], ['subsample2d', () => C.subsample2d(img(), 2), { stride: [2, 2] }], ['cat', () => C.cat([mat(), mat()], 1), { dim: 1 }],
  ['softmax', () => C.softmax(mat(), 0), { axis: 0 }], ['logSoftmax', () => C.logSoftmax(mat(), 0), { axis: 0 }], ['cumsum', () => C.cumsum(mat(), 1), { dim: 1 }],
  ['max', () => C.max(mat(), 1).values, { dim: 1 }], ['amax', () => C.amax(mat(), [1], true), { axes: [1] }], ['clamp', () => C.clamp(mat(), -0.5, 0.5), { min: -0.5, max: 0.5 }],
  ['pow', () => C.pow(mat(), 3), { p: 3 }], ['mseLoss', () => C.mseLoss(mat(), other(4), { reduction: 'sum' }), { reduction: 'sum' }],
  ['reshape', () => C.reshape(mat(), [3, 2]), { shape: [3, 2] }], ['broadcastTo', () => C.broadcastTo(mat(), [2, 2, 3]), { shape: [2, 2, 3] }],
  ['norm', () => C.norm(mat(), 3, [1], true), { p: 3, axes: [1] }], ['norm', () => C.norm(mat(), 'fro', undefined, true), { p: 2, axes: [0, 1] }],
  ['pad2d', () => C.pad2d(img(), [1, 0, 2, 3]), { padding: [1, 0, 2, 3] }],
];

describe('graph node names', () => {
  it.each(attrs)('%s records its settings', (name, make, want) => {
    const y = make();
    expect([y.gradFn?.op, y.gradFn?.attrs]).toEqual([name, want]);
  });

  it("logSoftmax's gradient node records its axis", () => {
    const x = C.randn([2, 3, 2], { seed: 1, ...f64, requiresGrad: true });
    const [g] = C.grad(C.sum(C.mul(C.logSoftmax(x, 1), C.randn([2, 3, 2], { seed: 9, ...f64, requiresGrad: true }))), [x], { createGraph: true });
    expect([g.gradFn?.op, g.gradFn?.attrs]).toEqual(['logSoftmaxGrad', { axis: 1 }]);
  });

  it('the gradient node of relu and leakyRelu records its slope', () => {
    for (const [slope, f] of [[0, (t: Tensor) => C.relu(t)], [0.2, (t: Tensor) => C.leakyRelu(t, 0.2)]] as const) {
      const x = mat();
      const [g] = C.grad(C.sum(C.mul(f(x), C.randn([2, 3], { seed: 9, ...f64, requiresGrad: true }))), [x], { createGraph: true });
      expect([g.gradFn?.op, g.gradFn?.attrs]).toEqual(['reluGrad', { slope }]);
    }
  });

  it.each(forward)('%s', (name, make) => {
    expect(make().gradFn?.op).toBe(name);
  });

  it('gelu records which approximation it used', () => {
    expect(C.gelu(mat(), { approximate: 'tanh' }).gradFn?.attrs).toEqual({ approximate: 'tanh' });
    expect(C.gelu(mat()).gradFn?.attrs).toEqual({ approximate: 'none' });
  });

  it("batchNorm's input and weight gradient nodes record eps (their own backward recomputes invstd with it)", () => {
    const x = img(), w = C.ones([3], { ...f64, requiresGrad: true });
    const y = C.batchNorm(x, null, null, { training: true, eps: 1e-3, weight: w });
    const [gx, gw] = C.grad(C.sum(C.mul(y, C.randn([2, 3, 4, 4], { seed: 9, ...f64, requiresGrad: true }))), [x, w], { createGraph: true });
    expect([gx.gradFn?.op, gx.gradFn?.attrs]).toEqual(['batchNormInputGrad', { eps: 1e-3 }]);
    expect([gw.gradFn?.op, gw.gradFn?.attrs]).toEqual(['batchNormWeightGrad', { eps: 1e-3 }]);
  });

  it.each(backward)('the gradient node %s', (name, make) => {
    const [y, x] = make();
    const v = C.randn([...y.shape], { seed: 9, ...f64, requiresGrad: true });
    const [g] = C.grad(C.sum(C.mul(y, v)), [x], { createGraph: true });
    const names: string[] = [];
    for (let t: Tensor | undefined = g; t?.gradFn; t = t.gradFn.inputs.find((u) => u.gradFn)) names.push(t.gradFn.op);
    expect(names).toContain(name);
  });
});
