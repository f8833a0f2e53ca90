// Tensor printing as PyTorch's repr (torch/_tensor_str.py, default print options): precision 4,
// summarized with '...' beyond 1,000 elements (3 edge items per dim), lines wrapped at 80 columns,
// one width for all elements, fixed / integer ('1.') / scientific mode chosen from the values shown.
import type { Tensor } from './tensor.ts';
import { stridesOf } from './shape.ts';

const PRECISION = 4, THRESHOLD = 1000, EDGE_ITEMS = 3, LINE_WIDTH = 80;

function nonFinite(v: number): string {
  return v !== v ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/** Python's '{:.Nf}': JS toFixed, except exact ties round to even (toFixed rounds them away from zero). */
function fixed(v: number, digits: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const a = Math.abs(v), p = 10 ** digits;
  let s = a.toFixed(digits);
  const scaled = a * p, low = Math.floor(scaled);
  if (scaled - low === 0.5 && (low + 0.5) / p === a && low % 2 === 0) s = (low / p).toFixed(digits);
  return (v < 0 || Object.is(v, -0) ? '-' : '') + s;
}

/** Python's '{:.Ne}': a two-digit exponent at least. */
function scientific(v: number, digits: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const s = Math.abs(v).toExponential(digits).replace(/e([+-])(\d)$/, 'e$10$2');
  return (v < 0 || Object.is(v, -0) ? '-' : '') + s;
}

/** PyTorch's _Formatter: the mode and width come from the finite non-zero values shown. */
class Formatter {
  private intMode = true;
  private sciMode = false;
  readonly width: number = 1;

  constructor(values: readonly number[]) {
    const shown = values.filter((v) => Number.isFinite(v) && v !== 0);
    if (shown.length === 0) return;
    let lo = Infinity, hi = 0;
    for (const v of shown) { lo = Math.min(lo, Math.abs(v)); hi = Math.max(hi, Math.abs(v)); }
    this.intMode = shown.every((v) => v === Math.ceil(v));
    this.sciMode = hi / lo > 1000 || hi > 1e8 || (!this.intMode && lo < 1e-4);
    const text = this.sciMode ? (v: number) => scientific(v, PRECISION)
      : this.intMode ? (v: number) => fixed(v, 0) + '.' : (v: number) => fixed(v, PRECISION);
    this.width = shown.reduce((w, v) => Math.max(w, text(v).length), 1);
  }

  format(v: number): string {
    const s = this.sciMode ? scientific(v, PRECISION)
      : this.intMode ? fixed(v, 0) + (Number.isFinite(v) ? '.' : '') : fixed(v, PRECISION);
    return s.padStart(this.width);
  }
}

/** The indices of a dim that are shown: all, or the first and last EDGE_ITEMS around a gap (null). */
function shownIndices(n: number, summarize: boolean): (number | null)[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!summarize || n <= 2 * EDGE_ITEMS) return all;
  return [...all.slice(0, EDGE_ITEMS), null, ...all.slice(n - EDGE_ITEMS)];
}

interface View { data: ArrayLike<number>; shape: readonly number[]; strides: number[]; summarize: boolean }

function shownValues(v: View, dim: number, offset: number, out: number[]): void {
  if (dim === v.shape.length) { out.push(v.data[offset]); return; }
  for (const i of shownIndices(v.shape[dim], v.summarize)) if (i !== null) shownValues(v, dim + 1, offset + i * v.strides[dim], out);
}

function body(v: View, f: Formatter, dim: number, offset: number, indent: number): string {
  const rank = v.shape.length - dim;
  if (rank === 0) return f.format(v.data[offset]);
  const idx = shownIndices(v.shape[dim], v.summarize);
  if (rank === 1) {
    const items = idx.map((i) => (i === null ? ' ...' : f.format(v.data[offset + i * v.strides[dim]])));
    const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (f.width + 2)));
    const lines: string[] = [];
    for (let k = 0; k < items.length; k += perLine) lines.push(items.slice(k, k + perLine).join(', '));
    return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
  }
  const parts = idx.map((i) => (i === null ? '...' : body(v, f, dim + 1, offset + i * v.strides[dim], indent + 1)));
  return '[' + parts.join(',' + '\n'.repeat(rank - 1) + ' '.repeat(indent + 1)) + ']';
}

/** Suffixes after the values, on a new line when the last line would pass 80 columns. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  let out = text;
  let lastLine = text.length - text.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > LINE_WIDTH) {
      out += ',\n' + ' '.repeat(indent) + s;
      lastLine = indent + s.length;
    } else {
      out += ', ' + s;
      lastLine += s.length + 2;
    }
  }
  return out + ')';
}

/** `tensor([[1.0000, 2.5000], ...], requires_grad=True)`, as PyTorch prints it. */
export function formatTensor(t: Tensor): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  let values: string;
  if (t.size === 0) {
    values = '[]';
    if (t.rank !== 1) suffixes.push(`size=(${t.shape.join(', ')})`);
  } else {
    const view: View = { data: t.data, shape: t.shape, strides: stridesOf(t.shape), summarize: t.size > THRESHOLD };
    const shown: number[] = [];
    shownValues(view, 0, 0, shown);
    values = body(view, new Formatter(shown), 0, 0, indent);
  }
  if (t.dtype !== 'float32') suffixes.push(`dtype=${t.dtype}`);
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn.op[0].toUpperCase()}${t.gradFn.op.slice(1)}Backward>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + values, suffixes, indent);
}

/** A one-line description without values, for error messages: `Tensor(shape=[2, 3], dtype=float32)`. */
export function describeTensor(t: Tensor): string {
  return `Tensor(shape=[${t.shape.join(', ')}], dtype=${t.dtype}${t.requiresGrad ? ', requiresGrad' : ''})`;
}
