// Importers of the ONNX ops with weights or windows: Conv, Gemm, MatMul, MaxPool, AveragePool, BatchNormalization.
import { add, avgPool2d, conv2d, matmul, maxPool2d, mul, pad2d, transpose } from '@convgrad/core';
import { arity, floatAt, guardSize, type NodeContext, type Run } from './context.ts';

/** auto_pad must be NOTSET or VALID (SAME_* are refused). */
function autoPad(ctx: NodeContext): void {
  const mode = ctx.attrs.string('auto_pad', 'NOTSET');
  if (mode !== 'NOTSET' && mode !== 'VALID') ctx.fail(`auto_pad ${mode} is not supported (NOTSET or VALID)`);
  if (mode === 'VALID' && ctx.attrs.has('pads')) ctx.fail('has both auto_pad VALID and pads');
}

/** A 2-D window attribute (strides, dilations, kernel_shape) of positive integers. */
function pair(ctx: NodeContext, name: string, fallback: readonly number[] | null): [number, number] {
  const v = ctx.attrs.ints(name, fallback);
  if (v === null) return ctx.fail(`attribute '${name}' is required`);
  if (v.length !== 2 || !v.every((d) => Number.isSafeInteger(d) && d >= 1 && d <= 65_535)) ctx.fail(`${name} [${v.join(', ')}] must be 2 positive integers (2-D windows only)`);
  return v as [number, number];
}

/** pads [top, left, bottom, right] as [top, bottom, left, right]. */
function pads(ctx: NodeContext): [number, number, number, number] {
  const p = ctx.attrs.ints('pads', [0, 0, 0, 0])!;
  if (p.length !== 4 || !p.every((d) => Number.isSafeInteger(d) && d >= 0 && d <= 65_535)) ctx.fail(`pads [${p.join(', ')}] must be 4 non-negative integers [top, left, bottom, right]`);
  return [p[0], p[2], p[1], p[3]];
}

export function importConv(ctx: NodeContext): Run {
  arity(ctx, 2, 3);
  autoPad(ctx);
  const group = ctx.attrs.int('group', 1);
  if (group !== 1) ctx.fail(`group ${group} is not supported (grouped convolutions do not exist in convgrad yet)`);
  const stride = pair(ctx, 'strides', [1, 1]);
  const dilation = pair(ctx, 'dilations', [1, 1]);
  const kernel = ctx.attrs.has('kernel_shape') ? pair(ctx, 'kernel_shape', null) : null;
  const [pt, pb, pl, pr] = pads(ctx);
  ctx.attrs.finish();
  ctx.role(1, 'weight');
  if (ctx.inputs[2]) ctx.role(2, 'bias');
  return (inputs) => {
    let x = floatAt(ctx, inputs, 0);
    const w = floatAt(ctx, inputs, 1);
    const b = ctx.inputs[2] ? floatAt(ctx, inputs, 2) : null;
    if (w.rank !== 4) ctx.fail(`weight must be [M, C, kH, kW] (2-D convolution), got [${w.shape.join(', ')}]`);
    if (x.rank !== 4) ctx.fail(`input must be [N, C, H, W], got [${x.shape.join(', ')}]`);
    if (kernel && (kernel[0] !== w.shape[2] || kernel[1] !== w.shape[3])) ctx.fail(`kernel_shape [${kernel.join(', ')}] does not match weight [${w.shape.join(', ')}]`);
    const [n, , h, wd] = x.shape;
    guardSize(ctx, [n, w.shape[0], h + pt + pb, wd + pl + pr]);
    // convgrad pads symmetrically; an asymmetric padding becomes an explicit zero pad first.
    const symmetric = pt === pb && pl === pr;
    if (!symmetric) x = pad2d(x, [pt, pb, pl, pr]);
    return conv2d(x, w, b, { stride, dilation, padding: symmetric ? [pt, pl] : 0 });
  };
}

export function importGemm(ctx: NodeContext): Run {
  arity(ctx, 2, 3);
  const alpha = ctx.attrs.float('alpha', 1), beta = ctx.attrs.float('beta', 1);
  const transA = ctx.attrs.int('transA', 0), transB = ctx.attrs.int('transB', 0);
  if ((transA !== 0 && transA !== 1) || (transB !== 0 && transB !== 1)) ctx.fail(`transA/transB must be 0 or 1, got ${transA}, ${transB}`);
  ctx.attrs.finish();
  // PyTorch's Linear: Gemm(x, W, b) with transB = 1 and W [out, in] (a B without transB is kept transposed, as W).
  ctx.role(1, 'weight', transB === 0);
  if (ctx.inputs[2]) ctx.role(2, 'bias');
  return (inputs) => {
    const a = floatAt(ctx, inputs, 0), b = floatAt(ctx, inputs, 1);
    if (a.rank !== 2 || b.rank !== 2) ctx.fail(`A and B must be matrices, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
    const am = transA ? transpose(a, 0, 1) : a, bm = transB ? transpose(b, 0, 1) : b;
    if (am.shape[1] !== bm.shape[0]) ctx.fail(`inner dimensions differ: A [${a.shape.join(', ')}]${transA ? 'ᵀ' : ''} × B [${b.shape.join(', ')}]${transB ? 'ᵀ' : ''}`);
    guardSize(ctx, [am.shape[0], bm.shape[1]]);
    let y = matmul(am, bm);
    if (alpha !== 1) y = mul(y, alpha);
    if (!ctx.inputs[2]) return y;
    const c = floatAt(ctx, inputs, 2);
    // C broadcasts to [M, N] one way only.
    const ok = c.rank <= 2 && c.shape.every((d, i) => d === 1 || d === y.shape[2 - c.rank + i]);
    if (!ok) ctx.fail(`C [${c.shape.join(', ')}] does not broadcast to [${y.shape.join(', ')}]`);
    return add(y, beta !== 1 ? mul(c, beta) : c);
  };
}

export function importMatMul(ctx: NodeContext): Run {
  arity(ctx, 2, 2);
  ctx.attrs.finish();
  // PyTorch writes Linear(bias=False) as MatMul(x, Wᵀ): the weight is kept as W [out, in] (see names.ts).
  ctx.role(1, 'weight', true);
  return (inputs) => {
    const a = floatAt(ctx, inputs, 0), b = floatAt(ctx, inputs, 1);
    if (a.rank >= 1 && b.rank >= 2) guardSize(ctx, [...(a.rank > b.rank ? a.shape : b.shape).slice(0, -2), a.shape[a.rank - 2] ?? 1, b.shape[b.rank - 1]]);
    return matmul(a, b);
  };
}

function importPool(ctx: NodeContext, kind: 'MaxPool' | 'AveragePool'): Run {
  arity(ctx, 1, 1);
  autoPad(ctx);
  const kernel = pair(ctx, 'kernel_shape', null);
  const stride = pair(ctx, 'strides', [1, 1]);
  const [pt, pb, pl, pr] = pads(ctx);
  if (ctx.attrs.int('ceil_mode', 0) !== 0) ctx.fail('ceil_mode 1 is not supported');
  if (kind === 'MaxPool') {
    const dilation = pair(ctx, 'dilations', [1, 1]);
    if (dilation[0] !== 1 || dilation[1] !== 1) ctx.fail(`dilations [${dilation.join(', ')}] are not supported for pooling`);
    if (ctx.attrs.int('storage_order', 0) !== 0) ctx.fail('storage_order 1 is not supported');
  }
  const includePad = kind === 'AveragePool' ? ctx.attrs.int('count_include_pad', 0) : 1;
  ctx.attrs.finish();
  if (pt !== pb || pl !== pr) ctx.fail(`asymmetric pads [${pt}, ${pl}, ${pb}, ${pr}] are not supported for pooling`);
  if (includePad === 0 && (pt > 0 || pl > 0)) ctx.fail('count_include_pad 0 with padding is not supported (convgrad averages the zeros of the padding; PyTorch writes Pad + AveragePool)');
  if (2 * pt > kernel[0] || 2 * pl > kernel[1]) ctx.fail(`pads [${pt}, ${pl}] must be at most half the kernel [${kernel.join(', ')}]`);
  return (inputs) => {
    const x = floatAt(ctx, inputs, 0);
    if (x.rank !== 4) ctx.fail(`input must be [N, C, H, W], got [${x.shape.join(', ')}]`);
    const options = { stride, padding: [pt, pl] };
    return kind === 'MaxPool' ? maxPool2d(x, kernel, options) : avgPool2d(x, kernel, options);
  };
}

export const importMaxPool = (ctx: NodeContext): Run => importPool(ctx, 'MaxPool');
export const importAveragePool = (ctx: NodeContext): Run => importPool(ctx, 'AveragePool');

export function importBatchNormalization(ctx: NodeContext): Run {
  arity(ctx, 5, 5);
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const momentum = ctx.attrs.float('momentum', 0.9);
  if (ctx.opset >= 14 && ctx.attrs.int('training_mode', 0) !== 0) ctx.fail('training_mode 1 is not supported (export the model in eval mode)');
  ctx.attrs.finish();
  if (!(eps > 0)) ctx.fail(`epsilon must be positive, got ${eps}`);
  if (!(momentum >= 0 && momentum <= 1)) ctx.fail(`momentum must be in [0, 1], got ${momentum}`);
  // ONNX: running = running·momentum + batch·(1 − momentum); convgrad (as PyTorch) weights the batch by `momentum`.
  const bn = ctx.batchNorm(eps, Number((1 - momentum).toPrecision(12)));
  return (inputs) => bn(floatAt(ctx, inputs, 0));
}

