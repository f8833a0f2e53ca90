// ModuleList: child modules by position (state-dict keys like `blocks.0.weight`), as torch.nn.ModuleList.
// A container: it has no forward of its own.
import { ConvgradError } from '@convgrad/core';
import { Module } from './module.ts';

export class ModuleList<M extends Module<any, any> = Module<any, any>> extends Module<never[], never> {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return this.items.length;
  }

  /** The i-th module (negative counts from the end). */
  at<T extends M = M>(i: number): T {
    const m = this.items.at(i);
    if (!m) throw new ConvgradError('ModuleList', `index ${i} is out of range for ${this.items.length} modules`);
    return m as T;
  }

  /** Adds a module at the end; returns this. */
  append(module: M): this {
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return this;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }

  forward(): never {
    throw new ConvgradError('ModuleList', 'a ModuleList has no forward: iterate over its modules');
  }
}
