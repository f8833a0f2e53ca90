// Anomaly detection, like torch.autograd.detect_anomaly / set_detect_anomaly: while it is on, every
// op's output and every backward rule's gradients are scanned, and the first NaN or ±Infinity throws
// an AnomalyError naming the op, its input shapes and the line of the caller's code that ran the op
// (a stack is captured when the op is recorded, only in this mode). Off, it costs one flag check per op.
import { ConvgradError, fmtShape } from './errors.ts';
import type { Tensor, TypedArray } from './tensor.ts';

let enabled = false;

/** True while anomaly detection is on. */
export function isAnomalyEnabled(): boolean {
  return enabled;
}

/** Turns anomaly detection on or off for everything that follows (a global switch). */
export function setDetectAnomaly(flag: boolean): void {
  enabled = flag === true;
}

/**
 * Runs `fn` (forward, loss and backward) with anomaly detection on, then restores the previous
 * setting. A promise returned by `fn` keeps the mode on until it settles.
 */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    enabled = prev;
    throw e;
  }
  if (result instanceof Promise) return result.finally(() => { enabled = prev; }) as T;
  enabled = prev;
  return result;
}

/** The error anomaly detection throws; `op` is the op whose forward output or backward gradient is not finite. */
export class AnomalyError extends ConvgradError {
  constructor(
    op: string,
    /** Which pass produced the value. */
    readonly phase: 'forward' | 'backward',
    /** Shapes of the op's inputs. */
    readonly inputShapes: readonly (readonly number[])[],
    /** `file:line:column` of the first frame outside convgrad that called the op (null if not recorded). */
    readonly callSite: string | null,
    /** All frames of that stack outside convgrad's sources, innermost first. */
    readonly userFrames: readonly string[],
    /** Where in the model the op ran (backward anomalies: e.g. `module 8 (BatchNorm1d)`), or null. */
    readonly context: string | null,
    message: string,
  ) {
    super(op, message);
    this.name = 'AnomalyError';
  }
}

// ---- where an op was called --------------------------------------------------------------------

/** A file URL or path as a comparable path: no `file://`, decoded, forward slashes, no '/' before a drive letter. */
function normPath(s: string): string {
  let p = s.replace(/^file:\/\//, '');
  try {
    p = decodeURI(p);
  } catch {
    // not URI-encoded
  }
  return p.replace(/\\/g, '/').replace(/^\/([A-Za-z]:\/)/, '$1');
}
const dirOf = (url: string) => normPath(url).replace(/[^/]*$/, '');
/** Directories whose files are convgrad's own sources (core here; other packages add theirs). */
const internalDirs = new Set<string>([dirOf(import.meta.url)]);

/**
 * Declares the folder of `moduleUrl` (pass `import.meta.url` of a package's index) as convgrad's
 * own sources, so anomaly reports skip its frames when naming the caller's line.
 */
export function registerInternalSources(moduleUrl: string): void {
  internalDirs.add(dirOf(moduleUrl));
}

/** Call stacks of recorded tensors, captured at record time in anomaly mode (formatted only if reported). */
const origins = new WeakMap<Tensor, Error>();

/** Describes where in a model an op runs (layers: the module path); called at record time, formatted only if reported. */
export type AnomalyContextProvider = () => (() => string) | undefined;
let contextProvider: AnomalyContextProvider | null = null;
const contexts = new WeakMap<Tensor, () => string>();

/** Lets a package name where ops run (layers registers the path of the module being called). */
export function setAnomalyContextProvider(provider: AnomalyContextProvider | null): void {
  contextProvider = provider;
}

function captureStack(): Error {
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  E.stackTraceLimit = 100; // module nesting can put the caller's frame deep below the op
  try {
    return new Error('recorded here');
  } finally {
    E.stackTraceLimit = limit;
  }
}

/** A runtime's own frame: a scheme without `//` (e.g. the engine's internal modules), unlike http:// or a path. */
const RUNTIME_FRAME = /^[a-z][\w+.-]+:(?!\/\/)/i;

/** `file:line:col` of every frame outside convgrad and the runtime, innermost first. */
function userFramesOf(stack: Error): string[] {
  const out: string[] = [];
  for (const line of (stack.stack ?? '').split('\n')) {
    const m = /^\s*at (?:.*\((.*)\)|(.*))$/.exec(line);
    const loc = normPath(m?.[1] ?? m?.[2] ?? '');
    if (!loc || RUNTIME_FRAME.test(loc) || loc === 'native' || loc.startsWith('<anonymous>')) continue;
    if ([...internalDirs].some((d) => loc.startsWith(d))) continue;
    out.push(loc);
  }
  return out;
}

// ---- scanning values ---------------------------------------------------------------------------

function valuesOf(t: Tensor): TypedArray {
  // A lattice tensor (conv2d backward) holds its base's values and zeros: scan the base, do not build it.
  return t.lattice ? t.lattice.base : t.data;
}

/** Index of the first NaN or ±Infinity in `t` (of its lattice base), or -1. */
function firstNonFinite(t: Tensor): number {
  const d = valuesOf(t);
  for (let i = 0; i < d.length; i++) if (d[i] - d[i] !== 0) return i; // v − v is NaN exactly for NaN and ±∞
  return -1;
}

function describeBad(t: Tensor, i: number): string {
  const v = valuesOf(t)[i];
  return `${Number.isNaN(v) ? 'NaN' : v > 0 ? 'inf' : '-inf'} at index ${i} (shape ${fmtShape(t.shape)})`;
}

function inputNotes(inputs: readonly Tensor[]): string {
  const notes: string[] = [];
  inputs.forEach((x, k) => {
    const i = firstNonFinite(x);
    if (i >= 0) notes.push(`input ${k} already holds ${describeBad(x, i)}: it came from the data or from an op run without anomaly detection`);
  });
  return notes.length ? `; ${notes.join('; ')}` : '';
}

function anomaly(op: string, phase: 'forward' | 'backward', inputs: readonly Tensor[], stack: Error | undefined, what: string, node?: Tensor): AnomalyError {
  const frames = stack ? userFramesOf(stack) : [];
  const site = frames[0] ?? null;
  const context = node ? contexts.get(node)?.() ?? null : null;
  const where = site ? `${op} was called at ${site}${context ? ` in ${context}` : ''}`
    : stack ? `${op} was called from convgrad's own code only`
    : `${op} was recorded without anomaly detection, so its call site is unknown (run the forward pass inside detectAnomaly)`;
  const shapes = inputs.map((x) => x.shape);
  const message = `anomaly detected in the ${phase} pass: ${what}; input shapes ${shapes.map(fmtShape).join(', ') || 'none'}; ${where}`;
  return new AnomalyError(op, phase, shapes, site, frames, context, message);
}

// ---- engine hooks (called by autograd.ts only while anomaly detection is on) -------------------

/** The node whose backward rule is running (ops inside a rule are reported as that node's backward). */
let ruleOf: Tensor | null = null;

/** The tensor whose gradient contributions (from several paths) are being summed, or null. */
let summingFor: Tensor | null = null;

/**
 * Sums the gradient contributions that reach `t` along several paths (`sum` runs the add), so that a sum
 * that overflows is reported as the backward pass of the op that made `t`, not as a forward `add`.
 */
export function checkedGradientSum(t: Tensor, sum: () => Tensor): Tensor {
  const prev = summingFor;
  summingFor = t;
  try {
    return sum();
  } finally {
    summingFor = prev;
  }
}

/** Checks an op's output (every op ends in `record`); remembers the call stack of a recorded output. */
export function checkRecord(out: Tensor, op: string, inputs: readonly Tensor[]): void {
  const bad = firstNonFinite(out);
  if (bad >= 0) {
    if (summingFor) {
      const t = summingFor;
      const what = `the sum of the gradients reaching ${t.gradFn ? 'its output' : `a leaf of shape ${fmtShape(t.shape)}`} along several paths holds ${describeBad(out, bad)}`;
      throw anomaly(t.gradFn ? t.gradFn.op : 'leaf', 'backward', t.gradFn?.inputs ?? [], origins.get(t), what, t);
    }
    if (ruleOf) {
      const node = ruleOf.gradFn!;
      throw anomaly(node.op, 'backward', node.inputs, origins.get(ruleOf), `its backward rule's '${op}' produced ${describeBad(out, bad)}`, ruleOf);
    }
    throw anomaly(op, 'forward', inputs, captureStack(), `the output holds ${describeBad(out, bad)}${inputNotes(inputs)}`);
  }
  if (out.gradFn) {
    origins.set(out, captureStack());
    const context = contextProvider?.();
    if (context) contexts.set(out, context);
  }
}

/** Runs `t`'s backward rule on its gradient `g`, checking both (instead of `t.gradFn.backward(g)`). */
export function checkedBackward(t: Tensor, g: Tensor): readonly (Tensor | null)[] {
  const node = t.gradFn!;
  const badIn = firstNonFinite(g);
  if (badIn >= 0) throw anomaly(node.op, 'backward', node.inputs, origins.get(t), `the gradient of its output already holds ${describeBad(g, badIn)} (a gradOutput or a sum of gradients that overflowed)`, t);
  const prev = ruleOf;
  ruleOf = t;
  let grads: readonly (Tensor | null)[];
  try {
    grads = node.backward(g);
  } finally {
    ruleOf = prev;
  }
  grads.forEach((gi, i) => {
    const bad = gi ? firstNonFinite(gi) : -1;
    if (bad >= 0) throw anomaly(node.op, 'backward', node.inputs, origins.get(t), `the gradient for input ${i} holds ${describeBad(gi!, bad)}`, t);
  });
  return grads;
}
