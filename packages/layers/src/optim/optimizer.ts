// Optimizer base: the parameter list, the learning rate, per-parameter state, zeroGrad.
// Optimizers are the one place in layers that writes tensor data: each update is a plain loop over
// `param.data` and `param.grad.data`, run under noGrad (an update is not part of any graph).
import { allocate, ConvgradError, noGrad, type Tensor, type TypedArray } from '@convgrad/core';

export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** Current learning rate (schedulers such as StepLR change it). */
  lr: number;
  private readonly state = new Map<Tensor, ParamState>();
  /** Number of step() calls. */
  stepCount = 0;

  constructor(params: Iterable<Tensor>, lr: number, readonly name: string) {
    const list = [...new Set(params)];
    if (list.length === 0) throw new ConvgradError(name, 'got an empty parameter list');
    list.forEach((p, i) => {
      if (!p.requiresGrad) throw new ConvgradError(name, `parameter ${i} (${p}) does not require grad`);
      if (!p.isLeaf) throw new ConvgradError(name, `parameter ${i} (${p}) is not a leaf tensor; optimize leaves`);
    });
    this.params = list;
    this.lr = lr;
    checkNonNegative(name, 'lr', lr);
  }

  /** Clears every parameter's gradient (sets it to null). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    this.stepCount++;
    noGrad(() => {
      for (const p of this.params) {
        if (p.grad === null) continue;
        if (p.grad.dtype !== p.dtype) throw new ConvgradError(this.name, `gradient dtype ${p.grad.dtype} does not match parameter dtype ${p.dtype}`);
        let st = this.state.get(p);
        if (!st) this.state.set(p, (st = new ParamState(p)));
        st.step++;
        this.update(p.data, p.grad.data, st);
        p.bumpVersion(); // a graph that used the old values now refuses to back-propagate
      }
    });
  }

  /** Updates `param` in place from `grad` and the parameter's state. */
  protected abstract update(param: TypedArray, grad: TypedArray, state: ParamState): void;
}

/** Per-parameter optimizer state: its own step count and named buffers of the parameter's size. */
export class ParamState {
  /** Updates of this parameter so far, counting the current one. */
  step = 0;
  private readonly buffers = new Map<string, TypedArray>();

  constructor(private readonly param: Tensor) {}

  /** The named buffer, zero-filled on first use (`fresh` is true then). */
  buffer(key: string): { data: TypedArray; fresh: boolean } {
    let data = this.buffers.get(key);
    const fresh = data === undefined;
    if (!data) this.buffers.set(key, (data = allocate(this.param.dtype, this.param.size)));
    return { data, fresh };
  }
}

export function checkNonNegative(op: string, what: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0)) throw new ConvgradError(op, `${what} must be a finite number ≥ 0, got ${v}`);
}

export function checkUnit(op: string, what: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0 && v < 1)) throw new ConvgradError(op, `${what} must be in [0, 1), got ${v}`);
}
