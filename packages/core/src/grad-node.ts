// A node of the define-by-run graph: how one tensor was made, the versions of the tensors its backward
// rule reads (checked before the rule runs), and its release after a backward pass that did not retain it.
import { ConvgradError } from './errors.ts';
import { describeTensor } from './print.ts';
import type { Tensor } from './tensor.ts';

/** A backward rule: from the output's gradient to one gradient per input (null where none is needed). */
export type BackwardRule = (gradOutput: Tensor) => readonly (Tensor | null)[];

/**
 * How a tensor was made: the op's name, its inputs, and its backward rule. Backward rules are written
 * with ops, so when the engine runs them with recording on, gradients are themselves differentiable
 * (second derivatives, Hessian-vector products).
 *
 * The node also remembers the version (Tensor.version) of every tensor the rule reads, and refuses to
 * run the rule when one of them was changed in place since. After a backward pass that did not retain
 * the graph, the node is released: its rule and inputs are dropped (so the memory they hold can be
 * reclaimed) and running it again throws.
 */
export class GradNode {
  private rule: BackwardRule | null;
  private ins: readonly Tensor[];
  private savedVersions: number[];

  constructor(
    readonly op: string,
    inputs: readonly Tensor[],
    backward: BackwardRule,
    /** Op settings shown by toDot (stride, padding, ...). */
    readonly attrs: Readonly<Record<string, unknown>> | undefined,
    private saved: readonly Tensor[],
    private readonly output: Tensor,
  ) {
    this.rule = backward;
    this.ins = inputs;
    this.savedVersions = new Array<number>(saved.length);
    for (let i = 0; i < saved.length; i++) this.savedVersions[i] = saved[i].version;
  }

  /** The op's inputs (empty once released). */
  get inputs(): readonly Tensor[] {
    return this.ins;
  }

  /** True once a backward pass released this node's saved tensors. */
  get released(): boolean {
    return this.rule === null;
  }

  /** Runs the backward rule after checking that it can: not released, saved tensors unchanged. */
  backward(gradOutput: Tensor): readonly (Tensor | null)[] {
    if (this.rule === null) {
      throw new ConvgradError('backward', `the graph through ${this.op} was already freed by an earlier backward() or grad(): `
        + `its saved tensors were released. Pass { retainGraph: true } to the first call to back-propagate through it again`);
    }
    for (let i = 0; i < this.saved.length; i++) {
      const t = this.saved[i], v = t.version;
      if (v !== this.savedVersions[i]) {
        const k = this.ins.indexOf(t);
        const role = t === this.output ? 'the output' : k >= 0 ? `input ${k}` : 'a saved tensor';
        throw new ConvgradError('backward', `${role} of ${this.op} (${describeTensor(t)}) was modified in place after ${this.op} used it `
          + `(version ${v}, saved at version ${this.savedVersions[i]}): its gradient would be computed from the new values. `
          + `Run backward() before changing it (e.g. before optimizer.step()), or recompute the forward pass`);
      }
    }
    return this.rule(gradOutput);
  }

  /** Drops the rule, the saved tensors and the inputs (after a backward pass without retainGraph). */
  release(): void {
    this.rule = null;
    this.ins = [];
    this.saved = [];
    this.savedVersions = [];
  }
}
