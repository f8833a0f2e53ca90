// Fuzz: 1,000 mutated ONNX files (truncated or corrupted bytes, unknown or swapped ops, wrong opsets, missing
// or reshaped initializers, changed attributes, rewired or reordered nodes, changed types). Each one is either
// refused with a ConvgradError from importOnnx (no other exception, no hang), or imported into a model whose
// outputs are onnxruntime-node's on the same bytes: a model convgrad accepts is never silently different.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConvgradError, noGrad, randn, Rng, Tensor } from '@convgrad/core';
import { BatchNorm1d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, AvgPool2d, Sigmoid } from '@convgrad/layers';
import { exportOnnx, importOnnx } from '../src/index.ts';
import { onnx } from '../src/proto.ts';
import { edit, ortRun, relError } from './helpers.ts';

const OPS = ['Relu', 'Sigmoid', 'Tanh', 'Exp', 'MaxPool', 'AveragePool', 'Add', 'Mul', 'Sub', 'Div', 'Conv', 'Gemm', 'MatMul', 'Flatten', 'Softmax', 'Identity', 'Foo', 'Swish', 'Shape', 'Concat'];

function convgradBase(): Uint8Array {
  const bn = new BatchNorm1d(4);
  bn.runningMean!.data.set([0.1, -0.2, 0.3, 0]);
  bn.runningVar!.data.set([1.5, 0.7, 1, 2]);
  const m = new Sequential(
    new Conv2d(1, 3, 3, { seed: 1, padding: 1, stride: 2 }), new ReLU(), new MaxPool2d(2, { padding: 1 }), new AvgPool2d(2, { stride: 1 }),
    new Flatten(), new Linear(12, 4, { seed: 2, bias: false }), bn, new Sigmoid(), new Linear(4, 3, { seed: 3 }),
  );
  return exportOnnx(m, randn([2, 1, 7, 7], { seed: 4 }));
}

const BASES: [string, Uint8Array][] = [
  ['convgrad', convgradBase()],
  ['pytorch', new Uint8Array(readFileSync(new URL('./fixtures/torch-net-op13.onnx', import.meta.url)))],
];

type Mutation = (bytes: Uint8Array, r: Rng) => Uint8Array;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r.next() * xs.length)];
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r.next() * (hi - lo + 1));
const nodes = (m: any) => m.graph.node as any[];

const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, r) => b.slice(0, int(r, 0, b.length - 1)),
  corrupt: (b, r) => {
    const c = b.slice();
    for (let k = int(r, 1, 8); k > 0; k--) c[int(r, 0, c.length - 1)] = int(r, 0, 255);
    return c;
  },
  insert: (b, r) => {
    const at = int(r, 0, b.length);
    return Uint8Array.from([...b.subarray(0, at), ...Array.from({ length: int(r, 1, 6) }, () => int(r, 0, 255)), ...b.subarray(at)]);
  },
  cut: (b, r) => {
    const at = int(r, 0, b.length - 1);
    return Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + int(r, 1, 16)))]);
  },
  opType: (b, r) => edit(b, (m) => (pick(r, nodes(m)).opType = pick(r, OPS))),
  opset: (b, r) => edit(b, (m) => (m.opsetImport[0].version = int(r, 1, 25))),
  dropInitializer: (b, r) => edit(b, (m) => m.graph.initializer.splice(int(r, 0, m.graph.initializer.length - 1), 1)),
  initializerDims: (b, r) => edit(b, (m) => {
    const t = pick(r, m.graph.initializer as any[]);
    const d = [...(t.dims ?? [])];
    if (r.next() < 0.5 && d.length > 1) d.reverse();
    else if (d.length > 0) d[int(r, 0, d.length - 1)] += pick(r, [-1, 1, 2]);
    else d.push(2);
    t.dims = d;
  }),
  attribute: (b, r) => edit(b, (m) => {
    const withAttrs = nodes(m).filter((n) => (n.attribute ?? []).length > 0);
    if (withAttrs.length === 0) return;
    const a = pick(r, pick(r, withAttrs).attribute as any[]);
    const v = () => pick(r, [-1, 0, 1, 2, 3, 5, 1 << 20]);
    if (a.ints) a.ints = a.ints.map(() => v());
    else if (a.i !== undefined) a.i = v();
    else if (a.f !== undefined) a.f = pick(r, [0, -1, 0.5, 2, 1e30]);
  }),
  rewire: (b, r) => edit(b, (m) => {
    const n = pick(r, nodes(m));
    if ((n.input ?? []).length === 0) return;
    const names = [...nodes(m).flatMap((x) => x.output), ...m.graph.initializer.map((t: any) => t.name), m.graph.input[0].name, 'nowhere'];
    n.input[int(r, 0, n.input.length - 1)] = pick(r, names);
  }),
  swapNodes: (b, r) => edit(b, (m) => {
    const ns = nodes(m), i = int(r, 0, ns.length - 1), j = int(r, 0, ns.length - 1);
    [ns[i], ns[j]] = [ns[j], ns[i]];
  }),
  dropNode: (b, r) => edit(b, (m) => nodes(m).splice(int(r, 0, nodes(m).length - 1), 1)),
  inputDims: (b, r) => edit(b, (m) => {
    const dims = m.graph.input[0].type.tensorType.shape.dim as any[];
    dims[int(r, 1, dims.length - 1)] = { dimValue: int(r, 0, 12) };
  }),
  dataType: (b, r) => edit(b, (m) => {
    const t = r.next() < 0.5 ? pick(r, m.graph.initializer as any[]) : null;
    if (t) t.dataType = pick(r, [2, 3, 6, 7, 10, 11, 16]);
    else m.graph.input[0].type.tensorType.elemType = pick(r, [2, 6, 10, 11]);
  }),
  duplicateNode: (b, r) => edit(b, (m) => {
    const ns = nodes(m);
    ns.splice(int(r, 0, ns.length), 0, { ...pick(r, ns) });
  }),
};

/** A float input the model declares (free dims: 2). */
function inputFor(dims: readonly (number | null)[] | null, seed: number): Tensor | null {
  if (!dims) return null;
  const shape = dims.map((d) => d ?? 2);
  if (shape.reduce((p, d) => p * d, 1) > 1 << 16) return null;
  return randn(shape, { seed });
}

describe('fuzzed ONNX files', () => {
  it('1,000 mutations: a ConvgradError, or the same outputs as onnxruntime-node', async () => {
    const rng = new Rng(20261128);
    const names = Object.keys(MUTATIONS);
    const tally: Record<string, { refused: number; agreed: number; bothRefused: number }> = {};
    let n = 0;
    const skipped: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) {
      const [baseName, base] = BASES[i % BASES.length];
      const kind = names[i % names.length];
      let bytes: Uint8Array;
      try {
        bytes = MUTATIONS[kind](base, rng);
      } catch (err) {
        skipped[kind] = (skipped[kind] ?? 0) + 1;
        continue; // a structural edit that protobufjs itself cannot encode: nothing to test
      }
      n++;
      const t = (tally[kind] ??= { refused: 0, agreed: 0, bothRefused: 0 });
      const what = `case ${i} (${kind} of ${baseName})`;
      let model;
      try {
        model = importOnnx(bytes);
      } catch (err) {
        expect(err, what).toBeInstanceOf(ConvgradError);
        expect((err as Error).message, what).toMatch(/^importOnnx: \S/);
        t.refused++;
        continue;
      }
      // Accepted: onnxruntime must run the same bytes, and to the same outputs.
      const x = inputFor(model.input.dims, i);
      expect(x, `${what}: accepted a model with free input dims`).not.toBeNull();
      let ours: Tensor | null = null;
      try {
        ours = noGrad(() => model.call(x!));
      } catch (err) {
        expect(err, what).toBeInstanceOf(ConvgradError);
      }
      let theirs: Tensor | null = null;
      try {
        theirs = await ortRun(bytes, x!, model.input.name);
      } catch (err) {
        if (ours === null) { t.bothRefused++; continue; }
        throw new Error(`${what}: convgrad imported and ran a model that onnxruntime-node rejects: ${(err as Error).message}`);
      }
      expect(ours, `${what}: onnxruntime runs it, convgrad refused at run time`).not.toBeNull();
      expect([...ours!.shape], what).toEqual([...theirs.shape]);
      expect(relError(ours!, theirs), what).toBeLessThanOrEqual(1e-5);
      t.agreed++;
    }
    expect(n).toBe(1000);
    const total = Object.values(tally).reduce((s, v) => ({ refused: s.refused + v.refused, agreed: s.agreed + v.agreed }), { refused: 0, agreed: 0 });
    // both outcomes happen: the fuzz reaches the graph (not only the protobuf decoder)
    expect(total.agreed).toBeGreaterThan(50);
    expect(total.refused).toBeGreaterThan(300);
    expect(skipped).toEqual({});
    console.log(`fuzz: ${n} files, ${JSON.stringify(tally)}; skipped ${JSON.stringify(skipped)}`);
  }, 120_000);
});
