// Sequential: children applied in order, named '0', '1', ... (state-dict keys like `0.weight`).
import { checkTensor } from './checks.ts';
import type { Tensor } from '@convgrad/core';
import type { Module } from './module.ts';
import { ModuleSequence } from './module-list.ts';

export class Sequential extends ModuleSequence<Module, [Tensor], Tensor> {
  constructor(...layers: Module[]) {
    super(layers);
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'Sequential');
    let y = x;
    for (const m of this) y = m.call(y);
    return y;
  }
}
