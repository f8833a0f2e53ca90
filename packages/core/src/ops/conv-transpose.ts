// convTranspose2d: the adjoint of conv2d in its input. Its forward IS the chapter's dX rule (eq. 8, 9, 14,
// 15: dilate δ by S, pad by K'−1−P, correlate with rot180(W) with in/out channels swapped) — the same
// function, convInputGrad, that conv2d's backward uses for dX: one rule, two uses.
import { noGrad, record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { addChannelBias } from '../kernels/channel-bias.ts';
import { withLatticeOutputs } from '../lattice.ts';
import { Tensor } from '../tensor.ts';
import { pairArg, type Pair } from './conv-args.ts';
import { conv2d, convInputGrad, convWeightGrad, groupsArg, type ConvConfig } from './conv2d.ts';
import { checkOptions } from './dim-args.ts';
import { sum } from './reduce.ts';
import { slice } from './shape.ts';

export interface ConvTranspose2dOptions {
  /** Stride of the conv this is the transpose of: a number or [h, w]; default 1. */
  stride?: number | readonly number[];
  /** Padding of that conv (cropped from the output): a number or [h, w]; default 0. */
  padding?: number | readonly number[];
  /** Extra rows/cols at the bottom/right of the output (the conv's remainder rows); each < stride or < dilation. Default 0. */
  outputPadding?: number | readonly number[];
  /** Kernel dilation: a number or [h, w]; default 1. */
  dilation?: number | readonly number[];
  /** Channel groups; weight [Cin, Cout/groups, KH, KW]. Default 1. */
  groups?: number;
}

const OPTIONS = ['stride', 'padding', 'outputPadding', 'dilation', 'groups'];

/**
 * Transposed convolution of x [N, Cin, H, W] with w [Cin, Cout/groups, KH, KW] (PyTorch's layout) plus
 * bias [Cout]: out [N, Cout, (H−1)·S − 2P + D·(K−1) + 1 + outputPadding, …]. It equals the gradient of
 * conv2d(·, w, stride S, padding P, dilation D, groups) with respect to an input of the output's size,
 * taken at output gradient x (test: conv-transpose, "identity").
 */
export function convTranspose2d(x: Tensor, w: Tensor, b?: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  checkOptions(options, op, OPTIONS);
  check(x instanceof Tensor && w instanceof Tensor, op, 'input and weight must be Tensors');
  const shapes = () => `input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}${b ? `, bias ${fmtShape(b.shape)}` : ''}`;
  const cfg: ConvConfig = {
    stride: pairArg(options.stride, 1, 'stride', op, 1, shapes),
    padding: pairArg(options.padding, 0, 'padding', op, 0, shapes),
    dilation: pairArg(options.dilation, 1, 'dilation', op, 1, shapes),
    groups: groupsArg(options.groups, op),
  };
  const outPad = pairArg(options.outputPadding, 0, 'outputPadding', op, 0, shapes);
  check(x.rank === 4, op, () => `input must be [N, Cin, H, W] (rank 4), got rank ${x.rank}: ${shapes()}`);
  check(w.rank === 4, op, () => `weight must be [Cin, Cout/groups, KH, KW] (rank 4), got rank ${w.rank}: ${shapes()}`);
  const [n, cin, h, wd] = x.shape;
  const [wc, og, kh, kw] = w.shape;
  const gs = cfg.groups;
  check(cin === wc, op, () => `channel mismatch: input has ${cin} channels but weight dim 0 is ${wc} (weight is [Cin, Cout/groups, KH, KW]): ${shapes()}`);
  check(cin % gs === 0, op, () => `groups ${gs}: input channels ${cin} are not divisible by groups: ${shapes()}`);
  check(x.size > 0 && w.size > 0, op, () => `empty input or weight: ${shapes()}`);
  check(x.dtype === w.dtype, op, () => `dtype mismatch: input ${x.dtype}, weight ${w.dtype}`);
  const cout = og * gs;
  const bias = b ?? undefined;
  if (bias) {
    check(bias.rank === 1 && bias.shape[0] === cout, op, () => `bias must be [Cout] = [${cout}]: ${shapes()}`);
    check(bias.dtype === x.dtype, op, () => `dtype mismatch: input ${x.dtype}, bias ${bias.dtype}`);
  }
  for (let a = 0; a < 2; a++) {
    check(outPad[a] < cfg.stride[a] || outPad[a] < cfg.dilation[a], op,
      () => `outputPadding ${fmtShape(outPad)} must be smaller than either stride ${fmtShape(cfg.stride)} or dilation ${fmtShape(cfg.dilation)} (per axis), as in PyTorch`);
  }
  const k: Pair = [kh, kw];
  const size = [0, 1].map((a) => (x.shape[2 + a] - 1) * cfg.stride[a] - 2 * cfg.padding[a] + cfg.dilation[a] * (k[a] - 1) + 1 + outPad[a]) as Pair;
  check(size[0] > 0 && size[1] > 0, op, () => `output size ${size[0]}×${size[1]} is not positive: ${shapes()}, stride ${fmtShape(cfg.stride)}, padding ${fmtShape(cfg.padding)}, dilation ${fmtShape(cfg.dilation)}`);

  // The forward is conv2d's dX rule on detached operands (lattice views: the dilated, padded x is never
  // materialized; the kernels skip its zeros). This node's own backward is below.
  const y = noGrad(() => withLatticeOutputs(() => convInputGrad(x.detach(), w.detach(), size, cfg)));
  const out = y.data; // a fresh array of this call
  if (bias) addChannelBias(out, bias.data, n, cout, size[0] * size[1]);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record(new Tensor(out, [n, cout, size[0], size[1]]), op, inputs, (g) => withLatticeOutputs(() => [
    // The adjoint of the adjoint: dX = conv2d(g, W) (rows a stride ≤ outputPadding < dilation adds are dropped).
    x.requiresGrad ? cropTo(conv2d(g, w, null, { stride: cfg.stride, padding: cfg.padding, dilation: cfg.dilation, groups: gs }), h, wd) : null,
    // eq. 11 with the roles of conv2d: g is the conv's input, x its output gradient.
    w.requiresGrad ? convWeightGrad(g, x, k, cfg) : null,
    ...(bias ? [bias.requiresGrad ? sum(g, [0, 2, 3]) : null] : []),
  ]), { ...cfg, outputPadding: outPad });
}

function cropTo(t: Tensor, h: number, w: number): Tensor {
  return t.shape[2] === h && t.shape[3] === w ? t : slice(t, [0, 0, 0, 0], [t.shape[0], t.shape[1], h, w]);
}
