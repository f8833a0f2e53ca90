// Containers of modules by position, registered as children '0', '1', ... (state-dict keys `0.weight`):
// ModuleSequence is the shared part; ModuleList (PyTorch's nn.ModuleList) leaves calling them to
// the owner's forward, Sequential (sequential.ts) applies them in order.
import { ConvgradError } from '@convgrad/core';
import { checkDim, fmtArg } from './checks.ts';
import { Module } from './module.ts';

type AnyModule = Module<any, any>;

export abstract class ModuleSequence<M extends AnyModule, In extends unknown[], Out> extends Module<In, Out> implements Iterable<M> {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M>) {
    super();
    for (const m of modules) this.add(m, this.constructor.name);
  }

  get length(): number {
    return this.items.length;
  }

  /**
   * The i-th module (negative counts from the end), typed: `net.at<Conv2d>(0).weight`. Pass the class to
   * have it checked at run time: `net.at(0, Conv2d)`.
   */
  at<T extends M = M>(i: number, type?: abstract new (...args: any[]) => T): T {
    const op = `${this.constructor.name}.at`;
    checkDim(i, op, 'index');
    const m = this.items.at(i);
    if (!m) throw new ConvgradError(op, `index ${i} out of range for ${this.items.length} modules`);
    if (type && !(m instanceof type)) throw new ConvgradError(op, `layer ${i} is a ${m.constructor.name}, not a ${type.name}`);
    return m as T;
  }

  /** Adds a module at the end; returns this. */
  append(module: M): this {
    return this.add(module, `${this.constructor.name}.append`);
  }

  private add(module: M, op: string): this {
    if (!(module instanceof Module)) throw new ConvgradError(op, `layer ${this.items.length} must be a Module, got ${fmtArg(module)}`);
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return this;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

export class ModuleList<M extends AnyModule = AnyModule> extends ModuleSequence<M, [], never> {
  constructor(modules: Iterable<M> = []) {
    super(modules);
  }

  forward(): never {
    throw new ConvgradError('ModuleList', 'a ModuleList has no forward: call its modules from the forward of the module that holds it');
  }
}
