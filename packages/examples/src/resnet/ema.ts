// An exponential moving average of a model's weights, evaluated in place of the trained weights (as
// torch.optim.swa_utils.AveragedModel with an EMA update, or timm's ModelEmaV2): after every optimizer
// step, avg ← d·avg + (1 − d)·current for every parameter and buffer (BatchNorm's running statistics
// too) but the batch counter, which is copied. The decay warms up as
// d_t = min(decay, (1 + t)/(10 + t)) so the first steps, far from the final weights, fade quickly.
import { Tensor } from '@convgrad/core';
import type { Module } from '@convgrad/layers';

export class WeightEma {
  readonly decay: number;
  private readonly avg = new Map<string, Float64Array>();
  private steps = 0;

  constructor(model: Module<any, any>, decay: number) {
    if (!(decay >= 0 && decay < 1)) throw new RangeError(`WeightEma: decay must be in [0, 1), got ${decay}`);
    this.decay = decay;
    for (const [k, t] of model.stateDict()) this.avg.set(k, Float64Array.from(t.data as ArrayLike<number>));
  }

  /** The decay used at the next update. */
  currentDecay(): number {
    return Math.min(this.decay, (1 + this.steps) / (10 + this.steps));
  }

  /** Folds the model's current weights into the average (call after each optimizer step). */
  update(model: Module<any, any>): void {
    const d = this.currentDecay();
    for (const [k, t] of model.stateDict()) {
      const a = this.avg.get(k);
      if (!a || a.length !== t.size) throw new Error(`WeightEma: the model's '${k}' does not match the averaged one`);
      const v = t.data as ArrayLike<number>;
      if (!k.endsWith('num_batches_tracked')) {
        for (let i = 0; i < a.length; i++) a[i] = d * a[i] + (1 - d) * v[i];
      } else {
        for (let i = 0; i < a.length; i++) a[i] = v[i];
      }
    }
    this.steps++;
  }

  /** Loads the averaged weights into `target` (a model of the same structure). */
  copyTo(target: Module<any, any>): void {
    const live = target.stateDict();
    const dict = new Map<string, Tensor>();
    for (const [k, a] of this.avg) {
      const t = live.get(k);
      if (!t) throw new Error(`WeightEma: the target has no '${k}'`);
      dict.set(k, new Tensor(t.dtype === 'float64' ? Float64Array.from(a) : Float32Array.from(a), t.shape));
    }
    target.loadStateDict(dict);
  }
}
