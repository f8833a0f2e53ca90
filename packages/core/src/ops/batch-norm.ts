// batchNorm: PyTorch's F.batch_norm over the channel dim 1 of [N, C, *] in fused kernels.
//   training: μ, σ² = per-channel mean and biased variance of the batch (one pass over the data);
//             running ← (1 − f)·running + f·stat in place, with the unbiased σ²·M/(M − 1) for the
//             variance; f = momentum, or 1/t at the t-th batch when momentum is null (a cumulative average)
//   eval:     μ, σ² = the running statistics
//   y = (x − μ)/√(σ² + ε)·γ + β
// Backward (training) in closed form, M = N·Π(spatial) values per channel, x̂ = (x − μ)/√(σ² + ε):
//   dβ = Σg,  dγ = Σ g·x̂,  dx = γ/√(σ² + ε)·(g − Σg/M − x̂·Σ(g·x̂)/M)
// The three gradients are ops of their own (batchNormInputGrad, batchNormWeightGrad, batchNormBiasGrad)
// whose backward rules are written with ops (PyTorch's batchnorm_double_backward), so batchNorm
// differentiates twice and more. Eval mode is an affine map composed of ops.
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import * as js from '../kernels/batchnorm.ts';
import type { ChannelLayout, ChannelStats, GradSums } from '../kernels/batchnorm.ts';
import { getBackend, sharingOperands } from '../kernels/backend.ts';
import { allocate, Tensor, type TypedArray } from '../tensor.ts';
import { checkBool, checkOptions, checkTensor, fmtArg } from '../validate.ts';
import { add, div, mul, neg, sub } from './elementwise.ts';
import { pow } from './power.ts';
import { mean, sum } from './reduce.ts';
import { broadcastTo, reshape } from './shape.ts';

const OP = 'batchNorm';

// The kernels: the backend's twin when it takes the call (wasm, float32, large enough), else the js loop.
function channelStats(x: TypedArray, l: ChannelLayout): ChannelStats {
  return getBackend().channelStats?.(x, l) ?? js.channelStats(x, l);
}
function channelAffine(x: TypedArray, l: ChannelLayout, mean: Float64Array, scale: Float64Array, shift: Float64Array, out: TypedArray): void {
  if (!getBackend().channelAffine?.(x, l, mean, scale, shift, out)) js.channelAffine(x, l, mean, scale, shift, out);
}
function gradSums(g: TypedArray, x: TypedArray, l: ChannelLayout, mean: Float64Array, invstd: Float64Array): GradSums {
  return getBackend().gradSums?.(g, x, l, mean, invstd) ?? js.gradSums(g, x, l, mean, invstd);
}
function inputGradKernel(g: TypedArray, x: TypedArray, l: ChannelLayout, mean: Float64Array, invstd: Float64Array, gamma: TypedArray | null, sums: GradSums, out: TypedArray): void {
  if (!getBackend().batchNormInputGrad?.(g, x, l, mean, invstd, gamma, sums, out)) js.batchNormInputGrad(g, x, l, mean, invstd, gamma, sums, out);
}

export interface BatchNormOptions {
  /** Per-channel scale γ [C] (default none: 1). */
  weight?: Tensor | null;
  /** Per-channel shift β [C] (default none: 0). */
  bias?: Tensor | null;
  /** Batch statistics (and a running-stats update) instead of the running statistics; default false. */
  training?: boolean;
  /** Weight of the new statistic in the running average (default 0.1); null = cumulative average. */
  momentum?: number | null;
  /** Added to the variance; default 1e-5. */
  eps?: number;
  /** With momentum null: training batches seen including this one (the average weighs this one 1/t). */
  numBatchesTracked?: number;
}

interface Geometry { layout: ChannelLayout; axes: number[]; kept: number[]; m: number }

function geometry(x: Tensor): Geometry {
  const [n, c] = x.shape;
  const s = x.shape.slice(2).reduce((p, d) => p * d, 1);
  return {
    layout: { n, c, s },
    axes: x.shape.map((_, i) => i).filter((i) => i !== 1),
    kept: x.shape.map((d, i) => (i === 1 ? d : 1)),
    m: n * s,
  };
}

function checkChannelVector(t: Tensor | null | undefined, x: Tensor, what: string): Tensor | null {
  if (t === null || t === undefined) return null;
  checkTensor(t, OP, what);
  check(t.rank === 1 && t.shape[0] === x.shape[1], OP, () => `${what} must be [C] = [${x.shape[1]}] for input ${fmtShape(x.shape)}, got ${fmtShape(t.shape)}`);
  check(t.dtype === x.dtype, OP, () => `${what} dtype ${t.dtype} does not match input dtype ${x.dtype}`);
  return t;
}

/**
 * Batch normalization of x [N, C, *] per channel, as torch.nn.functional.batch_norm(input, running_mean,
 * running_var, weight, bias, training, momentum, eps). In training the running statistics (when given)
 * are updated in place; in eval they are required and used.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  checkTensor(x, OP);
  checkOptions(options, OP, ['weight', 'bias', 'training', 'momentum', 'eps', 'numBatchesTracked']);
  check(x.rank >= 2, OP, () => `input must be [N, C, *] (rank ≥ 2), got ${fmtShape(x.shape)}`);
  const training = options.training ?? false;
  checkBool(training, OP, 'training');
  const eps = options.eps ?? 1e-5;
  check(Number.isFinite(eps) && eps >= 0, OP, () => `eps must be a finite number ≥ 0, got ${fmtArg(eps)}`);
  const momentum = options.momentum === undefined ? 0.1 : options.momentum;
  check(momentum === null || (typeof momentum === 'number' && momentum >= 0 && momentum <= 1), OP,
    () => `momentum must be a number in [0, 1] or null (cumulative average), got ${fmtArg(momentum)}`);
  const weight = checkChannelVector(options.weight, x, 'weight');
  const bias = checkChannelVector(options.bias, x, 'bias');
  const rm = checkChannelVector(runningMean, x, 'runningMean'), rv = checkChannelVector(runningVar, x, 'runningVar');
  check((rm === null) === (rv === null), OP, 'give both runningMean and runningVar, or neither');
  const geo = geometry(x);
  if (!training) {
    // (rv is null exactly when rm is: checked above)
    check(rm !== null, OP, 'eval mode (training: false) needs runningMean and runningVar');
    return evalBatchNorm(x, rm, rv!, weight, bias, eps, geo);
  }
  check(geo.m > 1, OP, () => `expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`);
  let factor = 0;
  if (rm !== null) {
    check(!rm.requiresGrad && !rv!.requiresGrad, OP, 'the running statistics are updated in place and must not require grad');
    if (momentum === null) {
      const t = options.numBatchesTracked;
      check(Number.isInteger(t) && t! >= 1, OP,
        () => `momentum null (cumulative average) needs numBatchesTracked, the batches seen including this one (an integer ≥ 1), got ${fmtArg(t)}`);
      factor = 1 / t!;
    } else factor = momentum;
  } else check(options.numBatchesTracked === undefined, OP, 'numBatchesTracked is only used with running statistics');
  return trainBatchNorm(x, rm, rv, weight, bias, eps, factor, geo);
}

function trainBatchNorm(x: Tensor, rm: Tensor | null, rv: Tensor | null, weight: Tensor | null, bias: Tensor | null, eps: number, factor: number, geo: Geometry): Tensor {
  const { c } = geo.layout;
  const xd = x.data;
  const invstd = new Float64Array(c), scale = new Float64Array(c), shift = new Float64Array(c);
  const w = weight?.data, b = bias?.data;
  const out = allocate(x.dtype, x.size);
  // x is read twice (statistics, normalization): one copy of it serves both kernel calls
  const { mean: mu, variance } = sharingOperands([xd], () => {
    const st = channelStats(xd, geo.layout);
    // Stryker disable next-line EqualityOperator: ch <= c only writes invstd[c], scale[c] and shift[c], past the ends of these length-c arrays, which a typed array drops
    for (let ch = 0; ch < c; ch++) {
      invstd[ch] = 1 / Math.sqrt(st.variance[ch] + eps);
      scale[ch] = w ? w[ch] * invstd[ch] : invstd[ch];
      shift[ch] = b ? b[ch] : 0;
    }
    channelAffine(xd, geo.layout, st.mean, scale, shift, out);
    return st;
  });
  if (rm && rv) {
    const md = rm.data, vd = rv.data, unbias = geo.m / (geo.m - 1);
    // Stryker disable next-line EqualityOperator: ch <= c only writes md[c] and vd[c], past the ends of the length-c running statistics, which a typed array drops
    for (let ch = 0; ch < c; ch++) {
      md[ch] = (1 - factor) * md[ch] + factor * mu[ch];
      vd[ch] = (1 - factor) * vd[ch] + factor * variance[ch] * unbias;
    }
    rm.bumpVersion();
    rv.bumpVersion();
  }
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const stats: Stats = { mean: mu, invstd, eps };
  return record(new Tensor(out, x.shape), OP, inputs, (g) => sharingOperands([g.data, xd], () => {
    // g and x are read by the sums and by the input gradient: copied once for both
    const sums = gradSums(g.data, xd, geo.layout, mu, invstd);
    const grads: (Tensor | null)[] = [x.requiresGrad ? inputGrad(g, x, weight, geo, stats, sums) : null];
    // (the weight and bias gradients are the kernel's sums, already computed: backward drops those not needed)
    if (weight) grads.push(weightGrad(g, x, geo, stats, sums));
    if (bias) grads.push(biasGrad(g, geo, sums));
    return grads;
  }), { training: true, eps, momentum: factor, weight: weight !== null, bias: bias !== null }, [x, ...(weight ? [weight] : [])]);
}

/** y = x·scale + shift with scale = γ/√(running σ² + ε), shift = β − running μ·scale (all ops). */
function evalBatchNorm(x: Tensor, rm: Tensor, rv: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number, geo: Geometry): Tensor {
  const inv = pow(add(rv, eps), -0.5);
  const scale = weight ? mul(weight, inv) : inv;
  const shifted = neg(mul(rm, scale));
  const shift = bias ? add(bias, shifted) : shifted;
  return add(mul(x, reshape(scale, geo.kept)), reshape(shift, geo.kept));
}

interface Stats { mean: Float64Array; invstd: Float64Array; eps: number }

function channelTensor(values: Float64Array, x: Tensor): Tensor {
  const out = allocate(x.dtype, values.length);
  out.set(values);
  return new Tensor(out, [values.length]);
}

/** The batch statistics as ops of x (so the second-order rules differentiate again): x − μ and invstd, dims kept. */
function opStats(x: Tensor, geo: Geometry, eps: number): { xc: Tensor; invstd: Tensor } {
  const xc = sub(x, mean(x, geo.axes, true));
  return { xc, invstd: pow(add(mean(mul(xc, xc), geo.axes, true), eps), -0.5) };
}

/** dx = γ·invstd·(g − Σg/M − x̂·Σ(g·x̂)/M) from one kernel pass; γ null means 1. */
function inputGrad(g: Tensor, x: Tensor, weight: Tensor | null, geo: Geometry, stats: Stats, sums = gradSums(g.data, x.data, geo.layout, stats.mean, stats.invstd)): Tensor {
  const out = allocate(x.dtype, x.size);
  inputGradKernel(g.data, x.data, geo.layout, stats.mean, stats.invstd, weight?.data ?? null, sums, out);
  const inputs = [g, x, ...(weight ? [weight] : [])];
  return record(new Tensor(out, x.shape), 'batchNormInputGrad', inputs, (gg) => {
    // PyTorch's batchnorm_double_backward, the terms of the input gradient's own gradient
    const m = geo.m, ax = geo.axes;
    const { xc, invstd } = opStats(x, geo, stats.eps);
    const gamma = weight ? reshape(weight, geo.kept) : null;
    const grads: (Tensor | null)[] = [];
    // to g: the same projection applied to gg (it is symmetric)
    grads.push(g.requiresGrad ? inputGrad(gg, x, weight, geo, stats) : null);
    if (x.requiresGrad) {
      const sumG = sum(g, ax, true), sumGg = sum(gg, ax, true);
      const sumGXc = sum(mul(g, xc), ax, true), sumGgXc = sum(mul(gg, xc), ax, true);
      const inv3 = pow(invstd, 3);
      const allSub = add(sub(div(mul(sumGg, sumG), m), sum(mul(g, gg), ax, true)), mul(mul(mul(invstd, invstd), mul(sumGXc, sumGgXc)), 3 / m));
      const t0 = div(mul(mul(xc, inv3), allSub), m);
      const t1 = mul(div(mul(sumGgXc, inv3), m), sub(div(sumG, m), g));
      const t2 = mul(div(mul(sumGXc, inv3), m), sub(div(sumGg, m), gg));
      const gx = add(add(t0, t1), t2);
      grads.push(gamma ? mul(gamma, gx) : gx);
    } else grads.push(null);
    // to γ: Σ gg·(the input gradient with γ = 1)
    if (weight) grads.push(weight.requiresGrad ? reshape(sum(mul(gg, inputGrad(g, x, null, geo, stats)), ax), [geo.layout.c]) : null);
    return grads;
  }, { eps: stats.eps });
}

/** dγ = Σ g·x̂ per channel. */
function weightGrad(g: Tensor, x: Tensor, geo: Geometry, stats: Stats, sums: { sumGXhat: Float64Array }): Tensor {
  return record(channelTensor(sums.sumGXhat, x), 'batchNormWeightGrad', [g, x], (gg) => {
    const ggC = reshape(gg, geo.kept);
    const toG = g.requiresGrad ? (() => { const { xc, invstd } = opStats(x, geo, stats.eps); return mul(ggC, mul(xc, invstd)); })() : null;
    // d(Σ g·x̂)/dx = invstd·(g − Σg/M − x̂·Σ(g·x̂)/M): the input gradient with γ = 1
    const toX = x.requiresGrad ? mul(ggC, inputGrad(g, x, null, geo, stats)) : null;
    return [toG, toX];
  }, { eps: stats.eps });
}

/** dβ = Σ g per channel. */
function biasGrad(g: Tensor, geo: Geometry, sums: { sumG: Float64Array }): Tensor {
  return record(channelTensor(sums.sumG, g), 'batchNormBiasGrad', [g], (gg) => [broadcastTo(reshape(gg, geo.kept), g.shape)]);
}
