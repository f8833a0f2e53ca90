// Activation layers: thin modules over the core ops.
import { leakyRelu, relu, sigmoid, tanh, type Tensor } from '@convgrad/core';
import { checkFinite, checkTensor } from '../checks.ts';
import { Module } from '../module.ts';

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    checkTensor(x, 'ReLU');
    return relu(x);
  }
}

export class LeakyReLU extends Module {
  /** Slope for x < 0 (default 0.01, as PyTorch's negative_slope). */
  constructor(readonly negativeSlope = 0.01) {
    super();
    checkFinite(negativeSlope, 'LeakyReLU', 'negativeSlope');
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'LeakyReLU');
    return leakyRelu(x, this.negativeSlope);
  }

  protected override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    checkTensor(x, 'Sigmoid');
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    checkTensor(x, 'Tanh');
    return tanh(x);
  }
}
