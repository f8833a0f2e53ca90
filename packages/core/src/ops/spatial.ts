// The chapter's helper nodes on the last two dims: pad2d, dilate2d (17.3.2), its adjoint subsample2d, rot180 (eq. 8).
import { record } from '../autograd.ts';
import { check, fmtShape } from '../errors.ts';
import { stridedCopy } from '../kernels/strided.ts';
import { dilateLattice, latticeOutputsEnabled, latticeView, padLattice, type LatticeView } from '../lattice.ts';
import { allocate, Tensor, type TypedArray } from '../tensor.ts';
import { checkSize, fmtArg } from '../validate.ts';
import { checkRankAtLeast, padding4, pairArg } from './conv-args.ts';
import { paddingModeArg, padWithMode, type PaddingMode } from './pad-modes.ts';
import { slice } from './shape.ts';

/** [leading dims, H, W] of a tensor of rank ≥ 2. */
function split2d(x: Tensor): [number[], number, number, number] {
  const lead = x.shape.slice(0, -2);
  const h = x.shape[x.rank - 2], w = x.shape[x.rank - 1];
  return [lead, lead.reduce((p, d) => p * d, 1), h, w];
}

/**
 * Zeros around the last two dims: a number or [top, bottom, left, right]. Backward crops. `mode`
 * 'reflect' | 'replicate' | 'circular' pads with copies of the input instead (pad-modes.ts).
 */
export function pad2d(x: Tensor, padding: number | readonly number[], mode: PaddingMode = 'zeros'): Tensor {
  checkRankAtLeast(x, 2, 'pad2d');
  const [t, b, l, r] = padding4(padding, 'pad2d');
  if (mode !== 'zeros') return padWithMode(x, [t, b, l, r], paddingModeArg(mode, 'pad2d', 'mode') as Exclude<PaddingMode, 'zeros'>);
  if (t + b + l + r === 0) return x;
  const [lead, batch, h, w] = split2d(x);
  const ho = h + t + b, wo = w + l + r;
  checkSize([...lead, ho, wo], 'pad2d', 'output shape', () => `input ${fmtShape(x.shape)}, padding ${fmtArg(padding)}`);
  // Inside the conv2d backward the padded tensor is described, not copied (lattice.ts); same values.
  let out: TypedArray | LatticeView;
  if (latticeOutputsEnabled()) out = padLattice(latticeView(x), t, l);
  else {
    out = allocate(x.dtype, batch * ho * wo);
    stridedCopy(x.data, 0, [h * w, w, 1], out, t * wo + l, [ho * wo, wo, 1], [batch, h, w]);
  }
  const begin = [...lead.map(() => 0), t, l];
  return record(new Tensor(out, [...lead, ho, wo]), 'pad2d', [x], (g) => [slice(g, begin, [...x.shape])], { padding: [t, b, l, r] }, []);
}

/**
 * Inserts stride−1 zero rows/cols between the entries of the last two dims (17.3.2):
 * H×W → ((H−1)·sh+1)×((W−1)·sw+1). Backward takes the strided entries.
 */
export function dilate2d(x: Tensor, stride: number | readonly number[]): Tensor {
  checkRankAtLeast(x, 2, 'dilate2d');
  const [sh, sw] = pairArg(stride, 1, 'stride', 'dilate2d', 1);
  if (sh === 1 && sw === 1) return x;
  const [lead, batch, h, w] = split2d(x);
  check(h > 0 && w > 0, 'dilate2d', () => `cannot dilate an empty spatial shape ${fmtShape(x.shape)}`);
  const ho = (h - 1) * sh + 1, wo = (w - 1) * sw + 1;
  checkSize([...lead, ho, wo], 'dilate2d', 'output shape', () => `input ${fmtShape(x.shape)}, stride ${fmtArg(stride)}`);
  // Inside the conv2d backward the dilated tensor is described, not copied (lattice.ts); same values.
  let out: TypedArray | LatticeView;
  if (latticeOutputsEnabled()) out = dilateLattice(latticeView(x), sh, sw);
  else {
    out = allocate(x.dtype, batch * ho * wo);
    stridedCopy(x.data, 0, [h * w, w, 1], out, 0, [ho * wo, sh * wo, sw], [batch, h, w]);
  }
  return record(new Tensor(out, [...lead, ho, wo]), 'dilate2d', [x], (g) => [subsample2d(g, [sh, sw])], { stride: [sh, sw] }, []);
}

/** Takes every stride-th entry of the last two dims (from index 0): the adjoint of dilate2d. */
export function subsample2d(x: Tensor, stride: number | readonly number[]): Tensor {
  checkRankAtLeast(x, 2, 'subsample2d');
  const [sh, sw] = pairArg(stride, 1, 'stride', 'subsample2d', 1);
  if (sh === 1 && sw === 1) return x;
  const [lead, batch, h, w] = split2d(x);
  const ho = Math.ceil(h / sh), wo = Math.ceil(w / sw);
  const out = allocate(x.dtype, batch * ho * wo);
  stridedCopy(x.data, 0, [h * w, sh * w, sw], out, 0, [ho * wo, wo, 1], [batch, ho, wo]);
  // Adjoint: dilate back, plus zero rows/cols at the bottom/right that the last stride skipped.
  return record(new Tensor(out, [...lead, ho, wo]), 'subsample2d', [x], (g) => [pad2d(dilate2d(g, [sh, sw]), [0, h - ((ho - 1) * sh + 1), 0, w - ((wo - 1) * sw + 1)])], { stride: [sh, sw] }, []);
}

/** Flips the last two dims (rotation by 180°, eq. 8). Its own adjoint. */
export function rot180(x: Tensor): Tensor {
  checkRankAtLeast(x, 2, 'rot180');
  const [lead, batch, h, w] = split2d(x);
  const out = allocate(x.dtype, x.size);
  stridedCopy(x.data, (h - 1) * w + (w - 1), [h * w, -w, -1], out, 0, [h * w, w, 1], [batch, h, w]);
  return record(new Tensor(out, [...lead, h, w]), 'rot180', [x], (g) => [rot180(g)], undefined, []);
}
