// Traces one eval-mode forward of a module: the recorded graph, which module made each tensor (for
// messages and node names), and the layers that export as one ONNX node (BatchNorm, Linear, Flatten).
import { enableGrad, Tensor } from '@convgrad/core';
import { BatchNorm1d, BatchNorm2d, Flatten, Linear, type Module } from '@convgrad/layers';

/** A layer exported as one ONNX node instead of the ops of its forward. */
export interface Composite {
  readonly kind: 'BatchNormalization' | 'Gemm' | 'Flatten';
  readonly module: Module<any, any>;
  readonly path: string;
  /** The layer's input (its only graph dependency). */
  readonly input: Tensor;
}

export interface Trace {
  readonly input: Tensor;
  readonly output: Tensor;
  readonly composites: ReadonlyMap<Tensor, Composite>;
  /** The dotted path of the innermost module whose call created tensor t ('' for the root). */
  pathOf(t: Tensor): string;
}

interface Call { start: number; end: number; path: string }

/** The next tensor id (ids grow by one per tensor created), to bracket a module call. */
const probe = (): number => new Tensor(new Float32Array(0), [0]).id;

function compositeOf(m: Module<any, any>, path: string, x: unknown, y: unknown): Composite | null {
  if (!(x instanceof Tensor) || !(y instanceof Tensor) || y === x) return null;
  if ((m instanceof BatchNorm1d || m instanceof BatchNorm2d) && m.trackRunningStats) return { kind: 'BatchNormalization', module: m, path, input: x };
  if (m instanceof Linear && x.rank === 2) return { kind: 'Gemm', module: m, path, input: x };
  if (m instanceof Flatten && x.rank >= 2) {
    const s = m.startDim < 0 ? m.startDim + x.rank : m.startDim;
    const e = m.endDim < 0 ? m.endDim + x.rank : m.endDim;
    if (s >= 1 && e === x.rank - 1) return { kind: 'Flatten', module: m, path, input: x };
  }
  return null;
}

/** Runs `module` in eval mode on a copy of `example` that requires grad (so every op records its node). */
export function trace(module: Module<any, any>, example: Tensor): Trace {
  const modes = module.modules().map((m) => [m, m.training] as const);
  const calls: Call[] = [];
  const composites = new Map<Tensor, Composite>();
  const patched = module.namedModules();
  module.eval();
  for (const [path, m] of patched) {
    const original = m.call;
    (m as { call: unknown }).call = (...args: unknown[]) => {
      const start = probe();
      const y = original.apply(m, args);
      calls.push({ start, end: probe(), path });
      const c = compositeOf(m, path, args[0], y);
      if (c) composites.set(y as Tensor, c);
      return y;
    };
  }
  const input = new Tensor(example.data.slice(), example.shape, true);
  let output: unknown;
  try {
    output = enableGrad(() => module.call(input));
  } finally {
    for (const [, m] of patched) delete (m as { call?: unknown }).call;
    for (const [m, training] of modes) m.training = training;
  }
  return {
    input,
    output: output as Tensor,
    composites,
    pathOf(t: Tensor): string {
      let best: Call | null = null;
      for (const c of calls) if (c.start < t.id && t.id < c.end && (!best || c.end - c.start < best.end - best.start)) best = c;
      return best?.path ?? '';
    },
  };
}
