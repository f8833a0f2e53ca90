// The module importOnnx returns: runs the imported graph's nodes in order with convgrad ops. Its
// parameters (initializers) live in child modules named as PyTorch named them, so it trains like any module.
import { ConvgradError, Tensor, type DType } from '@convgrad/core';
import { Module } from '@convgrad/layers';
import { isInt, type Value } from '../tensor-proto.ts';
import type { Run } from './context.ts';

export interface Step {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly run: Run;
}

/** The declared graph input or output: its name, dtype and dims (null where the file leaves a dim free). */
export interface ValueSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly (number | null)[] | null;
}

export const fmtDims = (dims: readonly (number | null)[] | null): string => (dims ? `[${dims.map((d) => d ?? '?').join(', ')}]` : 'any shape');

export function matchesSpec(t: Tensor, spec: ValueSpec): boolean {
  return t.dtype === spec.dtype && (!spec.dims || (spec.dims.length === t.rank && spec.dims.every((d, i) => d === null || d === t.shape[i])));
}

export class OnnxModel extends Module {
  /** @internal the graph, set once by importOnnx */
  constructor(
    readonly input: ValueSpec,
    readonly output: ValueSpec,
    private readonly steps: readonly Step[],
    /** Values known before running: initializers (as functions of the live parameters) and Constants. */
    private readonly sources: ReadonlyMap<string, () => Value>,
  ) {
    super();
  }

  /** The ONNX op types of the nodes, in order. */
  get opTypes(): string[] {
    return this.steps.map((s) => s.opType);
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor) || !matchesSpec(x, this.input)) {
      throw new ConvgradError('OnnxModel', `input '${this.input.name}' must be ${this.input.dtype} ${fmtDims(this.input.dims)}, got ${x instanceof Tensor ? `${x.dtype} [${x.shape.join(', ')}]` : typeof x}`);
    }
    const env = new Map<string, Value>([[this.input.name, x]]);
    const value = (name: string): Value | undefined => {
      if (name === '') return undefined;
      let v = env.get(name);
      if (v === undefined) {
        v = this.sources.get(name)!();
        env.set(name, v);
      }
      return v;
    };
    for (const step of this.steps) {
      try {
        env.set(step.output, step.run(step.inputs.map(value)));
      } catch (err) {
        if (err instanceof ConvgradError && err.message.startsWith('importOnnx: node ')) throw err;
        const what = err instanceof Error ? err.message : String(err);
        throw new ConvgradError('importOnnx', `node '${step.name}' (${step.opType}): ${what}`);
      }
    }
    const y = value(this.output.name);
    if (y === undefined || isInt(y)) throw new ConvgradError('importOnnx', `output '${this.output.name}' is not a float tensor`);
    return y;
  }

  protected override extraRepr(): string {
    return `${this.input.name} ${fmtDims(this.input.dims)} → ${this.output.name} ${fmtDims(this.output.dims)}, ${this.steps.length} nodes`;
  }
}
