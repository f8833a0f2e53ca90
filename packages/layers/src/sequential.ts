// Sequential: children applied in order, named '0', '1', ... (state-dict keys like `0.weight`).
import { ConvgradError, type Tensor } from '@convgrad/core';
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

  /**
   * The i-th layer (negative counts from the end), typed: `net.at<Conv2d>(0).weight`. Pass the class
   * to have it checked at run time: `net.at(0, Conv2d)`.
   */
  at<T extends Module<any, any> = Module>(i: number, type?: abstract new (...args: any[]) => T): T {
    const m = this.layers.at(i);
    if (!m) throw new RangeError(`Sequential.at: index ${i} out of range for ${this.layers.length} layers`);
    if (type && !(m instanceof type)) throw new ConvgradError('Sequential.at', `layer ${i} is a ${m.constructor.name}, not a ${type.name}`);
    return m as unknown as T;
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
