// How the js conv2d kernel walks one convolution: index tables, no arithmetic on values.
//
// out[o][q] = Σ_p W[o][p] · X[q + off[p]] is split into groups of output positions that see the same
// non-zero taps. A dense input is one group with every tap. A lattice input (lattice.ts: the dilated δ
// of the chapter's dX correlation, zero except every S-th row and column) splits the positions into
// S_h·S_w phases, each keeping only the taps that land on the lattice (eq. 8's zeros are skipped, never
// multiplied). A lattice weight (the dilated δ as the kernel of the dW correlation, eq. 11) keeps only
// its lattice taps. Within a phase, output rows (cols) whose window reaches into x's zero padding
// (or past the lattice's ends) form classes of their own without those taps, when the output is
// large next to the kernel (a padded 3×3 layer and the dX correlation's pad(δ', K−1): ~11% of its
// products were padding zeros). Skipped taps are exact zeros of the chapter's tensors, so the sums
// are unchanged.
import type { LatticeView } from '../lattice.ts';
import type { TypedArray } from '../tensor.ts';
import { float64Scratch, int32Scratch } from './scratch.ts';
import type { Conv2dGeometry } from './conv2d.ts';

export interface ConvPlan {
  /** x as float64 with its zero padding: [N·C] planes of hp × wp. */
  readonly xp: Float64Array;
  /** Per group g: positions [pos[4g], pos[4g+1]) of qs/qd (a multiple of 4), taps [pos[4g+2], pos[4g+3]) of off/wcol. */
  readonly groups: Int32Array;
  readonly groupCount: number;
  /** Per position: its window's corner in xp; its output index for channel 0 (−1 for tile padding). */
  readonly qs: Int32Array;
  readonly qd: Int32Array;
  /** Per tap: its offset from a window's corner in xp; its column in the weights. */
  readonly off: Int32Array;
  readonly wcol: Int32Array;
  /** Weight (o, tap t) is wbase[wOff + o·wLd + wcol[t]]. */
  readonly wbase: TypedArray;
  readonly wOff: number;
  readonly wLd: number;
}

/** Where the non-zeros of one spatial axis of a lattice sit: index i is live iff i ≡ first (mod step) and (i − first)/step < count. */
interface Axis { first: number; step: number; count: number }

const denseAxis = (size: number): Axis => ({ first: 0, step: 1, count: size });

export function planConv(x: TypedArray | LatticeView, w: TypedArray | LatticeView, g: Conv2dGeometry): ConvPlan {
  const { n, c, o, kh, kw, sh, sw, dh, dw, oh, ow } = g;
  const hp = (oh - 1) * sh + (kh - 1) * dh + 1;
  const wp = (ow - 1) * sw + (kw - 1) * dw + 1;
  const xp = paddedInput(x, g, hp, wp);

  // Lattice of x in xp coordinates (rows/cols of the padding are zeros too, but not skipped).
  const xl = ArrayBuffer.isView(x) ? null : x;
  const xRow: Axis = xl ? { first: g.pt + xl.first[0], step: xl.step[0], count: xl.counts[2] } : denseAxis(hp);
  const xCol: Axis = xl ? { first: g.pl + xl.first[1], step: xl.step[1], count: xl.counts[3] } : denseAxis(wp);
  // Weights: dense [O, C, KH, KW] or a lattice view whose lead dims are [O, C].
  const wl = ArrayBuffer.isView(w) ? null : w;
  const wRow: Axis = wl ? { first: wl.first[0], step: wl.step[0], count: wl.counts[2] } : denseAxis(kh);
  const wCol: Axis = wl ? { first: wl.first[1], step: wl.step[1], count: wl.counts[3] } : denseAxis(kw);
  const [wsO, wsC, wsA, wsB] = wl ? wl.strides : [c * kh * kw, kh * kw, kw, 1];

  const phasesY = xRow.step, phasesX = xCol.step;
  // Per phase and axis: the taps on both lattices, and the output rows (cols) split into classes by
  // which of those taps land inside x's non-zero range (the border rows of a padded x see fewer).
  // Split only when the output is large next to the kernel: every class costs its own weight packing.
  const rowPhases: AxisPhase[] = [], colPhases: AxisPhase[] = [];
  // Stryker disable next-line EqualityOperator: ry <= phasesY adds phase phasesY, which no output u has ((u·s) mod phases < phases): a phase without classes adds no group
  for (let ry = 0; ry < phasesY; ry++) {
    rowPhases.push(axisPhase(xRow, wRow, kh, dh, oh, sh, phasesY, ry, xl ? null : [g.pt, g.pt + g.h - 1], oh >= 2 * kh));
  }
  // Stryker disable next-line EqualityOperator: rx <= phasesX adds phase phasesX, which no output has: a phase without classes adds no group
  for (let rx = 0; rx < phasesX; rx++) {
    colPhases.push(axisPhase(xCol, wCol, kw, dw, ow, sw, phasesX, rx, xl ? null : [g.pl, g.pl + g.w - 1], ow >= 2 * kw));
  }
  let maxGroups = 0;
  for (const rp of rowPhases) for (const cp of colPhases) maxGroups += rp.classes.length * cp.classes.length;
  const groups = int32Scratch('conv.groups', 4 * maxGroups);
  const qs = int32Scratch('conv.qs', n * oh * ow + 4 * maxGroups);
  const qd = int32Scratch('conv.qd', n * oh * ow + 4 * maxGroups);
  const off = int32Scratch('conv.off', c * kh * kw * maxGroups);
  const wcol = int32Scratch('conv.wcol', c * kh * kw * maxGroups);

  let groupCount = 0, nq = 0, nt = 0;
  for (const rp of rowPhases) {
    for (const cp of colPhases) {
      for (const rc of rp.classes) {
        for (const cc of cp.classes) {
          const q0 = nq;
          nq = classPositions(g, hp, wp, rc.outs, cc.outs, qs, qd, nq);
          const t0 = nt;
          nt = phaseTaps(g, hp, wp, rp.taps.subarray(rc.lo, rc.hi), cp.taps.subarray(cc.lo, cc.hi), wRow, wCol, wsC, wsA, wsB, off, wcol, nt);
          groups[4 * groupCount] = q0;
          groups[4 * groupCount + 1] = nq;
          groups[4 * groupCount + 2] = t0;
          groups[4 * groupCount + 3] = nt;
          groupCount++;
        }
      }
    }
  }
  return { xp, groups, groupCount, qs, qd, off, wcol, wbase: wl ? wl.base : (w as TypedArray), wOff: wl ? wl.offset : 0, wLd: wsO };
}

/** One phase of one spatial axis: its kernel taps, and its output indices in classes of equal live taps. */
interface AxisPhase { taps: Int32Array; classes: { outs: Int32Array; lo: number; hi: number }[] }

/**
 * Phase r of an axis (outputs u with u·s ≡ r mod phases): the kernel taps i that land on x's lattice
 * and on the weights' lattice, and its outputs grouped into runs that keep the same taps [lo, hi) of
 * that list: tap i of output u reads xp index u·s + i·d, live iff inside x's non-zero range (padding
 * and the lattice's ends excluded). Without `split`, one class keeps every tap.
 */
function axisPhase(xa: Axis, wa: Axis, k: number, d: number, outs: number, s: number, phases: number, r: number, denseRange: [number, number] | null, split: boolean): AxisPhase {
  const tapList: number[] = [];
  for (let i = 0; i < k; i++) if (onAxis(xa, r + i * d, true) && onAxis(wa, i, false)) tapList.push(i);
  const taps = Int32Array.from(tapList);
  // Non-zero range of x along this axis, in xp coordinates: a dense x's rows between the paddings, a lattice's first to last.
  const first = denseRange ? denseRange[0] : xa.first;
  const last = denseRange ? denseRange[1] : xa.first + (xa.count - 1) * xa.step;
  const classes: AxisPhase['classes'] = [];
  let run: number[] = [], lo = -1, hi = -1;
  for (let u = 0; u < outs; u++) {
    if ((u * s) % phases !== r) continue;
    let a = 0, b = taps.length;
    if (split) {
      while (a < b && u * s + taps[a] * d < first) a++;
      while (b > a && u * s + taps[b - 1] * d > last) b--;
    }
    if (run.length > 0 && (a !== lo || b !== hi)) {
      classes.push({ outs: Int32Array.from(run), lo, hi });
      run = [];
    }
    run.push(u);
    lo = a;
    hi = b;
  }
  if (run.length > 0) classes.push({ outs: Int32Array.from(run), lo, hi });
  return { taps, classes };
}

// Table loops live in functions of their own so V8 optimizes them (a big function called a few times stays interpreted).

/**
 * Appends the output positions (img, ys[a], xs[b]) from index nq: qs = window corner in xp, qd = output
 * index for channel 0; padded to a multiple of 4 with qd = −1.
 */
function classPositions(g: Conv2dGeometry, hp: number, wp: number, ys: Int32Array, xs: Int32Array, qs: Int32Array, qd: Int32Array, nq: number): number {
  const { n, c, o, oh, ow, sh, sw } = g;
  const q0 = nq;
  for (let img = 0; img < n; img++) {
    for (let a = 0; a < ys.length; a++) {
      const oy = ys[a];
      const s0 = (img * c * hp + oy * sh) * wp, d0 = (img * o * oh + oy) * ow;
      for (let b = 0; b < xs.length; b++) {
        const ox = xs[b];
        qs[nq] = s0 + ox * sw;
        qd[nq++] = d0 + ox;
      }
    }
  }
  while ((nq - q0) % 4) {
    qs[nq] = qs[nq - 1];
    qd[nq++] = -1;
  }
  return nq;
}

/** Appends taps (c, ki[a], kj[b]) from index nt: off = offset in xp from a window's corner, wcol = column in the weights. */
function phaseTaps(
  g: Conv2dGeometry, hp: number, wp: number, ki: Int32Array, kj: Int32Array,
  wRow: Axis, wCol: Axis, wsC: number, wsA: number, wsB: number, off: Int32Array, wcol: Int32Array, nt: number,
): number {
  const { c, dh, dw } = g;
  const nki = ki.length, nkj = kj.length;
  for (let ci = 0; ci < c; ci++) {
    for (let a = 0; a < nki; a++) {
      const i = ki[a];
      const xo = (ci * hp + i * dh) * wp, wo = ci * wsC + ((i - wRow.first) / wRow.step) * wsA;
      for (let b = 0; b < nkj; b++) {
        const j = kj[b];
        off[nt] = xo + j * dw;
        wcol[nt++] = wo + ((j - wCol.first) / wCol.step) * wsB;
      }
    }
  }
  return nt;
}

/**
 * Whether index i of the axis can be non-zero. For x (phase = true) only the residue matters: the
 * window moves, so the count is checked per element by the zeros of xp instead.
 */
function onAxis(ax: Axis, i: number, phaseOnly: boolean): boolean {
  const d = i - ax.first;
  const r = ((d % ax.step) + ax.step) % ax.step;
  if (r !== 0) return false;
  return phaseOnly || (d >= 0 && d / ax.step < ax.count);
}

/**
 * A float64 copy of x with the zero padding the taps reach: [N·C] planes of hp × wp, where
 * hp = (OH−1)·sh + (KH−1)·dh + 1 (rows below it are never read, so they are not copied). A lattice x
 * is scattered straight from its base array: its zeros are never materialized in x's dtype.
 */
function paddedInput(x: TypedArray | LatticeView, g: Conv2dGeometry, hp: number, wp: number): Float64Array {
  const { n, c, h, w, pt, pl } = g;
  const planes = n * c, size = planes * hp * wp;
  const xp = float64Scratch('conv.x', size);
  if (!ArrayBuffer.isView(x)) {
    xp.fill(0, 0, size);
    scatterLattice(x, planes, c, hp, wp, pt, pl, xp);
    return xp;
  }
  if (pt === 0 && pl === 0 && hp === h && wp === w) {
    xp.set(x); // x holds exactly the N·C·H·W = size values
    return xp;
  }
  const rows = Math.min(h, hp - pt), cols = Math.min(w, wp - pl); // input rows/cols that are read
  xp.fill(0, 0, size);
  for (let pc = 0; pc < planes; pc++) {
    for (let y = 0; y < rows; y++) {
      const s = (pc * h + y) * w, d = (pc * hp + y + pt) * wp + pl;
      for (let j = 0; j < cols; j++) xp[d + j] = x[s + j];
    }
  }
  return xp;
}

/** xp[plane (i, ci)][pt + first0 + a·step0][pl + first1 + b·step1] = the lattice's block, cut at hp × wp. */
function scatterLattice(v: LatticeView, planes: number, c: number, hp: number, wp: number, pt: number, pl: number, xp: Float64Array): void {
  const [sn, sc, sa, sb] = v.strides;
  const [, , na, nb] = v.counts;
  const y0 = pt + v.first[0], x0 = pl + v.first[1], dy = v.step[0], dx = v.step[1];
  const rows = Math.max(0, Math.min(na, Math.ceil((hp - y0) / dy)));
  const cols = Math.max(0, Math.min(nb, Math.ceil((wp - x0) / dx)));
  const base = v.base;
  for (let pc = 0; pc < planes; pc++) {
    const img = Math.floor(pc / c), ci = pc - img * c;
    const src0 = v.offset + img * sn + ci * sc;
    for (let a = 0; a < rows; a++) {
      const s = src0 + a * sa, d = (pc * hp + y0 + a * dy) * wp + x0;
      if (sb === 1 && dx === 1) for (let b = 0; b < cols; b++) xp[d + b] = base[s + b];
      else for (let b = 0; b < cols; b++) xp[d + b * dx] = base[s + b * sb];
    }
  }
}
