import { check, fmtShape } from './errors.ts';
import { sameShape } from './shape.ts';
import type { Tensor } from './tensor.ts';
import { add } from './ops/elementwise.ts';
import { onesLike, zerosLike } from './tensor.ts';
import { describeTensor as desc } from './print.ts';

/**
 * How a tensor was made: the op's name, its inputs, and its backward rule — a function from the
 * output's gradient to one gradient per input (null where the input needs none). Backward rules
 * are written with ops, so when the engine runs them with recording on, gradients are themselves
 * differentiable (second derivatives, Hessian-vector products).
 */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly backward: (gradOutput: Tensor) => readonly (Tensor | null)[];
  /** Op settings shown by toDot (stride, padding, ...). */
  readonly attrs?: Readonly<Record<string, unknown>>;
}

let recording = true;

/** True while ops record graph nodes. */
export function isGradEnabled(): boolean {
  return recording;
}

function withRecording<T>(flag: boolean, fn: () => T): T {
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
 * Every op ends with this call; it returns `out`.
 */
export function record(
  out: Tensor,
  op: string,
  inputs: readonly Tensor[],
  backward: GradNode['backward'],
  attrs?: GradNode['attrs'],
): Tensor {
  if (recording && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = { op, inputs, backward, attrs };
  }
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
 * `visit` is called with every tensor and its total gradient.
 */
function propagate(
  outputs: readonly Tensor[],
  seeds: readonly Tensor[],
  createGraph: boolean,
  visit: (t: Tensor, g: Tensor) => void,
): void {
  const grads = new Map<Tensor, Tensor>();
  const accumulate = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t);
    grads.set(t, prev ? add(prev, g) : g);
  };
  withRecording(createGraph, () => {
    outputs.forEach((o, i) => accumulate(o, seeds[i]));
    const order = topologicalOrder(outputs);
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      visit(t, g);
      const node = t.gradFn;
      if (!node) continue;
      const inputGrads = node.backward(g);
      node.inputs.forEach((input, i) => {
        const ig = inputGrads[i];
        if (!ig || !input.requiresGrad) return;
        // An internal invariant: a rule that returns the wrong shape is a bug in that op.
        check(sameShape(ig.shape, input.shape), node.op, () => `backward rule returned a gradient of shape ${fmtShape(ig.shape)} for input ${i} of shape ${fmtShape(input.shape)}`);
        accumulate(input, ig);
      });
    }
  });
}

/** Implementation of Tensor.backward(): accumulates into `.grad` of leaves (and retainGrad tensors). */
export function backward(output: Tensor, gradOutput?: Tensor, options: { createGraph?: boolean } = {}): void {
  check(output.requiresGrad, 'backward', () => `${desc(output)} does not require grad and has no graph to differentiate`);
  const seed = seedGradient(output, gradOutput, 'backward');
  const createGraph = options.createGraph ?? false;
  propagate([output], [seed], createGraph, (t, g) => {
    if (!t.isLeaf && !t.retainsGrad) return;
    const gg = createGraph ? g : g.detach();
    t.grad = t.grad ? withRecording(createGraph, () => add(t.grad!, gg)) : gg;
  });
}

export interface GradOptions {
  /** Gradients of the outputs (required for non-scalar outputs). */
  gradOutputs?: readonly Tensor[];
  /** Record the backward pass so the returned gradients can be differentiated again. */
  createGraph?: boolean;
  /** Return zeros (instead of throwing) for inputs the outputs do not depend on. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, like torch.autograd.grad. Leaves' `.grad` is
 * not touched. With `createGraph`, the results are part of the graph and can be differentiated.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: readonly Tensor[], options: GradOptions = {}): Tensor[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  outs.forEach((o) => check(o.requiresGrad, 'grad', () => `output ${desc(o)} does not require grad`));
  inputs.forEach((x) => check(x.requiresGrad, 'grad', () => `input ${desc(x)} does not require grad`));
  check(!options.gradOutputs || options.gradOutputs.length === outs.length, 'grad', 'gradOutputs must have one tensor per output');
  const seeds = outs.map((o, i) => seedGradient(o, options.gradOutputs?.[i], 'grad'));
  const wanted = new Set(inputs);
  const found = new Map<Tensor, Tensor>();
  propagate(outs, seeds, options.createGraph ?? false, (t, g) => {
    if (wanted.has(t)) found.set(t, g);
  });
  return inputs.map((x, i) => {
    const g = found.get(x);
    if (g) return g;
    check(options.allowUnused, 'grad', () => `input ${i} (${desc(x)}) was not used to compute the outputs; pass allowUnused to get zeros`);
    return zerosLike(x);
  });
}
