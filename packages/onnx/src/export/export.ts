// exportOnnx: trace one eval-mode forward, walk the recorded graph, write ONNX (opset 17 by default).
// The batch dimension is made dynamic by tracing a second batch size: a shape that changes with it
// (a Reshape's target) is written with −1, anything else that depends on the batch is an error.
import { ConvgradError, Tensor, type DType } from '@convgrad/core';
import { Module } from '@convgrad/layers';
import { DataType, onnx, type IValueInfoProto } from '../proto.ts';
import { GraphBuilder } from './builder.ts';
import { emitComposite } from './composites.ts';
import { EMITTERS } from './ops.ts';
import { trace, type Trace } from './trace.ts';

export interface ExportOptions {
  /** Default-domain opset written (13–17; default 17). */
  opset?: number;
  /** Graph input and output names (default 'input', 'output'). */
  inputName?: string;
  outputName?: string;
  /** Make dim 0 of the input (and every output dim that follows it) a free 'batch' dim (default true). */
  dynamicBatch?: boolean;
}

const fail = (msg: string): never => {
  throw new ConvgradError('exportOnnx', msg);
};

interface Built { b: GraphBuilder; output: Tensor; outputName: string }

/** Dependencies of t in the exported graph: a composite layer's input, else its node's inputs. */
function depsOf(tr: Trace, t: Tensor): readonly Tensor[] {
  const c = tr.composites.get(t);
  if (c) return [c.input];
  return t.gradFn?.inputs ?? [];
}

/** Tensors the output depends on, inputs before outputs (iterative: deep graphs do not overflow). */
function order(tr: Trace): Tensor[] {
  const out: Tensor[] = [];
  const seen = new Set<Tensor>([tr.output]);
  const stack: [Tensor, number][] = [[tr.output, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const deps = depsOf(tr, top[0]);
    if (top[1] < deps.length) {
      const next = deps[top[1]++];
      if (!seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      out.push(top[0]);
      stack.pop();
    }
  }
  return out;
}

function build(module: Module<any, any>, example: Tensor, inputName: string, outputName: string): Built {
  const tr = trace(module, example);
  if (!(tr.output instanceof Tensor)) fail(`the module's forward returned ${typeof tr.output}, not a Tensor`);
  const stateNames = new Map<Tensor, string>();
  for (const [k, t] of [...module.namedParameters(), ...module.namedBuffers()]) if (!stateNames.has(t)) stateNames.set(t, k);
  const classes = new Map(module.namedModules().map(([p, m]) => [p, m.constructor.name]));
  const b = new GraphBuilder(stateNames);
  b.bind(tr.input, inputName);
  const tensors = order(tr);
  if (!tensors.includes(tr.input)) fail('the output does not depend on the input through recorded ops (was the forward run under noGrad, or from .data?)');
  for (const t of tensors) {
    if (t === tr.input) continue;
    const c = tr.composites.get(t);
    if (c) {
      b.bind(t, emitComposite(b, c, b.tensor(c.input)));
      continue;
    }
    const node = t.gradFn;
    if (!node || !t.requiresGrad) continue; // a constant: an initializer when a node uses it
    const path = tr.pathOf(t);
    const where = `module '${path || '<root>'}' (${classes.get(path) ?? '?'})`;
    const emit = EMITTERS[node.op];
    if (!emit) fail(`op '${node.op}' in ${where} has no ONNX mapping`);
    const ins = node.inputs.map((i) => b.tensor(i));
    b.bind(t, emit({ b, node, out: t, ins, path, fail: (msg) => fail(`op '${node.op}' in ${where}: ${msg}`) }));
  }
  // The output is the last node's output, renamed; an output that no node computes gets an Identity.
  let name = b.tensor(tr.output);
  if (!b.nodes.some((n) => n.output![0] === name)) name = b.node('Identity', '', [name]);
  for (const n of b.nodes) if (n.output![0] === name) n.output = [outputName];
  return { b, output: tr.output, outputName };
}

/** Another batch of the example: its samples repeated to `n` (only shapes matter for the trace). */
function withBatch(x: Tensor, n: number): Tensor {
  const per = x.size / x.shape[0];
  const data = x.dtype === 'float64' ? new Float64Array(n * per) : new Float32Array(n * per);
  for (let i = 0; i < n; i++) data.set(x.data.subarray((i % x.shape[0]) * per, (i % x.shape[0] + 1) * per), i * per);
  return new Tensor(data, [n, ...x.shape.slice(1)]);
}

/** Compares the graphs of two batch sizes; a Reshape target that follows the batch gets −1 there. */
function makeBatchDynamic(a: Built, other: Built): void {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const differ = (what: string) => fail(`the traced graph depends on the batch size (${what}); export with dynamicBatch: false`);
  if (a.b.nodes.length !== other.b.nodes.length) differ(`${a.b.nodes.length} nodes for one batch size, ${other.b.nodes.length} for another`);
  a.b.nodes.forEach((n, i) => {
    const m = other.b.nodes[i];
    if (n.opType !== m.opType || !same(n.input, m.input) || !same(n.attribute, m.attribute)) differ(`node '${n.name}'`);
  });
  a.b.initializers.forEach((t, i) => {
    const u = other.b.initializers[i];
    if (t.name !== u.name || !same(t.dims, u.dims)) differ(`initializer '${t.name}'`);
    // A float constant that changes with the input was computed outside the recorded graph.
    if (t.dataType !== DataType.INT64 && !same(Array.from(t.rawData as Uint8Array), Array.from(u.rawData as Uint8Array))) {
      fail(`constant '${t.name}' changes with the input: a value computed outside the recorded graph (under noGrad, from .data, or detached) cannot be exported`);
    }
  });
  for (const [name, values] of a.b.ints) {
    const otherValues = other.b.ints.get(name)!;
    const changed = values.map((v, i) => v !== otherValues[i]);
    if (!changed.some(Boolean)) continue;
    const users = a.b.nodes.filter((n) => n.input!.includes(name));
    if (changed.filter(Boolean).length !== 1 || !users.every((n) => n.opType === 'Reshape' && n.input![1] === name)) differ(`'${name}' = [${values.join(', ')}]`);
    const fixed = values.map((v, i) => (changed[i] ? -1 : v));
    const init = a.b.initializers.find((t) => t.name === name)!;
    const view = new DataView((init.rawData as Uint8Array).buffer);
    fixed.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  }
}

function valueInfo(name: string, dtype: DType, dims: readonly (number | string | null)[]): IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) } } },
  };
}

/** The ONNX bytes of `module` applied to inputs shaped like `exampleInput` (traced in eval mode; modes are restored). */
export function exportOnnx(module: Module<any, any>, exampleInput: Tensor, options: ExportOptions = {}): Uint8Array {
  if (!(module instanceof Module)) fail('module must be a convgrad Module');
  if (!(exampleInput instanceof Tensor)) fail('exampleInput must be a Tensor');
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 13 || opset > 17) fail(`opset ${opset} is not supported (13–17)`);
  const dynamic = options.dynamicBatch ?? true;
  if (dynamic && (exampleInput.rank < 1 || exampleInput.shape[0] < 1)) fail(`a dynamic batch needs an example input with a batch dim, got [${exampleInput.shape.join(', ')}]`);
  const inputName = options.inputName ?? 'input', outputName = options.outputName ?? 'output';
  if (inputName === outputName || !inputName || !outputName) fail(`inputName and outputName must be two different non-empty names, got '${inputName}' and '${outputName}'`);
  for (const k of Object.keys(options)) if (!['opset', 'inputName', 'outputName', 'dynamicBatch'].includes(k)) fail(`unknown option '${k}'`);

  const a = build(module, exampleInput, inputName, outputName);
  let outDims: (number | string | null)[] = [...a.output.shape];
  const inDims: (number | string)[] = [...exampleInput.shape];
  if (dynamic) {
    const n = exampleInput.shape[0];
    const other = build(module, withBatch(exampleInput, n + 1), inputName, outputName);
    makeBatchDynamic(a, other);
    inDims[0] = 'batch';
    outDims = a.output.shape.map((d, i) => (d === other.output.shape[i] ? d : d === n && other.output.shape[i] === n + 1 ? 'batch' : null));
    if (a.output.rank !== other.output.rank) fail('the output rank depends on the batch size');
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'convgrad',
    producerVersion: '0.1.0',
    graph: {
      name: module.constructor.name,
      node: a.b.nodes,
      initializer: a.b.initializers,
      input: [valueInfo(inputName, exampleInput.dtype, inDims)],
      output: [valueInfo(outputName, a.output.dtype, outDims)],
    },
  });
  // protobufjs may hand back its runtime's own byte-array subclass (a view on a pool); return a plain Uint8Array copy.
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}
