// conv2d: Z = W ⋆ A + b (cross-correlation, chapter eq. 0–4, 10–13), its shape checks and its backward rule (17.3).
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { getBackend } from '../kernels/backend.ts';
import type { Conv2dGeometry } from '../kernels/conv2d.ts';
import { withLatticeOutputs } from '../lattice.ts';
import { allocate, Tensor } from '../tensor.ts';
import { checkOptions, checkSize, checkTensor, fmtArg } from '../validate.ts';
import { pairArg, type Pair } from './conv-args.ts';
import { sum } from './reduce.ts';
import { permute, slice } from './shape.ts';
import { dilate2d, pad2d, rot180 } from './spatial.ts';

export interface Conv2dOptions {
  /** Step of the window: a number or [h, w]; default 1. */
  stride?: number | readonly number[];
  /** Zeros added on each side: a number or [h, w]; default 0. */
  padding?: number | readonly number[];
  /** Spacing between kernel taps: a number or [h, w]; default 1. */
  dilation?: number | readonly number[];
}

interface Conv2dConfig { stride: Pair; padding: Pair; dilation: Pair }

function checkInputs(x: Tensor, w: Tensor, b: Tensor | undefined, cfg: Conv2dConfig): Conv2dGeometry {
  const shapes = () => `input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}${b ? `, bias ${fmtShape(b.shape)}` : ''}`;
  check(x.rank === 4, 'conv2d', () => `input must be [N, Cin, H, W] (rank 4), got rank ${x.rank}: ${shapes()}`);
  check(w.rank === 4, 'conv2d', () => `weight must be [Cout, Cin, KH, KW] (rank 4), got rank ${w.rank}: ${shapes()}`);
  const [n, c, h, wd] = x.shape;
  const [o, cw, kh, kw] = w.shape;
  check(c === cw, 'conv2d', () => `channel mismatch: input has ${c} channels but weight expects ${cw}: ${shapes()}`);
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

/**
 * 2-D cross-correlation of x [N, Cin, H, W] with w [Cout, Cin, KH, KW] plus bias [Cout]:
 * out [N, Cout, (H + 2P − D(K−1) − 1)/S + 1, …].
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkTensor(x, 'conv2d', 'input');
  checkTensor(w, 'conv2d', 'weight');
  check(b === undefined || b === null || b instanceof Tensor, 'conv2d', () => `bias must be a Tensor or null, got ${fmtArg(b)}`);
  checkOptions(options, 'conv2d', ['stride', 'padding', 'dilation']);
  const shapes = () => `input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}`;
  const cfg: Conv2dConfig = {
    stride: pairArg(options.stride, 1, 'stride', 'conv2d', 1, shapes),
    padding: pairArg(options.padding, 0, 'padding', 'conv2d', 0, shapes),
    dilation: pairArg(options.dilation, 1, 'dilation', 'conv2d', 1, shapes),
  };
  const bias = b ?? undefined;
  const g = checkInputs(x, w, bias, cfg);
  checkSize([g.n, g.o, g.oh, g.ow], 'conv2d', 'output shape', () => `${shapes()}, stride ${fmtArg(cfg.stride)}, padding ${fmtArg(cfg.padding)}, dilation ${fmtArg(cfg.dilation)}`);
  const out = allocate(x.dtype, g.n * g.o * g.oh * g.ow);
  const be = getBackend();
  // Lattice operands (the padded, dilated deltas of a backward, see lattice.ts) reach the kernel unmaterialized.
  if ((x.lattice || w.lattice) && be.conv2dForwardLattice) be.conv2dForwardLattice(x.lattice ?? x.data, w.lattice ?? w.data, bias ? bias.data : null, g, out);
  else be.conv2dForward(x.data, w.data, bias ? bias.data : null, g, out);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record(new Tensor(out, [g.n, g.o, g.oh, g.ow]), 'conv2d', inputs, (delta) => withLatticeOutputs(() => conv2dBackward(delta, x, w, bias, cfg)), { ...cfg }, [x, w]);
}

/**
 * The chapter's backward rule, built from graph ops (so it is itself differentiable):
 *   δ' = dilate2d(δ, S), padded at bottom/right to the stride-1 output size Hp − K' + 1     (17.3.2)
 *   dX = crop_P( conv2d( pad2d(δ', K'−1), rot180(Wᵀ) ) ), Σ over output channels          (eq. 8, 9, 14, 15)
 *      = conv2d( pad2d(δ', K'−1−P), rot180(Wᵀ) )   (P ≤ K'−1: the crop folded into the padding)
 *   dW = X ⋆ δ' with channels and batch swapped, sampled every D                              (eq. 11)
 *   db = Σ δ over N, H, W                                                                      (eq. 13)
 * where K' = D(K−1)+1 is the dilated kernel size and Hp = H + 2P.
 */
function conv2dBackward(delta: Tensor, x: Tensor, w: Tensor, b: Tensor | undefined, cfg: Conv2dConfig): (Tensor | null)[] {
  const [n, cin, h, wd] = x.shape;
  const [, , kh, kw] = w.shape;
  const [sh, sw] = cfg.stride, [ph, pw] = cfg.padding, [dh, dw] = cfg.dilation;
  const ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
  const hp = h + 2 * ph, wp = wd + 2 * pw;

  // 17.3.2: δ' has the stride-1 output size; rows/cols that the last stride did not reach stay zero.
  let d = dilate2d(delta, [sh, sw]);
  d = pad2d(d, [0, hp - ekh + 1 - d.shape[2], 0, wp - ekw + 1 - d.shape[3]]);

  let dx: Tensor | null = null;
  if (x.requiresGrad) {
    // eq. 8/9/14/15: δ' padded by K'−1 and correlated with the 180°-rotated kernel (in/out channels
    // swapped) gives the gradient of the padded input, H+2P rows; the forward's P border rows are then
    // cropped off. Row r of that full correlation only reads padded rows r … r+K'−1, so cropping P rows on
    // each side is the same as padding δ' by P fewer: pad K'−1−P and nothing is cropped (no rows computed
    // to be thrown away). Only a padding P > K'−1 leaves a crop. (test: conv2d-chapter, "crop folded")
    const wFlipped = rot180(permute(w, [1, 0, 2, 3]));
    const [eh, ew] = [ekh - 1 - ph, ekw - 1 - pw];
    const [th, tw] = [Math.max(eh, 0), Math.max(ew, 0)];
    const full = conv2d(pad2d(d, [th, th, tw, tw]), wFlipped, null, { dilation: [dh, dw] });
    dx = eh < 0 || ew < 0 ? slice(full, [0, 0, Math.max(-eh, 0), Math.max(-ew, 0)], [n, cin, h, wd]) : full;
  }

  let dwt: Tensor | null = null;
  if (w.requiresGrad) {
    // eq. 11: δW[o, c] = A[c] ⋆ δ'[o], summed over the batch: batch becomes the channel axis.
    const xt = permute(pad2d(x, [ph, ph, pw, pw]), [1, 0, 2, 3]); // [Cin, N, Hp, Wp]
    const dt = permute(d, [1, 0, 2, 3]); // [Cout, N, Hp−K'+1, Wp−K'+1]
    dwt = permute(conv2d(xt, dt, null, { stride: [dh, dw] }), [1, 0, 2, 3]);
  }

  const db = b?.requiresGrad ? sum(delta, [0, 2, 3]) : null; // eq. 13
  return b ? [dx, dwt, db] : [dx, dwt];
}
