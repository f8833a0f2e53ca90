// Collects the ONNX nodes and initializers of an export: node names like PyTorch's ('/0/Conv'),
// initializers named by the module's state dict, one name per tensor.
import type { Tensor } from '@convgrad/core';
import { AttrType, type IAttributeProto, type INodeProto, type ITensorProto } from '../proto.ts';
import { encodeInts, encodeTensor } from '../tensor-proto.ts';

export type AttrValue = number | readonly number[] | string | { float: number };

function attribute(name: string, v: AttrValue): IAttributeProto {
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: AttrType.INT, i: v };
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: [...v] };
  return { name, type: AttrType.FLOAT, f: (v as { float: number }).float };
}

export class GraphBuilder {
  readonly nodes: INodeProto[] = [];
  readonly initializers: ITensorProto[] = [];
  /** Integer initializers by name (shapes, pads, axes), compared between the two traces. */
  readonly ints = new Map<string, number[]>();
  private readonly names = new Map<Tensor, string>();
  private readonly used = new Set<string>();

  constructor(private readonly stateNames: ReadonlyMap<Tensor, string>) {}

  private unique(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Names a tensor that is produced elsewhere (the graph input, a node output). */
  bind(t: Tensor, name: string): void {
    this.names.set(t, name);
    this.used.add(name);
  }

  /** The name of t: a bound name, or a new initializer (a parameter or buffer by its state-dict name). */
  tensor(t: Tensor): string {
    const known = this.names.get(t);
    if (known !== undefined) return known;
    const name = this.unique(this.stateNames.get(t) ?? 'const');
    this.names.set(t, name);
    this.initializers.push(encodeTensor(name, t));
    return name;
  }

  /** A new float initializer that is not a tensor of the traced graph (e.g. BatchNorm's ones when affine is off). */
  floatConst(base: string, t: Tensor): string {
    const name = this.unique(base);
    this.initializers.push(encodeTensor(name, t));
    return name;
  }

  /** A new INT64 initializer. */
  intConst(base: string, values: readonly number[]): string {
    const name = this.unique(base);
    this.initializers.push(encodeInts(name, values));
    this.ints.set(name, [...values]);
    return name;
  }

  /** Adds a node in module `path` and returns its output's name. */
  node(opType: string, path: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}): string {
    const scope = path === '' ? '' : `/${path.split('.').join('/')}`;
    const name = this.unique(`${scope}/${opType}`);
    const output = this.unique(`${name}_output_0`);
    this.nodes.push({ name, opType, input: [...inputs], output: [output], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return output;
  }
}
