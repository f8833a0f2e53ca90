// Sequential: children applied in order, named '0', '1', ... (state-dict keys like `0.weight`).
// In training mode a Conv2d directly followed by a MaxPool2d, and by a ReLU if one comes next (exactly those
// classes, the conv zero-padded, no hooks on any of them), runs as one fused op (core conv2dMaxPool2d): the
// same values and gradients, but the conv's output is never stored. `Sequential.fuseConvPool = false`
// turns this off.
import { conv2dMaxPool2d, ConvgradError, type Tensor } from '@convgrad/core';
import { checkTensor } from './checks.ts';
import { ReLU } from './layers/activations.ts';
import { Conv2d } from './layers/conv2d.ts';
import { MaxPool2d } from './layers/pooling.ts';
import type { Module } from './module.ts';
import { callModule, hasForwardHooks } from './module-call.ts';
import { ModuleSequence } from './module-list.ts';

export class Sequential extends ModuleSequence<Module, [Tensor], Tensor> {
  /** Fuse Conv2d → MaxPool2d [→ ReLU] in training mode (see above). */
  static fuseConvPool = true;

  constructor(...layers: Module[]) {
    super(layers);
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'Sequential');
    const layers = [...this];
    let y = x;
    for (let i = 0; i < layers.length; i++) {
      const run = fusedRun(layers, i);
      if (run === 1) y = layers[i].call(y);
      else y = fused(layers.slice(i, i + run) as [Conv2d, MaxPool2d, ReLU?], y);
      i += run - 1;
    }
    return y;
  }
}

const plain = (m: Module | undefined, type: Function): boolean => m !== undefined && m.constructor === type && m.training && !hasForwardHooks(m);

/** How many layers from i on run as one: 3 (conv, pool, ReLU), 2 (conv, pool) or 1. */
function fusedRun(layers: Module[], i: number): number {
  if (!Sequential.fuseConvPool || !plain(layers[i], Conv2d) || (layers[i] as Conv2d).paddingMode !== 'zeros' || !plain(layers[i + 1], MaxPool2d)) return 1;
  return plain(layers[i + 2], ReLU) ? 3 : 2;
}

function fused([conv, pool, relu]: [Conv2d, MaxPool2d, ReLU?], x: Tensor): Tensor {
  try {
    return callModule(conv, [x], () => conv2dMaxPool2d(x, conv.weight, conv.bias,
      { conv: conv.convOptions(), kernel: pool.kernelSize, pool: pool.options, relu: relu !== undefined })) as Tensor;
  } catch (e) {
    // a bad input: the layers run one by one report it, naming the one that refused
    if (!(e instanceof ConvgradError)) throw e;
    const y = pool.call(conv.call(x));
    return relu ? relu.call(y) : y;
  }
}
