// Module: a tree of named parameters, buffers and child modules, with train/eval mode and state dicts.
import { ConvgradError, Tensor, type RemovableHandle } from '@convgrad/core';
import { addForwardHook, addForwardPreHook, callModule, type ForwardHook, type ForwardPreHook } from './module-call.ts';
import { checkBool, checkOptions, fmtArg } from './checks.ts';

/** Parameters and buffers by dotted name (`features.0.weight`), in registration order. */
export type StateDict = Map<string, Tensor>;

/** A state dict as a Map or a plain object. */
export type StateDictLike = StateDict | Readonly<Record<string, Tensor>>;

export interface LoadStateDictOptions {
  /** Require exactly the module's keys (default true). Shapes and dtypes are always checked. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function toStateDict(dict: StateDictLike): StateDict {
  return checkedStateDict(dict, 'toStateDict');
}

/** `dict` as a Map, or a ConvgradError for `op` when it is neither a Map nor a plain object. */
export function checkedStateDict(dict: unknown, op: string): StateDict {
  if (dict instanceof Map) return dict as StateDict;
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict) || dict instanceof Tensor || ArrayBuffer.isView(dict)) {
    throw new ConvgradError(op, `the state dict must be a Map or an object of tensors by name, got ${fmtArg(dict)}`);
  }
  return new Map(Object.entries(dict as Record<string, Tensor>));
}

/** The `strict` load option (default true), after refusing unknown options. */
export function strictOption(options: LoadStateDictOptions | undefined, op: string): boolean {
  const { strict = true } = checkOptions(options, op, ['strict']);
  checkBool(strict, op, 'strict');
  return strict;
}

/**
 * Base class of layers and models, like torch.nn.Module.
 *
 * Registration: `registerParameter`, `registerBuffer` and `registerModule` add entries by name. Fields
 * are also picked up automatically: an own property holding a Module becomes a child, and one holding
 * a leaf Tensor that requires grad becomes a parameter, under the property's name (so
 * `this.fc = new Linear(4, 2)` is enough). Buffers (state that is saved but not trained, such as
 * BatchNorm's running statistics) must be registered explicitly. Assigning a new value to a
 * registered property name replaces the entry.
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** True in training mode (the default); Dropout and BatchNorm behave differently in eval mode. */
  training = true;
  private readonly _parameters = new Map<string, Tensor | null>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _modules = new Map<string, Module<any, any>>();

  abstract forward(...inputs: In): Out;

  /**
   * Runs `forward` with the forward pre-hooks and hooks; call this, as PyTorch's `module(x)`. An
   * error thrown below names the module's path: `features.3 (Linear): …` (module-call.ts).
   */
  call(...inputs: In): Out {
    return callModule(this, inputs) as Out;
  }

  /** `hook(module, inputs, output)` after every `forward`; a returned value replaces the output. */
  registerForwardHook(hook: ForwardHook<this, In, Out>): RemovableHandle {
    return addForwardHook(this, hook);
  }

  /** `hook(module, inputs)` before every `forward`; a returned array (or single value) replaces the inputs. */
  registerForwardPreHook(hook: ForwardPreHook<this, In>): RemovableHandle {
    return addForwardPreHook(this, hook);
  }

  registerParameter(name: string, value: Tensor | null): Tensor | null {
    this.checkName(name, 'registerParameter');
    if (value !== null) {
      if (!(value instanceof Tensor)) throw new ConvgradError('registerParameter', `'${name}' must be a Tensor or null`);
      if (!value.isLeaf) throw new ConvgradError('registerParameter', `'${name}' must be a leaf tensor (use .detach())`);
      value.requiresGrad = true;
    }
    this._parameters.set(name, value);
    return value;
  }

  registerBuffer(name: string, value: Tensor): Tensor {
    this.checkName(name, 'registerBuffer');
    if (!(value instanceof Tensor)) throw new ConvgradError('registerBuffer', `'${name}' must be a Tensor`);
    this._buffers.set(name, value);
    return value;
  }

  registerModule<M extends Module<any, any>>(name: string, module: M): M {
    this.checkName(name, 'registerModule');
    if (!(module instanceof Module)) throw new ConvgradError('registerModule', `'${name}' must be a Module`);
    this._modules.set(name, module);
    return module;
  }

  /** A registered parameter by its local name (not dotted). */
  getParameter(name: string): Tensor | null {
    this.sync();
    return this._parameters.get(name) ?? null;
  }

  /** A registered buffer by its local name (not dotted). */
  getBuffer(name: string): Tensor | undefined {
    return this._buffers.get(name);
  }

  private checkName(name: string, op: string): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new ConvgradError(op, `invalid name '${String(name)}': must be a non-empty string without '.'`);
    }
    const kinds: [string, Map<string, unknown>][] = [['parameter', this._parameters], ['buffer', this._buffers], ['module', this._modules]];
    for (const [kind, map] of kinds) {
      const own = op === 'registerParameter' ? 'parameter' : op === 'registerBuffer' ? 'buffer' : 'module';
      if (kind !== own && map.has(name)) throw new ConvgradError(op, `'${name}' is already registered as a ${kind}`);
    }
  }

  /** Picks up Module and parameter-tensor fields (see the class comment). */
  private sync(): void {
    const known = new Set<unknown>([...this._parameters.values(), ...this._modules.values(), ...this._buffers.values()]);
    for (const [key, value] of Object.entries(this)) {
      if (key.startsWith('_')) continue;
      if (value instanceof Module) {
        if (this._modules.has(key)) this._modules.set(key, value);
        else if (!known.has(value) && !this._parameters.has(key) && !this._buffers.has(key)) this._modules.set(key, value);
      } else if (value instanceof Tensor) {
        if (this._parameters.has(key)) {
          if (this._parameters.get(key) !== value) this.registerParameter(key, value);
        } else if (this._buffers.has(key)) {
          this._buffers.set(key, value);
        } else if (!known.has(value) && !this._modules.has(key) && value.requiresGrad && value.isLeaf) {
          this._parameters.set(key, value);
        }
      }
    }
  }

  /** Direct children by name. */
  namedChildren(): [string, Module<any, any>][] {
    this.sync();
    return [...this._modules.entries()];
  }

  children(): Module<any, any>[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all descendants with dotted names ('' for this one), each module once. */
  namedModules(prefix = '', seen = new Set<Module<any, any>>()): [string, Module<any, any>][] {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, Module<any, any>][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) {
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name, seen));
    }
    return out;
  }

  modules(): Module<any, any>[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Trainable tensors with dotted names; a tensor shared by several modules is listed once. */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      m.sync();
      for (const [name, p] of m._parameters) {
        if (p === null || seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m._buffers) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode here and in every descendant; returns this. */
  train(mode = true): this {
    checkBool(mode, 'train', 'mode');
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (sets it to null, as PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Parameters then buffers of each module, in module order, by dotted name. The values are the live
   * tensors detached from the graph (they share data: clone them for a snapshot).
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [prefix, m] of this.namedModules()) {
      m.sync();
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of m._parameters) if (p !== null) out.set(key(name), p.detach());
      for (const [name, b] of m._buffers) out.set(key(name), b.detach());
    }
    return out;
  }

  /**
   * Copies values into this module's parameters and buffers, in place (optimizers keep their
   * references). Everything is validated first — unknown or missing keys (when strict), shapes and
   * dtypes — so a rejected dict leaves the module unchanged.
   */
  loadStateDict(dict: StateDictLike, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const src = checkedStateDict(dict, 'loadStateDict');
    strictOption(options, 'loadStateDict');
    const { problems, missingKeys, unexpectedKeys } = this.checkStateDict(src, options);
    if (problems.length > 0) throw new ConvgradError('loadStateDict', problems.join('; '));
    // All checks passed: copy. (The one place a module writes tensor data: restoring saved state.)
    const targets = this.liveTensors();
    for (const [key, value] of src) {
      const dst = targets.get(key);
      if (!dst || dst.data === value.data) continue;
      dst.data.set(value.data);
      dst.bumpVersion();
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * What `loadStateDict` would reject, without changing anything: one readable sentence per problem
   * (missing/unexpected keys when strict, wrong shapes or dtypes always).
   */
  checkStateDict(dict: StateDictLike, options: LoadStateDictOptions = {}): LoadStateDictResult & { problems: string[] } {
    const strict = strictOption(options, 'checkStateDict');
    const src = checkedStateDict(dict, 'checkStateDict');
    const targets = this.liveTensors();
    const missingKeys = [...targets.keys()].filter((k) => !src.has(k));
    const unexpectedKeys = [...src.keys()].filter((k) => !targets.has(k));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing keys: ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    for (const [key, dst] of targets) {
      const value = src.get(key);
      if (value === undefined) continue;
      if (!(value instanceof Tensor)) {
        problems.push(`'${key}' is not a Tensor`);
      } else if (value.shape.length !== dst.shape.length || value.shape.some((d, i) => d !== dst.shape[i])) {
        problems.push(`'${key}' has shape ${fmt(value.shape)} but the module expects ${fmt(dst.shape)}`);
      } else if (value.dtype !== dst.dtype) {
        problems.push(`'${key}' is ${value.dtype} but the module's tensor is ${dst.dtype} (convert with .to())`);
      }
    }
    return { problems, missingKeys, unexpectedKeys };
  }

  /** The module's own parameter and buffer tensors (not detached views) by dotted name. */
  private liveTensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      m.sync();
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of m._parameters) if (p !== null) out.set(key(name), p);
      for (const [name, b] of m._buffers) out.set(key(name), b);
    }
    return out;
  }

  /** One line per module, like PyTorch's repr. */
  toString(): string {
    const children = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const body = children.map(([name, m]) => `  (${name}): ${m.toString().split('\n').join('\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }

  /** Settings shown by toString, e.g. `in=4, out=2`. */
  protected extraRepr(): string {
    return '';
  }
}
