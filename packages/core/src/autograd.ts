import { check, ConvgradError, fmtShape } from './errors.ts';
import { sameShape } from './shape.ts';
import { Tensor } from './tensor.ts';
import { add } from './ops/elementwise.ts';
import { onesLike, zerosLike } from './tensor.ts';
import { checkedBackward, checkedGradientSum, checkRecord, isAnomalyEnabled } from './anomaly.ts';
import { applyTensorHooks, hasTensorHooks } from './hooks.ts';
import { checkBool, checkOptions, checkTensor, fmtArg, optionOr } from './validate.ts';
import { GradNode, type BackwardRule } from './grad-node.ts';
import { describeTensor as desc } from './print.ts';

export { GradNode, type BackwardRule } from './grad-node.ts';

let recording = true;

/** True while ops record graph nodes. */
export function isGradEnabled(): boolean {
  return recording;
}

function withRecording<T>(flag: boolean, fn: () => T): T {
  if (typeof fn !== 'function') throw new ConvgradError(flag ? 'enableGrad' : 'noGrad', `expected a function to run, got ${fmtArg(fn)}`);
  const prev = recording;
  recording = flag;
  try {
    return fn();
  } finally {
    recording = prev;
  }
}

/** Runs `fn` without recording graph nodes (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  return withRecording(false, fn);
}

/** Runs `fn` with recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  return withRecording(true, fn);
}

/**
 * Marks `out` as produced by `op` from `inputs` when recording is on and any input requires grad.
 * Every op ends with this call; it returns `out`. `saved` lists the tensors whose values the backward
 * rule reads (inputs or `out` itself; default: all inputs): their versions are recorded now and
 * checked when the rule runs, so a tensor changed in place in between is an error, not a stale gradient.
 */
export function record(
  out: Tensor,
  op: string,
  inputs: readonly Tensor[],
  backward: BackwardRule,
  attrs?: Readonly<Record<string, unknown>>,
  saved: readonly Tensor[] = inputs,
): Tensor {
  if (!recording) {
    if (isAnomalyEnabled()) checkRecord(out, op, inputs); // e.g. an op inside a backward rule
    return out;
  }
  if (!Array.isArray(inputs)) throw new ConvgradError('record', `inputs must be an array of Tensors, got ${fmtArg(inputs)}`);
  for (let i = 0; i < inputs.length; i++) {
    // Stryker disable next-line ConditionalExpression: checkTensor repeats the test; the guard only saves building the name
    if (!(inputs[i] instanceof Tensor)) checkTensor(inputs[i], 'record', `inputs[${i}]`);
  }
  if (inputs.some((t) => t.requiresGrad)) {
    checkTensor(out, 'record', 'out');
    if (typeof op !== 'string' || typeof backward !== 'function') throw new ConvgradError('record', `needs an op name and a backward function, got ${fmtArg(op)} and ${fmtArg(backward)}`);
    for (let i = 0; i < saved.length; i++) {
      // Stryker disable next-line ConditionalExpression: checkTensor repeats the test; the guard only saves building the name
      if (!(saved[i] instanceof Tensor)) checkTensor(saved[i], 'record', `saved[${i}]`);
    }
    out.requiresGrad = true;
    out.gradFn = new GradNode(op, inputs, backward, attrs, saved, out);
  }
  if (isAnomalyEnabled()) checkRecord(out, op, inputs);
  return out;
}

/** Tensors reachable from `roots` through nodes that require grad, inputs before outputs. */
export function topologicalOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS (deep graphs such as long training loops would overflow recursion).
  const stack: Array<[Tensor, number]> = [];
  for (const root of roots) {
    if (seen.has(root) || !root.requiresGrad) continue;
    seen.add(root);
    stack.push([root, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      // Stryker disable next-line ArrayDeclaration: a placeholder in a leaf's empty list does not require grad, so it is skipped like none
      const inputs = top[0].gradFn?.inputs ?? [];
      if (top[1] < inputs.length) {
        const next = inputs[top[1]++];
        if (next.requiresGrad && !seen.has(next)) {
          seen.add(next);
          stack.push([next, 0]);
        }
      } else {
        order.push(top[0]);
        stack.pop();
      }
    }
  }
  return order;
}

function seedGradient(output: Tensor, gradOutput: Tensor | undefined, op: string): Tensor {
  if (gradOutput === undefined) {
    check(output.size === 1, op, () => `gradient can be implicitly created only for a scalar output; got shape ${fmtShape(output.shape)}: pass gradOutput`);
    return onesLike(output);
  }
  check(sameShape(gradOutput.shape, output.shape), op, () => `gradOutput shape ${fmtShape(gradOutput.shape)} does not match output shape ${fmtShape(output.shape)}`);
  check(gradOutput.dtype === output.dtype, op, () => `gradOutput dtype ${gradOutput.dtype} does not match output dtype ${output.dtype}`);
  return gradOutput;
}

/**
 * Walks the graph once in reverse topological order from `outputs`, running each node's backward
 * rule and summing the contributions that reach a tensor along several paths (chapter eq. 6, 7).
 * `visit` is called with every tensor and its total gradient, after and before the tensor's hooks
 * (hooks.ts; a leaf's hooks run only when `leafHooks`).
 */
function propagate(
  outputs: readonly Tensor[],
  order: readonly Tensor[],
  seeds: readonly Tensor[],
  createGraph: boolean,
  retainGraph: boolean,
  visit: (t: Tensor, g: Tensor, beforeHooks: Tensor) => void,
  leafHooks = true,
): void {
  const ran: GradNode[] = [];
  const grads = new Map<Tensor, Tensor>();
  const accumulate = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t);
    if (!prev) grads.set(t, g);
    else grads.set(t, isAnomalyEnabled() ? checkedGradientSum(t, () => add(prev, g)) : add(prev, g));
  };
  withRecording(createGraph, () => {
    outputs.forEach((o, i) => accumulate(o, seeds[i]));
    // Stryker disable next-line ArithmeticOperator: starting past the end only visits undefined slots, which hold no gradient
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const raw = grads.get(t);
      if (!raw) continue;
      grads.delete(t);
      const node = t.gradFn;
      if (node?.released) node.backward(raw); // throws: freed by an earlier pass
      const g = hasTensorHooks() && (leafHooks || !t.isLeaf) ? applyTensorHooks(t, raw) : raw;
      visit(t, g, raw);
      if (!node) continue;
      const inputGrads = isAnomalyEnabled() ? checkedBackward(t, g) : node.backward(g);
      ran.push(node);
      node.inputs.forEach((input, i) => {
        const ig = inputGrads[i];
        if (!ig || !input.requiresGrad) return;
        // An internal invariant: a rule that returns the wrong shape is a bug in that op.
        check(sameShape(ig.shape, input.shape), node.op, () => `backward rule returned a gradient of shape ${fmtShape(ig.shape)} for input ${i} of shape ${fmtShape(input.shape)}`);
        accumulate(input, ig);
      });
    }
  });
  // PyTorch's retain_graph=False: the pass succeeded, so the saved tensors are no longer needed.
  if (!retainGraph) for (const node of ran) node.release();
}

export interface BackwardOptions {
  /** Record the backward pass so the gradients can be differentiated again (default false). */
  createGraph?: boolean;
  /** Keep the graph's saved tensors for another backward pass (default: createGraph), as PyTorch's retain_graph. */
  retainGraph?: boolean;
}

/** createGraph and retainGraph of `options` (checked), with PyTorch's default retainGraph = createGraph. */
function graphFlags(options: BackwardOptions, op: string): [boolean, boolean] {
  const createGraph = optionOr(options, 'createGraph', false);
  checkBool(createGraph, op, 'createGraph');
  const retainGraph = optionOr(options, 'retainGraph', createGraph);
  checkBool(retainGraph, op, 'retainGraph');
  return [createGraph, retainGraph];
}

/** Implementation of Tensor.backward(): accumulates into `.grad` of leaves (and retainGrad tensors). */
export function backward(output: Tensor, gradOutput?: Tensor, options: BackwardOptions = {}): void {
  checkOptions(options, 'backward', ['createGraph', 'retainGraph']);
  check(gradOutput === undefined || gradOutput instanceof Tensor, 'backward', () => `gradOutput must be a Tensor, got ${fmtArg(gradOutput)}`);
  const [createGraph, retainGraph] = graphFlags(options, 'backward');
  check(output.requiresGrad, 'backward', () => `${desc(output)} does not require grad and has no graph to differentiate`);
  const seed = seedGradient(output, gradOutput, 'backward');
  propagate([output], topologicalOrder([output]), [seed], createGraph, retainGraph, (t, g) => {
    if (!t.isLeaf && !t.retainsGrad) return;
    const gg = createGraph ? g : g.detach();
    t.grad = t.grad ? withRecording(createGraph, () => add(t.grad!, gg)) : gg;
  });
}

export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (required for non-scalar outputs). */
  gradOutputs?: readonly Tensor[];
  /** Return zeros (instead of throwing) for inputs the outputs do not depend on. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, like torch.autograd.grad. Leaves' `.grad` is
 * not touched. With `createGraph`, the results are part of the graph and can be differentiated.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: readonly Tensor[], options: GradOptions = {}): Tensor[] {
  checkOptions(options, 'grad', ['gradOutputs', 'createGraph', 'retainGraph', 'allowUnused']);
  const [createGraph, retainGraph] = graphFlags(options, 'grad');
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  check(Array.isArray(inputs), 'grad', () => `inputs must be an array of Tensors, got ${fmtArg(inputs)}`);
  outs.forEach((o, i) => checkTensor(o, 'grad', `output ${i}`));
  inputs.forEach((x, i) => checkTensor(x, 'grad', `input ${i}`));
  outs.forEach((o) => check(o.requiresGrad, 'grad', () => `output ${desc(o)} does not require grad`));
  inputs.forEach((x) => check(x.requiresGrad, 'grad', () => `input ${desc(x)} does not require grad`));
  check(options.gradOutputs === undefined || (Array.isArray(options.gradOutputs) && options.gradOutputs.length === outs.length), 'grad',
    () => `gradOutputs must have one tensor per output (${outs.length}), got ${fmtArg(options.gradOutputs)}`);
  options.gradOutputs?.forEach((g, i) => checkTensor(g, 'grad', `gradOutputs[${i}]`));
  if (options.allowUnused !== undefined) checkBool(options.allowUnused, 'grad', 'allowUnused');
  const seeds = outs.map((o, i) => seedGradient(o, options.gradOutputs?.[i], 'grad'));
  const wanted = new Set(inputs);
  const order = topologicalOrder(outs);
  // An unused input is refused before anything runs, so the graph stays usable (a freed graph has lost
  // its edges: the pass below reports that instead).
  if (!options.allowUnused && !order.some((t) => t.gradFn?.released)) {
    const reached = new Set(order);
    inputs.forEach((x, i) => check(reached.has(x), 'grad', () => `input ${i} (${desc(x)}) was not used to compute the outputs; pass allowUnused to get zeros`));
  }
  const found = new Map<Tensor, Tensor>();
  // As PyTorch: an input's gradient is captured before its own hooks; leaves' hooks (which guard
  // accumulation into .grad) do not run here.
  propagate(outs, order, seeds, createGraph, retainGraph, (t, _g, raw) => {
    // Stryker disable next-line ConditionalExpression: only the wanted tensors are looked up in found
    if (wanted.has(t)) found.set(t, raw);
  }, false);
  return inputs.map((x, i) => {
    const g = found.get(x);
    if (g) return g;
    check(options.allowUnused, 'grad', () => `input ${i} (${desc(x)}) was not used to compute the outputs; pass allowUnused to get zeros`);
    return zerosLike(x);
  });
}
