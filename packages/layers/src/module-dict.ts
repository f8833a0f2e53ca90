// ModuleDict: child modules by string key (state-dict keys like `heads.cls.weight`), as torch.nn.ModuleDict.
// A container: it has no forward of its own.
import { ConvgradError } from '@convgrad/core';
import { Module } from './module.ts';

export class ModuleDict<M extends Module<any, any> = Module<any, any>> extends Module<never[], never> {
  private readonly entries_ = new Map<string, M>();

  constructor(modules: Readonly<Record<string, M>> | Iterable<[string, M]> = {}) {
    super();
    const pairs = Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, M]>)] : Object.entries(modules);
    for (const [k, m] of pairs) this.set(k, m);
  }

  get size(): number {
    return this.entries_.size;
  }

  /** The module under `key` (throws when absent). */
  get<T extends M = M>(key: string): T {
    const m = this.entries_.get(key);
    if (!m) throw new ConvgradError('ModuleDict', `no module under key '${key}' (keys: ${[...this.entries_.keys()].join(', ') || 'none'})`);
    return m as T;
  }

  has(key: string): boolean {
    return this.entries_.has(key);
  }

  /** Adds or replaces the module under `key`; returns this. */
  set(key: string, module: M): this {
    this.registerModule(key, module);
    this.entries_.set(key, module);
    return this;
  }

  keys(): string[] {
    return [...this.entries_.keys()];
  }

  values(): M[] {
    return [...this.entries_.values()];
  }

  items(): [string, M][] {
    return [...this.entries_.entries()];
  }

  forward(): never {
    throw new ConvgradError('ModuleDict', 'a ModuleDict has no forward: call its modules (dict.get(key).call(x))');
  }
}
