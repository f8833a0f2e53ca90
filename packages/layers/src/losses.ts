// Loss modules: call(prediction, target) → scalar (or per-element with reduction 'none'). Each takes
// PyTorch's options as one object (a bare reduction string is also accepted); unknown keys throw.
import {
  bce, bceWithLogits, ConvgradError, crossEntropy, huberLoss, klDiv, l1Loss, mseLoss, nllLoss, smoothL1Loss,
  type ClassTarget, type KlDivReduction, type Reduction, Tensor,
} from '@convgrad/core';
import { Module } from './module.ts';
import { checkTensor, fmtArg } from './checks.ts';
import { checkLayerOptions } from './layers/check-options.ts';

type Opts<T> = T | Reduction;

/** Normalizes `'sum'` → `{ reduction: 'sum' }` and checks the keys and the reduction at construction. */
function lossOptions<T extends { reduction?: string }>(options: Opts<T> | undefined, keys: readonly string[], name: string, extra: string[] = []): T {
  const o = (typeof options === 'string' ? { reduction: options } : options === undefined ? {} : options) as T;
  checkLayerOptions(o, ['reduction', ...keys], name);
  const r = o.reduction ?? 'mean';
  const allowed = ['mean', 'sum', 'none', ...extra];
  if (!allowed.includes(r)) throw new ConvgradError(name, `reduction must be ${allowed.slice(0, -1).map((a) => `'${a}'`).join(', ')} or '${allowed.at(-1)}', got ${fmtArg(r)}`);
  return o;
}

function checkNumber(v: unknown, name: string, what: string, ok: (x: number) => boolean, range: string): void {
  if (v !== undefined && !(typeof v === 'number' && ok(v))) throw new ConvgradError(name, `${what} must be ${range}, got ${fmtArg(v)}`);
}

/** Mean squared error (mean over all elements by default). */
export class MSELoss extends Module<[Tensor, Tensor], Tensor> {
  readonly reduction: Reduction;

  constructor(options?: Opts<{ reduction?: Reduction }>) {
    super();
    this.reduction = lossOptions(options, [], 'MSELoss').reduction ?? 'mean';
  }

  forward(pred: Tensor, target: Tensor): Tensor {
    checkTensor(pred, 'MSELoss', 'prediction');
    checkTensor(target, 'MSELoss', 'target');
    return mseLoss(pred, target, { reduction: this.reduction });
  }
}

/** A class-index or probability target: a Tensor, a typed array or an array of numbers (checked in detail by the op). */
function checkTarget(target: unknown, layer: string): void {
  const ok = target instanceof Tensor || (ArrayBuffer.isView(target) && !(target instanceof DataView)) || (Array.isArray(target) && target.every((v) => typeof v === 'number'));
  if (!ok) throw new ConvgradError(layer, `target must be a Tensor, a typed array or an array of numbers, got ${fmtArg(target)}`);
}

export interface CrossEntropyLossOptions {
  /** Per-class weight [C] (a buffer named `weight`). */
  weight?: Tensor;
  /** Target value ignored, also in the 'mean' denominator (default −100). */
  ignoreIndex?: number;
  reduction?: Reduction;
  /** ε in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/** Shared by CrossEntropyLoss and NLLLoss: a `weight` buffer and the options passed on. */
abstract class WeightedLoss<O extends { weight?: Tensor }, T> extends Module<[Tensor, T], Tensor> {
  protected readonly options: O;

  constructor(options: O) {
    super();
    const { weight, ...rest } = options;
    if (weight !== undefined) this.registerBuffer('weight', weight);
    this.options = rest as O;
  }

  protected withWeight(): O {
    const w = this.getBuffer('weight');
    return w ? { ...this.options, weight: w } : this.options;
  }
}

/**
 * Cross-entropy of logits [N, C, d1, …] against class indices [N, d1, …] or class probabilities of the
 * logits' shape, as torch.nn.CrossEntropyLoss (weight, ignoreIndex, labelSmoothing, reduction).
 */
export class CrossEntropyLoss extends WeightedLoss<CrossEntropyLossOptions, ClassTarget> {
  constructor(options?: Opts<CrossEntropyLossOptions>) {
    const o = lossOptions(options, ['weight', 'ignoreIndex', 'labelSmoothing'], 'CrossEntropyLoss');
    checkNumber(o.labelSmoothing, 'CrossEntropyLoss', 'labelSmoothing', (x) => x >= 0 && x <= 1, 'in [0, 1]');
    checkNumber(o.ignoreIndex, 'CrossEntropyLoss', 'ignoreIndex', Number.isInteger, 'an integer');
    super(o);
  }

  forward(logits: Tensor, target: ClassTarget): Tensor {
    checkTensor(logits, 'CrossEntropyLoss', 'logits');
    checkTarget(target, 'CrossEntropyLoss');
    return crossEntropy(logits, target, this.withWeight());
  }
}

export interface NLLLossOptions {
  weight?: Tensor;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Negative log-likelihood of log-probabilities [N, C, …] against class indices, as torch.nn.NLLLoss. */
export class NLLLoss extends WeightedLoss<NLLLossOptions, ClassTarget> {
  constructor(options?: Opts<NLLLossOptions>) {
    const o = lossOptions(options, ['weight', 'ignoreIndex'], 'NLLLoss');
    checkNumber(o.ignoreIndex, 'NLLLoss', 'ignoreIndex', Number.isInteger, 'an integer');
    super(o);
  }

  forward(logProbs: Tensor, target: ClassTarget): Tensor {
    checkTensor(logProbs, 'NLLLoss', 'input');
    checkTarget(target, 'NLLLoss');
    return nllLoss(logProbs, target, this.withWeight());
  }
}

export interface BCELossOptions {
  weight?: Tensor;
  reduction?: Reduction;
}

/** Binary cross-entropy of probabilities in [0, 1] (logs clamped at −100), as torch.nn.BCELoss. */
export class BCELoss extends WeightedLoss<BCELossOptions, Tensor> {
  constructor(options?: Opts<BCELossOptions>) {
    super(lossOptions(options, ['weight'], 'BCELoss'));
  }

  forward(probs: Tensor, target: Tensor): Tensor {
    return bce(probs, target, this.withWeight());
  }
}

export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Positive-class weight per class (a buffer named `pos_weight`). */
  posWeight?: Tensor;
}

/** Binary cross-entropy on logits, computed stably, as torch.nn.BCEWithLogitsLoss (weight, posWeight). */
export class BCEWithLogitsLoss extends WeightedLoss<BCEWithLogitsLossOptions, Tensor> {
  constructor(options?: Opts<BCEWithLogitsLossOptions>) {
    const o = lossOptions(options, ['weight', 'posWeight'], 'BCEWithLogitsLoss');
    const { posWeight, ...rest } = o;
    super(rest);
    if (posWeight !== undefined) this.registerBuffer('pos_weight', posWeight);
  }

  forward(logits: Tensor, target: Tensor): Tensor {
    const pw = this.getBuffer('pos_weight');
    return bceWithLogits(logits, target, pw ? { ...this.withWeight(), posWeight: pw } : this.withWeight());
  }
}

/** Mean absolute error, as torch.nn.L1Loss. */
export class L1Loss extends Module<[Tensor, Tensor], Tensor> {
  readonly reduction: Reduction;

  constructor(options?: Opts<{ reduction?: Reduction }>) {
    super();
    this.reduction = lossOptions(options, [], 'L1Loss').reduction ?? 'mean';
  }

  forward(pred: Tensor, target: Tensor): Tensor {
    return l1Loss(pred, target, { reduction: this.reduction });
  }
}

/** ½d²/β for |d| < β, else |d| − ½β (default β = 1), as torch.nn.SmoothL1Loss. */
export class SmoothL1Loss extends Module<[Tensor, Tensor], Tensor> {
  readonly reduction: Reduction;
  readonly beta: number;

  constructor(options?: Opts<{ reduction?: Reduction; beta?: number }>) {
    super();
    const o = lossOptions(options, ['beta'], 'SmoothL1Loss');
    checkNumber(o.beta, 'SmoothL1Loss', 'beta', (x) => x >= 0 && Number.isFinite(x), 'a finite number ≥ 0');
    this.reduction = o.reduction ?? 'mean';
    this.beta = o.beta ?? 1;
  }

  forward(pred: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(pred, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** ½d² for |d| < δ, else δ(|d| − ½δ) (default δ = 1), as torch.nn.HuberLoss. */
export class HuberLoss extends Module<[Tensor, Tensor], Tensor> {
  readonly reduction: Reduction;
  readonly delta: number;

  constructor(options?: Opts<{ reduction?: Reduction; delta?: number }>) {
    super();
    const o = lossOptions(options, ['delta'], 'HuberLoss');
    checkNumber(o.delta, 'HuberLoss', 'delta', (x) => x > 0 && Number.isFinite(x), 'a finite number > 0');
    this.reduction = o.reduction ?? 'mean';
    this.delta = o.delta ?? 1;
  }

  forward(pred: Tensor, target: Tensor): Tensor {
    return huberLoss(pred, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** KL divergence of log-probabilities against (log-)probabilities, as torch.nn.KLDivLoss ('batchmean' for the per-sample KL). */
export class KLDivLoss extends Module<[Tensor, Tensor], Tensor> {
  readonly reduction: KlDivReduction;
  readonly logTarget: boolean;

  constructor(options?: { reduction?: KlDivReduction; logTarget?: boolean } | KlDivReduction) {
    super();
    const o = lossOptions<{ reduction?: KlDivReduction; logTarget?: boolean }>(options as never, ['logTarget'], 'KLDivLoss', ['batchmean']);
    if (o.logTarget !== undefined && typeof o.logTarget !== 'boolean') throw new ConvgradError('KLDivLoss', `logTarget must be a boolean, got ${String(o.logTarget)}`);
    this.reduction = o.reduction ?? 'mean';
    this.logTarget = o.logTarget ?? false;
  }

  forward(logProbs: Tensor, target: Tensor): Tensor {
    return klDiv(logProbs, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
