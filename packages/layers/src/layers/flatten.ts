// Flatten: merges dims startDim..endDim into one (default: all but the batch dim).
import { ConvgradError, reshape, type Tensor } from '@convgrad/core';
import { checkDim, checkTensor } from '../checks.ts';
import { Module } from '../module.ts';

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    checkDim(startDim, 'Flatten', 'startDim');
    checkDim(endDim, 'Flatten', 'endDim');
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'Flatten');
    const r = x.rank;
    const s = this.startDim < 0 ? this.startDim + r : this.startDim;
    const e = this.endDim < 0 ? this.endDim + r : this.endDim;
    if (!(s >= 0 && e < r && s <= e)) {
      throw new ConvgradError('Flatten', `dims ${this.startDim}..${this.endDim} are out of range for input [${x.shape.join(', ')}]`);
    }
    const merged = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
    return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
  }

  protected override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
