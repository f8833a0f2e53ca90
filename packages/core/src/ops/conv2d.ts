// conv2d: Z = W ⋆ A + b (cross-correlation, chapter eq. 0–4, 10–13), its shape checks and its backward rule (17.3).
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { getBackend, sharingOperands } from '../kernels/backend.ts';
import { groupedConv2d } from '../kernels/conv-groups.ts';
import type { Conv2dGeometry } from '../kernels/conv2d.ts';
import { withLatticeOutputs } from '../lattice.ts';
import { allocateEmpty, Tensor, type TypedArray } from '../tensor.ts';
import { checkOptions, checkSize, checkTensor, fmtArg } from '../validate.ts';
import { pairArg, type Pair } from './conv-args.ts';
import { sum } from './reduce.ts';
import { permute, reshape, slice } from './shape.ts';
import { dilate2d, pad2d, rot180 } from './spatial.ts';

export interface Conv2dOptions {
  /** Step of the window: a number or [h, w]; default 1. */
  stride?: number | readonly number[];
  /**
   * Zeros added on each side: a number or [h, w]; default 0. 'valid' = 0; 'same' (stride 1 only) pads
   * D·(K−1) in all, half on each side and the odd one at the bottom/right, as PyTorch does.
   */
  padding?: number | readonly number[] | 'same' | 'valid';
  /** Spacing between kernel taps: a number or [h, w]; default 1. */
  dilation?: number | readonly number[];
  /** Channel groups: input and output channels split into `groups` independent convs; weight [Cout, Cin/groups, KH, KW]. Default 1. */
  groups?: number;
}

/** The settings of a conv (and of the transposed conv that shares its rules). */
export interface ConvConfig { stride: Pair; padding: Pair; dilation: Pair; groups: number }

const CONV2D_OPTIONS = ['stride', 'padding', 'dilation', 'groups'];

function checkInputs(x: Tensor, w: Tensor, b: Tensor | undefined, cfg: ConvConfig): Conv2dGeometry {
  const shapes = () => `input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}${b ? `, bias ${fmtShape(b.shape)}` : ''}`;
  check(x.rank === 4, 'conv2d', () => `input must be [N, Cin, H, W] (rank 4), got rank ${x.rank}: ${shapes()}`);
  check(w.rank === 4, 'conv2d', () => `weight must be [Cout, Cin${cfg.groups > 1 ? '/groups' : ''}, KH, KW] (rank 4), got rank ${w.rank}: ${shapes()}`);
  const [n, c, h, wd] = x.shape;
  const [o, cw, kh, kw] = w.shape;
  const gs = cfg.groups;
  check(c % gs === 0, 'conv2d', () => `groups ${gs}: input channels ${c} are not divisible by groups: ${shapes()}`);
  check(o % gs === 0, 'conv2d', () => `groups ${gs}: output channels ${o} (weight dim 0) are not divisible by groups: ${shapes()}`);
  check(c === cw * gs, 'conv2d', () => gs === 1
    ? `channel mismatch: input has ${c} channels but weight expects ${cw}: ${shapes()}`
    : `channel mismatch: input has ${c} channels but weight expects ${cw} per group × ${gs} groups = ${cw * gs}: ${shapes()}`);
  check(x.size > 0 && w.size > 0, 'conv2d', () => `empty input or weight: ${shapes()}`);
  check(x.dtype === w.dtype, 'conv2d', () => `dtype mismatch: input ${x.dtype}, weight ${w.dtype}`);
  if (b) {
    check(b.rank === 1 && b.shape[0] === o, 'conv2d', () => `bias must be [Cout] = [${o}] (one bias per output channel, eq. 13): ${shapes()}`);
    check(b.dtype === x.dtype, 'conv2d', () => `dtype mismatch: input ${x.dtype}, bias ${b.dtype}`);
  }
  const [sh, sw] = cfg.stride, [ph, pw] = cfg.padding, [dh, dw] = cfg.dilation;
  const ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
  check(ekh <= h + 2 * ph && ekw <= wd + 2 * pw, 'conv2d',
    () => `kernel ${ekh}×${ekw}${dh > 1 || dw > 1 ? ' (dilated)' : ''} is larger than the padded input ${h + 2 * ph}×${wd + 2 * pw}: ${shapes()}, padding [${ph}, ${pw}]`);
  return {
    n, c, h, w: wd, o, kh, kw, sh, sw, pt: ph, pl: pw, dh, dw,
    oh: Math.floor((h + 2 * ph - ekh) / sh) + 1,
    ow: Math.floor((wd + 2 * pw - ekw) / sw) + 1,
  };
}

/** `groups`: a positive integer. */
export function groupsArg(v: unknown, op: string): number {
  const g = v as number | undefined;
  check(g === undefined || (Number.isInteger(g) && g >= 1), op, () => `groups must be a positive integer, got ${fmtArg(v)}`);
  return g ?? 1;
}

/**
 * 2-D cross-correlation of x [N, Cin, H, W] with w [Cout, Cin/groups, KH, KW] plus bias [Cout]:
 * out [N, Cout, (H + 2P − D(K−1) − 1)/S + 1, …]. With groups G, output channels of group g only see
 * input channels of group g (depthwise: G = Cin).
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const a = convArgs(x, w, b, options);
  return conv2dCore(a.x, a.w, a.b, a.cfg);
}

/** A conv's checked arguments: x padded first when 'same' needs an odd total padding (the rest is cfg.padding). */
export interface ConvArgs { x: Tensor; w: Tensor; b: Tensor | undefined; cfg: ConvConfig }

/** conv2d's argument checks and option parsing (conv-pool.ts shares them). */
export function convArgs(x: Tensor, w: Tensor, b: Tensor | null | undefined, options: Conv2dOptions): ConvArgs {
  checkTensor(x, 'conv2d', 'input');
  checkTensor(w, 'conv2d', 'weight');
  check(b === undefined || b === null || b instanceof Tensor, 'conv2d', () => `bias must be a Tensor or null, got ${fmtArg(b)}`);
  checkOptions(options, 'conv2d', CONV2D_OPTIONS);
  const shapes = () => `input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}`;
  const stride = pairArg(options.stride, 1, 'stride', 'conv2d', 1, shapes);
  const dilation = pairArg(options.dilation, 1, 'dilation', 'conv2d', 1, shapes);
  const groups = groupsArg(options.groups, 'conv2d');
  if (options.padding === 'same') {
    check(stride[0] === 1 && stride[1] === 1, 'conv2d', () => `padding 'same' is not supported for strided convolutions (stride ${fmtArg(options.stride)}), as in PyTorch`);
    check(w.rank === 4, 'conv2d', () => `weight must be [Cout, Cin/groups, KH, KW] (rank 4): ${shapes()}`);
    // Total padding D·(K−1) per axis; PyTorch puts the odd one at the bottom/right.
    const th = dilation[0] * (w.shape[2] - 1), tw = dilation[1] * (w.shape[3] - 1);
    const [ph, pw] = [th >> 1, tw >> 1];
    const xs = th % 2 || tw % 2 ? pad2d(x, [0, th % 2, 0, tw % 2]) : x;
    return { x: xs, w, b: b ?? undefined, cfg: { stride, padding: [ph, pw], dilation, groups } };
  }
  check(typeof options.padding !== 'string' || options.padding === 'valid', 'conv2d', () => `padding must be 'same', 'valid', a non-negative integer or an [h, w] pair, got ${fmtArg(options.padding)}`);
  const padding = options.padding === 'valid' ? [0, 0] as Pair : pairArg(options.padding as number | number[] | undefined, 0, 'padding', 'conv2d', 0, shapes);
  return { x, w, b: b ?? undefined, cfg: { stride, padding, dilation, groups } };
}

/** The checked geometry of a conv of x with w (bias optional), its output size included. */
export function convGeometry(x: Tensor, w: Tensor, bias: Tensor | undefined, cfg: ConvConfig): Conv2dGeometry {
  const g = checkInputs(x, w, bias, cfg);
  const shapes = () => `input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}`;
  checkSize([g.n, g.o, g.oh, g.ow], 'conv2d', 'output shape', () => `${shapes()}, stride ${fmtArg(cfg.stride)}, padding ${fmtArg(cfg.padding)}, dilation ${fmtArg(cfg.dilation)}`);
  return g;
}

/** out = conv(x, w) + bias on the active backend's kernels. */
export function convKernel(x: Tensor, w: Tensor, bias: Tensor | undefined, g: Conv2dGeometry, cfg: ConvConfig, out: TypedArray): void {
  const be = getBackend();
  const bd = bias ? bias.data : null;
  // Lattice operands (the padded, dilated deltas of a backward, see lattice.ts) reach the kernel unmaterialized.
  const lattice = (x.lattice || w.lattice) && be.conv2dForwardLattice;
  if (cfg.groups > 1) groupedConv2d(be, lattice ? x.lattice ?? x.data : x.data, lattice ? w.lattice ?? w.data : w.data, bd, g, cfg.groups, out);
  else if (lattice) be.conv2dForwardLattice!(x.lattice ?? x.data, w.lattice ?? w.data, bd, g, out);
  else be.conv2dForward(x.data, w.data, bd, g, out);
}

function conv2dCore(x: Tensor, w: Tensor, bias: Tensor | undefined, cfg: ConvConfig): Tensor {
  const g = convGeometry(x, w, bias, cfg);
  const out = allocateEmpty(x.dtype, g.n * g.o * g.oh * g.ow);
  convKernel(x, w, bias, g, cfg, out);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record(new Tensor(out, [g.n, g.o, g.oh, g.ow]), 'conv2d', inputs,
    (delta) => convGrads(delta, x, w, bias, g, cfg, () => sum(delta, [0, 2, 3])), { ...cfg }, [x, w]); // db: eq. 13, Σ δ over N, H, W
}

/**
 * The conv's backward rule (17.3): the gradients of x, w and bias (those that require one) given the
 * output gradient δ. `biasGrad` gives db, eq. 13: Σ δ over N, H, W (conv-pool.ts takes it from the pooled
 * gradient, whose channel sums are the same).
 */
export function convGrads(delta: Tensor, x: Tensor, w: Tensor, bias: Tensor | undefined, g: Conv2dGeometry, cfg: ConvConfig, biasGrad: () => Tensor): (Tensor | null)[] {
  // dX, dW and db all read δ: the kernels may share one copy of it (wasm: copied into its memory once).
  return sharingOperands([delta.lattice?.base ?? delta.data], () => withLatticeOutputs(() => [
    x.requiresGrad ? convInputGrad(delta, w, [g.h, g.w], cfg) : null,
    w.requiresGrad ? convWeightGrad(x, delta, [g.kh, g.kw], cfg) : null,
    ...(bias ? [bias.requiresGrad ? biasGrad() : null] : []),
  ]));
}

/**
 * 17.3.2: δ dilated by the stride, with zero rows/cols at the bottom/right up to the stride-1 output
 * size Hp − K' + 1 (the rows the last stride did not reach).
 */
function strideOneDelta(delta: Tensor, inSize: Pair, kernel: Pair, cfg: ConvConfig): Tensor {
  const [sh, sw] = cfg.stride, [ph, pw] = cfg.padding, [dh, dw] = cfg.dilation;
  const ekh = dh * (kernel[0] - 1) + 1, ekw = dw * (kernel[1] - 1) + 1;
  const d = dilate2d(delta, [sh, sw]);
  return pad2d(d, [0, inSize[0] + 2 * ph - ekh + 1 - d.shape[2], 0, inSize[1] + 2 * pw - ekw + 1 - d.shape[3]]);
}

/** w [O, C/G, KH, KW] → [C, O/G, KH, KW]: in/out channels swapped within each group. */
function swapInOut(w: Tensor, groups: number): Tensor {
  if (groups === 1) return permute(w, [1, 0, 2, 3]);
  const [o, cg, kh, kw] = w.shape;
  return reshape(permute(reshape(w, [groups, o / groups, cg, kh, kw]), [0, 2, 1, 3, 4]), [groups * cg, o / groups, kh, kw]);
}

/**
 * The chapter's dX rule (eq. 8, 9, 14, 15), in graph ops (so it is itself differentiable): the gradient
 * of conv2d(x, w) with respect to an input x of spatial size inSize, given the output gradient δ:
 *   δ' = dilate2d(δ, S), padded at bottom/right to the stride-1 output size Hp − K' + 1       (17.3.2)
 *   dX = crop_P( conv2d( pad2d(δ', K'−1), rot180(Wᵀ) ) )  per group, Σ over its output channels
 *      = conv2d( pad2d(δ', K'−1−P), rot180(Wᵀ) )   (P ≤ K'−1: the crop folded into the padding)
 * where K' = D(K−1)+1 and Hp = H + 2P. One rule, two uses: it is also convTranspose2d's forward
 * (conv-transpose.ts), with inSize = the transposed conv's output size (outputPadding = the remainder rows).
 */
export function convInputGrad(delta: Tensor, w: Tensor, inSize: Pair, cfg: ConvConfig): Tensor {
  const [, , kh, kw] = w.shape;
  const [ph, pw] = cfg.padding, [dh, dw] = cfg.dilation;
  const ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
  const d = strideOneDelta(delta, inSize, [kh, kw], cfg);
  // δ' padded by K'−1 and correlated with the 180°-rotated kernel (in/out channels swapped) gives the
  // gradient of the padded input, H+2P rows; the forward's P border rows are then cropped off. Row r of
  // that full correlation only reads padded rows r … r+K'−1, so cropping P rows on each side is the same
  // as padding δ' by P fewer: pad K'−1−P and nothing is cropped (no rows computed to be thrown away).
  // Only a padding P > K'−1 leaves a crop. (test: conv2d-chapter, "crop folded")
  const wFlipped = rot180(swapInOut(w, cfg.groups));
  const [eh, ew] = [ekh - 1 - ph, ekw - 1 - pw];
  const [th, tw] = [Math.max(eh, 0), Math.max(ew, 0)];
  const full = conv2d(pad2d(d, [th, th, tw, tw]), wFlipped, null, { dilation: [dh, dw], groups: cfg.groups });
  const [n, c] = full.shape;
  return eh < 0 || ew < 0 ? slice(full, [0, 0, Math.max(-eh, 0), Math.max(-ew, 0)], [n, c, inSize[0], inSize[1]]) : full;
}

/**
 * The chapter's dW rule (eq. 11): δW[o, c] = Σ_n Xpad[n, c] ⋆ δ'[n, o], sampled every D — a conv over
 * the batch with batch and channels swapped. With groups, group g's input channels meet only its own
 * output channels: the channels of a group become the batch and (group, image) the channel axis of a
 * grouped conv, so no cross-group products are computed.
 */
export function convWeightGrad(x: Tensor, delta: Tensor, kernel: Pair, cfg: ConvConfig): Tensor {
  const [n, cin, h, wd] = x.shape;
  const [ph, pw] = cfg.padding, gs = cfg.groups;
  const d = strideOneDelta(delta, [h, wd], kernel, cfg);
  const dt = permute(d, [1, 0, 2, 3]); // [Cout, N, Hp−K'+1, Wp−K'+1]
  if (gs === 1) {
    const xt = permute(pad2d(x, [ph, ph, pw, pw]), [1, 0, 2, 3]); // [Cin, N, Hp, Wp]
    return permute(conv2d(xt, dt, null, { stride: cfg.dilation }), [1, 0, 2, 3]);
  }
  if (cin === gs) {
    // Depthwise: one correlation per (image, channel) plane — a depthwise conv over N·Cin planes (x and δ'
    // only reshaped) — then Σ over the batch. The conv pads by P itself (the zeros of Xpad).
    const cout = d.shape[1], [kh, kw] = kernel;
    const planes = conv2d(reshape(x, [1, n * cin, h, wd]), reshape(d, [n * cout, 1, d.shape[2], d.shape[3]]), null,
      { stride: cfg.dilation, padding: cfg.padding, groups: n * cin });
    return reshape(sum(reshape(planes, [n, cout, kh, kw]), 0), [cout, 1, kh, kw]);
  }
  // [Cin/G, G·N, H, W], channel g·N + n = image n's channel of group g; the conv pads it by P itself
  // (the same zeros as Xpad, without materializing a padded copy).
  const xt = reshape(permute(reshape(x, [n, gs, cin / gs, h, wd]), [2, 1, 0, 3, 4]), [cin / gs, gs * n, h, wd]);
  return permute(conv2d(xt, dt, null, { stride: cfg.dilation, padding: cfg.padding, groups: gs }), [1, 0, 2, 3]);
}
