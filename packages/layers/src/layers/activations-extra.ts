// Activation layers of issue 11 over the core ops: GELU, SiLU, ELU, Softplus, Hardswish, Identity.
import { ConvgradError, elu, gelu, hardswish, silu, softplus, type GeluApproximate, type Tensor } from '@convgrad/core';
import { Module } from '../module.ts';
import { checkLayerOptions } from './check-options.ts';

/** GELU: x·Φ(x) (approximate 'none', the default) or its tanh approximation ('tanh'). */
export class GELU extends Module {
  readonly approximate: GeluApproximate;

  /** `new GELU()`, `new GELU('tanh')` or `new GELU({ approximate: 'tanh' })`. */
  constructor(approximate: GeluApproximate | { approximate?: GeluApproximate } = 'none') {
    super();
    if (typeof approximate === 'object') checkLayerOptions(approximate, ['approximate'], 'GELU');
    const a = typeof approximate === 'object' ? approximate.approximate ?? 'none' : approximate;
    if (a !== 'none' && a !== 'tanh') throw new ConvgradError('GELU', `approximate must be 'none' or 'tanh', got '${String(a)}'`);
    this.approximate = a;
  }

  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }

  protected override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** SiLU (swish): x·σ(x). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** ELU: x for x > 0, α(eˣ − 1) otherwise (default α = 1). */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ConvgradError('ELU', `alpha must be a finite number, got ${String(alpha)}`);
  }

  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }

  protected override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** Softplus: log(1 + e^(βx))/β, linear above βx > threshold (defaults β = 1, threshold = 20). */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
    if (typeof beta !== 'number' || !Number.isFinite(beta) || beta === 0) throw new ConvgradError('Softplus', `beta must be a finite non-zero number, got ${String(beta)}`);
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new ConvgradError('Softplus', `threshold must be a number, got ${String(threshold)}`);
  }

  forward(x: Tensor): Tensor {
    return softplus(x, { beta: this.beta, threshold: this.threshold });
  }

  protected override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Hardswish: x·relu6(x + 3)/6. */
export class Hardswish extends Module {
  forward(x: Tensor): Tensor {
    return hardswish(x);
  }
}

/** Returns its input unchanged (a placeholder, e.g. a residual branch's shortcut). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
