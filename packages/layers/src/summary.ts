// summary(model, inputShape): a table of every module call of one forward pass (torchinfo-like):
// output shape, parameter count and multiply-adds, with totals. The pass runs on zeros, in eval
// mode and without a graph; modes are restored and the hooks removed afterwards.
//
// Multiply-adds count the weight products only, for the whole input batch:
//   Conv2d: N·Cout·Hout·Wout · Cin·KH·KW     Linear: (elements of the output) · in
// (torchinfo also adds one per bias element and per BatchNorm affine weight; those are left out).
import { ConvgradError, noGrad, Tensor, zeros, type DType, type RemovableHandle } from '@convgrad/core';
import { Conv2d } from './layers/conv2d.ts';
import { Linear } from './layers/linear.ts';
import type { Module } from './module.ts';

type AnyModule = Module<any, any>;

export interface SummaryRow {
  /** Dotted path in the model (`features.3`). */
  name: string;
  /** The module's class name. */
  type: string;
  /** 1 for the model's direct children, 2 below them, … */
  depth: number;
  /** Output shape(s), or null when the module returned something other than tensors. */
  outputShape: number[] | number[][] | null;
  /** Parameters registered on this module itself (not its children). */
  params: number;
  multAdds: number;
}

export interface ModelSummary {
  model: string;
  inputShapes: number[][];
  rows: SummaryRow[];
  /** Every parameter of the model, each shared tensor once. */
  totalParams: number;
  trainableParams: number;
  /** Sum of the rows' multiply-adds. */
  totalMultAdds: number;
}

export interface SummaryOptions {
  /** Input dtype (default: the dtype of the model's first parameter, else float32). */
  dtype?: DType;
  /** Also print the table: true for console.log, or a function that receives it. */
  log?: boolean | ((text: string) => void);
}

const KNOWN_OPTIONS = new Set(['dtype', 'log']);

function multAdds(m: AnyModule, out: unknown): number {
  if (!(out instanceof Tensor)) return 0;
  if (m instanceof Conv2d) return out.size * m.inChannels * m.kernelSize[0] * m.kernelSize[1];
  if (m instanceof Linear) return out.size * m.inFeatures;
  return 0;
}

function shapeOf(out: unknown): number[] | number[][] | null {
  if (out instanceof Tensor) return [...out.shape];
  if (Array.isArray(out) && out.length > 0 && out.every((o) => o instanceof Tensor)) return out.map((o: Tensor) => [...o.shape]);
  return null;
}

function ownParams(m: AnyModule): number {
  return m.namedParameters().filter(([n]) => !n.includes('.')).reduce((s, [, p]) => s + p.size, 0);
}

function checkShapes(inputShape: unknown): number[][] {
  const shapes = Array.isArray(inputShape) && inputShape.length > 0 && inputShape.every(Array.isArray) ? inputShape : [inputShape];
  for (const s of shapes) {
    if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ConvgradError('summary', `inputShape must be an array of positive integers (batch first, e.g. [1, 1, 28, 28]) or a list of them, got ${JSON.stringify(inputShape)}`);
    }
  }
  return shapes as number[][];
}

/** The summary as data: one row per module call, in call order, and the totals. */
export function summarize(model: AnyModule, inputShape: number[] | number[][], options: SummaryOptions = {}): ModelSummary {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new ConvgradError('summary', `unknown option '${key}' (known: ${[...KNOWN_OPTIONS].join(', ')})`);
  }
  const shapes = checkShapes(inputShape);
  const params = model.parameters();
  const dtype = options.dtype ?? params[0]?.dtype ?? 'float32';
  const named = model.namedModules();
  const rows: SummaryRow[] = [];
  const open: SummaryRow[] = [];
  const handles: RemovableHandle[] = [];
  const modes = named.map(([, m]) => m.training);
  for (const [name, m] of named) {
    if (m === model) continue;
    handles.push(m.registerForwardPreHook(() => {
      const row: SummaryRow = { name, type: m.constructor.name, depth: open.length + 1, outputShape: null, params: ownParams(m), multAdds: 0 };
      rows.push(row);
      open.push(row);
    }));
    handles.push(m.registerForwardHook((_m: AnyModule, _in: unknown, out: unknown) => {
      const row = open.pop()!;
      row.outputShape = shapeOf(out);
      row.multAdds = multAdds(m, out);
    }));
  }
  try {
    model.eval();
    noGrad(() => model.call(...shapes.map((s) => zeros(s, { dtype }))));
  } finally {
    handles.forEach((h) => h.remove());
    named.forEach(([, m], i) => { m.training = modes[i]; });
  }
  return {
    model: model.constructor.name,
    inputShapes: shapes,
    rows,
    totalParams: params.reduce((s, p) => s + p.size, 0),
    trainableParams: params.filter((p) => p.requiresGrad).reduce((s, p) => s + p.size, 0),
    totalMultAdds: rows.reduce((s, r) => s + r.multAdds, 0),
  };
}

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;
const int = (n: number) => n.toLocaleString('en-US');

function scaled(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)} k`;
  return String(n);
}

/** The summary as a table (what `summary` returns). */
export function formatSummary(s: ModelSummary): string {
  const cells = s.rows.map((r) => [
    `${'  '.repeat(r.depth - 1)}${r.name} (${r.type})`,
    r.outputShape === null ? '-' : Array.isArray(r.outputShape[0]) ? (r.outputShape as number[][]).map(fmtShape).join(', ') : fmtShape(r.outputShape as number[]),
    r.params > 0 ? int(r.params) : '-',
    r.multAdds > 0 ? int(r.multAdds) : '-',
  ]);
  const head = ['Layer (type)', 'Output shape', 'Params', 'Mult-adds'];
  const widths = head.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j].length)));
  const line = (c: string[]) => c.map((v, j) => (j < 2 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join('   ').trimEnd();
  const rule = '='.repeat(widths.reduce((a, w) => a + w, 0) + 3 * (widths.length - 1));
  return [
    `${s.model}: input ${s.inputShapes.map(fmtShape).join(', ')}`,
    rule, line(head), rule,
    ...cells.map(line),
    rule,
    `Total params: ${int(s.totalParams)}`,
    `Trainable params: ${int(s.trainableParams)}`,
    `Non-trainable params: ${int(s.totalParams - s.trainableParams)}`,
    `Total mult-adds: ${int(s.totalMultAdds)} (${scaled(s.totalMultAdds)})`,
    rule,
  ].join('\n');
}

/**
 * One forward pass on zeros of `inputShape` (batch first, as torchinfo's input_size; a list of
 * shapes for several inputs) and a table of each module's output shape, own parameter count and
 * multiply-adds, with totals. Returns the table; `{ log: true }` also prints it.
 */
export function summary(model: AnyModule, inputShape: number[] | number[][], options: SummaryOptions = {}): string {
  const text = formatSummary(summarize(model, inputShape, options));
  if (options.log === true) console.log(text);
  else if (typeof options.log === 'function') options.log(text);
  return text;
}
