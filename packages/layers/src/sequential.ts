// Sequential: children applied in order, named '0', '1', ... (state-dict keys like `0.weight`).
import { ConvgradError, type Tensor } from '@convgrad/core';
import { checkDim, checkTensor, fmtArg } from './checks.ts';
import { Module } from './module.ts';

function checkLayer(layer: unknown, op: string, what: string): asserts layer is Module {
  if (!(layer instanceof Module)) throw new ConvgradError(op, `${what} must be a Module, got ${fmtArg(layer)}`);
}

export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => checkLayer(m, 'Sequential', `layer ${i}`));
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this.layers.length;
  }

  /** The i-th layer (negative counts from the end). */
  at(i: number): Module {
    checkDim(i, 'Sequential.at', 'index');
    const m = this.layers.at(i);
    if (!m) throw new ConvgradError('Sequential.at', `index ${i} out of range for ${this.layers.length} layers`);
    return m;
  }

  /** Adds a layer at the end; returns this. */
  append(layer: Module): this {
    checkLayer(layer, 'Sequential.append', 'layer');
    this.registerModule(String(this.layers.length), layer);
    this.layers.push(layer);
    return this;
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'Sequential');
    let y = x;
    for (const m of this.layers) y = m.call(y);
    return y;
  }
}
