// ModuleList: modules held in a list and registered as children '0', '1', ... (PyTorch's nn.ModuleList);
// the owner's forward decides how to call them.
import { ConvgradError } from '@convgrad/core';
import { Module } from './module.ts';

export class ModuleList<M extends Module<any, any> = Module<any, any>> extends Module<[], never> implements Iterable<M> {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return this.items.length;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): M {
    const m = this.items.at(i);
    if (!m) throw new RangeError(`ModuleList.at: index ${i} out of range for ${this.items.length} modules`);
    return m;
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
    throw new ConvgradError('ModuleList', 'a ModuleList has no forward: call its modules from the forward of the module that holds it');
  }
}
