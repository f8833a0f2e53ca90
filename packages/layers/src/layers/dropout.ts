// Dropout: zeroes each element with probability p in training mode (scaling the rest by 1/(1−p));
// the identity in eval mode.
import { ConvgradError, dropout, type Tensor } from '@convgrad/core';
import { checkOptions, checkTensor, fmtArg } from '../checks.ts';
import { rngFrom, type InitOptions } from '../init.ts';
import { Module } from '../module.ts';
import type { Rng } from '@convgrad/core';

export class Dropout extends Module {
  /** The mask generator (training checkpoints save and restore its state). */
  readonly generator: Rng;

  /** `seed`/`rng` choose the mask generator (default: the shared layer generator, see manualSeed). */
  constructor(readonly p = 0.5, options?: Pick<InitOptions, 'seed' | 'rng'>) {
    super();
    const o = checkOptions(options, 'Dropout', ['seed', 'rng']);
    if (!(typeof p === 'number' && p >= 0 && p < 1)) throw new ConvgradError('Dropout', `p must be a probability in [0, 1), got ${fmtArg(p)}`);
    this.generator = rngFrom(o, 'Dropout');
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'Dropout');
    return dropout(x, this.p, { training: this.training, rng: this.generator });
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
