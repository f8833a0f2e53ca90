// Activation layers: thin modules over the core ops.
import { ConvgradError, leakyRelu, relu, sigmoid, tanh, type Tensor } from '@convgrad/core';
import { Module } from '../module.ts';

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class LeakyReLU extends Module {
  /** Slope for x < 0 (default 0.01, as PyTorch's negative_slope). */
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (!Number.isFinite(negativeSlope)) throw new ConvgradError('LeakyReLU', `negativeSlope must be a finite number, got ${negativeSlope}`);
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  protected override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}
