// A node's attributes, read by name with their declared type checked; any attribute the op did not
// read is refused (an option convgrad does not implement must never be ignored).
import { AttrType, toInt, type IAttributeProto, type INodeProto, type ITensorProto } from '../proto.ts';

const TYPE_NAMES: Record<number, string> = { 1: 'FLOAT', 2: 'INT', 3: 'STRING', 4: 'TENSOR', 5: 'GRAPH', 6: 'FLOATS', 7: 'INTS', 8: 'STRINGS', 9: 'TENSORS', 10: 'GRAPHS', 11: 'SPARSE_TENSOR', 12: 'SPARSE_TENSORS', 13: 'TYPE_PROTO', 14: 'TYPE_PROTOS' };

export class Attributes {
  private readonly byName = new Map<string, IAttributeProto>();
  private readonly read = new Set<string>();

  constructor(node: INodeProto, private readonly fail: (msg: string) => never) {
    for (const a of node.attribute ?? []) {
      const name = a.name ?? '';
      if (name === '') fail('has an attribute without a name');
      if (this.byName.has(name)) fail(`has attribute '${name}' twice`);
      if (a.refAttrName) fail(`attribute '${name}' refers to a function attribute, which is not supported`);
      this.byName.set(name, a);
    }
  }

  private get(name: string, type: number): IAttributeProto | undefined {
    this.read.add(name);
    const a = this.byName.get(name);
    if (a && a.type !== type) this.fail(`attribute '${name}' must be ${TYPE_NAMES[type]}, got ${TYPE_NAMES[a.type ?? 0] ?? `type ${a.type}`}`);
    return a;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  int(name: string, fallback: number): number {
    const a = this.get(name, AttrType.INT);
    return a ? toInt(a.i, this.fail) : fallback;
  }

  ints(name: string, fallback: readonly number[] | null): number[] | null {
    const a = this.get(name, AttrType.INTS);
    return a ? (a.ints ?? []).map((v) => toInt(v, this.fail)) : fallback && [...fallback];
  }

  /** A FLOAT attribute as the shortest decimal that is the same float32 (0.8999999762 → 0.9), as its writer meant it. */
  float(name: string, fallback: number): number {
    const a = this.get(name, AttrType.FLOAT);
    return a ? shortestFloat32(a.f ?? 0) : fallback;
  }

  floats(name: string): number[] | null {
    const a = this.get(name, AttrType.FLOATS);
    return a ? [...(a.floats ?? [])] : null;
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, AttrType.STRING);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : fallback;
  }

  tensor(name: string): ITensorProto | null {
    return this.get(name, AttrType.TENSOR)?.t ?? null;
  }

  /** Refuses every attribute that was not read. */
  finish(): void {
    const unknown = [...this.byName.keys()].filter((k) => !this.read.has(k));
    if (unknown.length > 0) this.fail(`attribute${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} not supported`);
  }
}

export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x)) return x;
  for (let p = 1; p < 10; p++) {
    const d = Number(x.toPrecision(p));
    if (Math.fround(d) === x) return d;
  }
  return x;
}
