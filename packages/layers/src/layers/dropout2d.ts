// Dropout2d: zeroes whole channels of [N, C, H, W] with probability p in training mode (one draw per
// (sample, channel)), scaling the kept ones by 1/(1 − p); the identity in eval mode.
import { ConvgradError, lt, mul, rand, where, type Rng, type Tensor } from '@convgrad/core';
import { rngFrom, type InitOptions } from '../init.ts';
import { Module } from '../module.ts';
import { checkLayerOptions } from './check-options.ts';

export class Dropout2d extends Module {
  private readonly rng: Rng;

  /** `seed`/`rng` choose the mask generator (default: the shared layer generator, see manualSeed). */
  constructor(readonly p = 0.5, options: Pick<InitOptions, 'seed' | 'rng'> = {}) {
    super();
    checkLayerOptions(options, ['seed', 'rng'], 'Dropout2d');
    if (!(typeof p === 'number' && p >= 0 && p <= 1)) throw new ConvgradError('Dropout2d', `p must be a probability in [0, 1], got ${p}`);
    this.rng = rngFrom(options);
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 4) throw new ConvgradError('Dropout2d', `input must be [N, C, H, W], got [${x.shape.join(', ')}]`);
    if (!this.training || this.p === 0) return x;
    const [n, c] = x.shape;
    const keep = this.p === 1 ? 0 : 1 / (1 - this.p);
    // one uniform draw per (sample, channel); the mask is a constant, so gradients flow only through kept channels
    const mask = where(lt(rand([n, c, 1, 1], { rng: this.rng, dtype: x.dtype }), this.p), 0, keep);
    return mul(x, mask);
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
