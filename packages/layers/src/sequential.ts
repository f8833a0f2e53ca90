// Sequential: children applied in order, named '0', '1', ... (state-dict keys like `0.weight`).
import type { Tensor } from '@convgrad/core';
import { Module } from './module.ts';

export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this.layers.length;
  }

  /** The i-th layer (negative counts from the end). */
  at(i: number): Module {
    const m = this.layers.at(i);
    if (!m) throw new RangeError(`Sequential.at: index ${i} out of range for ${this.layers.length} layers`);
    return m;
  }

  /** Adds a layer at the end; returns this. */
  append(layer: Module): this {
    this.registerModule(String(this.layers.length), layer);
    this.layers.push(layer);
    return this;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.layers) y = m.call(y);
    return y;
  }
}
