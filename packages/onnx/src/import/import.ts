// importOnnx: ONNX bytes → a trainable convgrad module. Every field the importer relies on is checked
// (opset, types, names, attributes, shapes) and a dry run on the declared input shape checks the rest,
// so a file that convgrad cannot run as its author meant is a ConvgradError, never a silently different model.
import { ConvgradError, noGrad, Tensor, transpose, zeros, type DType } from '@convgrad/core';
import { DataType, dataTypeName, onnx, toInt, type IGraphProto, type IModelProto, type INodeProto, type IValueInfoProto } from '../proto.ts';
import { decodeTensor, isInt, type Value } from '../tensor-proto.ts';
import { checkWireFormat } from '../wire-check.ts';
import { Attributes } from './attributes.ts';
import { OnnxBatchNorm } from './batchnorm.ts';
import type { NodeContext } from './context.ts';
import { fmtDims, matchesSpec, OnnxModel, type Step, type ValueSpec } from './model.ts';
import { placeTensor, place, scopeOf } from './names.ts';
import { constantValue } from './ops-basic.ts';
import { IMPORTERS, MAX_OPSET, MIN_OPSET } from './ops.ts';

const fail: (msg: string) => never = (msg) => {
  throw new ConvgradError('importOnnx', msg);
};

function decodeModel(bytes: Uint8Array): IModelProto {
  if (!(bytes instanceof Uint8Array)) fail(`expected the bytes of an .onnx file (a Uint8Array), got ${typeof bytes}`);
  if (bytes.length === 0) fail('the file is empty');
  checkWireFormat(bytes, (msg) => fail(`not a valid ONNX protobuf (truncated or corrupt): ${msg}`));
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (err) {
    return fail(`not a valid ONNX protobuf (truncated or corrupt): ${(err as Error).message}`);
  }
}

function opsetOf(model: IModelProto): number {
  const imports = model.opsetImport ?? [];
  const main = imports.filter((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  if (main.length !== 1) fail(`the model must import the default ONNX opset exactly once, found ${main.length} imports`);
  const v = toInt(main[0].version, fail);
  if (v < MIN_OPSET || v > MAX_OPSET) fail(`opset ${v} is not supported (convgrad imports opsets ${MIN_OPSET}–${MAX_OPSET})`);
  return v;
}

function valueSpec(info: IValueInfoProto, what: string): ValueSpec {
  const name = info.name ?? '';
  if (name === '') fail(`the graph ${what} has no name`);
  const tt = info.type?.tensorType;
  if (!tt) fail(`graph ${what} '${name}' is not a tensor`);
  const elem = tt!.elemType ?? 0;
  const dtype: DType | null = elem === DataType.FLOAT ? 'float32' : elem === DataType.DOUBLE ? 'float64' : null;
  if (!dtype) fail(`graph ${what} '${name}' has data type ${dataTypeName(elem)}; convgrad supports FLOAT and DOUBLE`);
  // A dim is a number (dim_value), or free (dim_param such as 'batch', or nothing).
  const dims = tt!.shape ? (tt!.shape.dim ?? []).map((d) => {
    if ((d as { value?: string }).value !== 'dimValue') return null;
    const v = toInt(d.dimValue, fail);
    if (v < 0) fail(`graph ${what} '${name}' has a negative dim ${v}`);
    return v;
  }) : null;
  return { name, dtype: dtype!, dims };
}

/** Parses, checks and builds the module; see the file comment. */
export function importOnnx(bytes: Uint8Array): OnnxModel {
  const model = decodeModel(bytes);
  const ir = toInt(model.irVersion, fail);
  if (ir < 3 || ir > 10) fail(`IR version ${ir} is not supported (3–10)`);
  const opset = opsetOf(model);
  const graph: IGraphProto = model.graph ?? fail('the model has no graph');
  if ((model.functions ?? []).length > 0) fail('model-local functions are not supported');
  if ((graph.sparseInitializer ?? []).length > 0) fail('sparse initializers are not supported');

  // Initializers: float ones become parameters or buffers, integer ones constants.
  const initial = new Map<string, Value>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (name === '') fail('an initializer has no name');
    if (initial.has(name)) fail(`initializer '${name}' is defined twice`);
    initial.set(name, decodeTensor(t, `initializer '${name}'`));
  }
  const inputs = (graph.input ?? []).filter((i) => !initial.has(i.name ?? ''));
  if (inputs.length !== 1) fail(`the graph must have exactly one input that is not an initializer, found ${inputs.length}`);
  if ((graph.output ?? []).length !== 1) fail(`the graph must have exactly one output, found ${(graph.output ?? []).length}`);
  const input = valueSpec(inputs[0], 'input');
  const output = valueSpec(graph.output![0], 'output');

  const nodes = graph.node ?? [];
  const uses = new Map<string, number>();
  for (const n of nodes) for (const i of n.input ?? []) uses.set(i, (uses.get(i) ?? 0) + 1);

  const known = new Map<string, Value | null>([[input.name, null]]); // null: computed at run time
  for (const [k, v] of initial) known.set(k, v);
  const roles = new Map<string, { scope: string | null; local: 'weight' | 'bias'; transposed: boolean }>();
  const owned = new Map<string, () => Value>(); // initializers held by a BatchNorm module
  const batchNorms: { module: OnnxBatchNorm; names: string[]; node: INodeProto; index: number }[] = [];
  const constants = new Map<string, Value>();
  const steps: Step[] = [];

  nodes.forEach((node, index) => {
    const op = node.opType ?? '';
    const name = node.name || `${op || 'node'}_${index}`;
    const where = `node '${name}' (${op || 'no op type'})`;
    const nodeFail: (msg: string) => never = (msg) => fail(`${where}: ${msg}`);
    const domain = node.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') nodeFail(`domain '${domain}' is not supported (default ONNX domain only)`);
    if (op !== 'Constant' && !(op in IMPORTERS)) nodeFail(`op ${op} is not supported by convgrad's importer`);
    const ins = node.input ?? [], outs = node.output ?? [];
    for (const i of ins) if (i !== '' && !known.has(i)) nodeFail(`input '${i}' is not a graph input, an initializer or an earlier node's output (missing initializer, or nodes out of order)`);
    for (const o of outs) if (o !== '' && known.has(o)) nodeFail(`output '${o}' is already defined`);
    const ctx: NodeContext = {
      node, opset, inputs: ins, outputs: outs,
      attrs: new Attributes(node, nodeFail),
      fail: nodeFail,
      constant: (i) => (ins[i] ? known.get(ins[i]) ?? undefined : undefined),
      role: (i, local, transposed = false) => {
        const v = ins[i] ? initial.get(ins[i]) : undefined;
        if (v instanceof Tensor) roles.set(ins[i], { scope: node.name ? scopeOf(node.name) : null, local, transposed });
      },
      batchNorm: (eps, momentum) => {
        const stats = [1, 2, 3, 4].map((i) => initial.get(ins[i]));
        const c = stats[0] instanceof Tensor ? stats[0].shape[0] : -1;
        stats.forEach((t, k) => {
          if (!(t instanceof Tensor)) nodeFail(`input ${k + 1} ('${ins[k + 1]}') must be a float initializer (scale, bias, mean and variance are the layer's state)`);
          if (t.rank !== 1 || t.shape[0] !== c) nodeFail(`input ${k + 1} ('${ins[k + 1]}') must be [C] = [${c}], got [${t.shape.join(', ')}]`);
          if (t.dtype !== input.dtype) nodeFail(`input ${k + 1} ('${ins[k + 1]}') is ${t.dtype} but the graph input is ${input.dtype}`);
          if ((uses.get(ins[k + 1]) ?? 0) !== 1) nodeFail(`initializer '${ins[k + 1]}' is shared with other nodes, which is not supported for BatchNormalization`);
        });
        const bn = new OnnxBatchNorm(c, { eps, momentum, dtype: input.dtype });
        (['weight', 'bias', 'running_mean', 'running_var'] as const).forEach((local, k) => {
          const live = local === 'weight' || local === 'bias' ? bn.getParameter(local)! : bn.getBuffer(local)!;
          live.data.set((stats[k] as Tensor).data);
          owned.set(ins[k + 1], () => (local === 'weight' || local === 'bias' ? bn.getParameter(local)! : bn.getBuffer(local)!));
        });
        batchNorms.push({ module: bn, names: ins.slice(1, 5), node, index });
        return (x) => bn.call(x);
      },
    };
    if (op === 'Constant') {
      if (outs.length !== 1 || outs[0] === '') nodeFail('must have one output');
      const v = constantValue(ctx);
      constants.set(outs[0], v);
      known.set(outs[0], v);
      return;
    }
    const run = IMPORTERS[op](ctx);
    outs.forEach((o, k) => {
      if (o !== '' && k > 0 && (uses.get(o) ?? 0) > 0) nodeFail(`output ${k} ('${o}') is used, but convgrad computes only the first output of ${op}`);
      if (o !== '' && k > 0 && o === output.name) nodeFail(`output ${k} ('${o}') is the graph output, but convgrad computes only the first output of ${op}`);
    });
    steps.push({ name, opType: op, inputs: ins, output: outs[0], run });
    known.set(outs[0], null);
  });
  if (!known.has(output.name)) fail(`the graph output '${output.name}' is not produced by any node`);
  if (constants.has(output.name) || initial.has(output.name)) fail(`the graph output '${output.name}' is a constant, not computed from the input`);

  const sources = buildSources();
  const module = new OnnxModel(input, output, steps, sources);
  registerState();
  module.eval();
  dryRun();
  return module;

  function buildSources(): Map<string, () => Value> {
    const sources = new Map<string, () => Value>();
    for (const [k, v] of constants) sources.set(k, () => v);
    for (const [k, v] of initial) if (isInt(v)) sources.set(k, () => v);
    return sources;
  }

  /** The BatchNorm module goes where its initializers' common prefix says ('8.weight', … → '8'), else its node's scope. */
  function placeBatchNorm({ module: bn, names, node, index }: (typeof batchNorms)[number]): void {
    const locals = ['weight', 'bias', 'running_mean', 'running_var'];
    const prefixes = names.map((n, k) => (n.endsWith(`.${locals[k]}`) ? n.slice(0, -locals[k].length - 1) : null));
    const prefix = prefixes[0] !== null && prefixes.every((p) => p === prefixes[0]) ? prefixes[0] : null;
    place(module, prefix ?? (node.name ? scopeOf(node.name) : null) ?? `BatchNormalization_${index}`, (m, local) => m.registerModule(local, bn));
  }

  /**
   * Registers the BatchNorm modules and the other float initializers in the order the nodes use them.
   * Float initializers become parameters, named by the file (or by their node's PyTorch scope when anonymous).
   */
  function registerState(): void {
    for (const [k, get] of owned) sources.set(k, get);
    const taken = new Set(initial.keys());
    const seen = new Set<string>();
    nodes.forEach((node, index) => {
      const bn = batchNorms.find((b) => b.index === index);
      if (bn) placeBatchNorm(bn);
      for (const i of node.input ?? []) if (initial.has(i) && !seen.has(i)) register(i);
    });
    for (const name of initial.keys()) if (!seen.has(name)) register(name);

    function register(name: string): void {
      seen.add(name);
      const v = initial.get(name)!;
      if (isInt(v) || owned.has(name)) return;
      const role = roles.get(name);
      const anonymous = name.startsWith('onnx::') && role?.scope && (uses.get(name) ?? 0) === 1;
      const transposed = !!(anonymous && role!.transposed && v.rank === 2);
      const wanted = anonymous ? `${role!.scope}.${role!.local}` : name;
      const useWanted = anonymous && !taken.has(wanted);
      const live = transposed && useWanted ? transpose(v, 0, 1).clone() : v;
      taken.add(useWanted ? wanted : name);
      placeTensor(module, useWanted ? wanted : name, live, 'parameter');
      sources.set(name, transposed && useWanted ? () => transpose(live, 0, 1) : () => live);
    }
  }

  /** Runs the graph once on zeros of the declared input shape (free dims = 1) and checks the declared output. */
  function dryRun(): void {
    if (!input.dims) return;
    const dims = input.dims.map((d, i) => (d === null ? (i === 0 ? 1 : -1) : d));
    if (dims.some((d) => d < 0)) return; // free non-batch dims: shapes are checked when the model runs
    if (dims.reduce((p, d) => p * d, 1) > 1 << 22) return; // a large input: its shapes are checked when the model runs
    const y = noGrad(() => module.call(zeros(dims, { dtype: input.dtype })));
    if (!matchesSpec(y, output)) fail(`the graph computes ${y.dtype} [${y.shape.join(', ')}] for input [${dims.join(', ')}], but its output '${output.name}' is declared ${output.dtype} ${fmtDims(output.dims)}`);
  }
}
