// Optimizer base: parameter groups (each with its own settings), per-parameter state, zeroGrad,
// state dicts in PyTorch's layout, and settings validated at every step().
// Optimizers are the one place in layers that writes tensor data: each update is a plain loop over
// `param.data` and `param.grad.data`, run under noGrad (an update is not part of any graph).
import { allocate, ConvgradError, noGrad, Tensor, type TypedArray } from '@convgrad/core';
import { describeValue } from '../describe-value.ts';

/** Settings of one parameter group (numbers, booleans and pairs such as Adam's betas). */
export type GroupSetting = number | boolean | readonly [number, number];

/** A parameter group: its parameters and its settings (`lr` always; the rest per optimizer). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  /** Set by the first schedule attached to the optimizer (PyTorch's `initial_lr`). */
  initialLr?: number;
  [setting: string]: GroupSetting | Tensor[] | undefined;
}

/** What a constructor or addParamGroup accepts as a group: parameters plus settings overriding the defaults. */
export type ParamGroupInput = { params: Iterable<Tensor> } & Record<string, unknown>;

/** Parameters, or parameter groups, as a constructor's first argument. */
export type ParamsInput = Iterable<Tensor> | Iterable<ParamGroupInput>;

/** One parameter's state in a state dict: its step count and its buffers (copies). */
export interface ParamStateDict {
  step: number;
  buffers: Record<string, Tensor>;
}

/**
 * An optimizer's state, in PyTorch's layout: `state` by parameter index (parameters numbered in
 * group order), `paramGroups` holding each group's settings and its parameters' indices.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamStateDict>;
  paramGroups: SavedParamGroup[];
}

/** A group in a state dict: its settings and the indices of its parameters. */
export interface SavedParamGroup {
  params: number[];
  [setting: string]: GroupSetting | number[];
}

/** Describes one setting of an optimizer: its default and the check applied at construction and at every step. */
export interface SettingSpec {
  default: GroupSetting | undefined;
  check: (op: string, what: string, value: unknown) => void;
}

export abstract class Optimizer {
  readonly paramGroups: ParamGroup[] = [];
  /** The default setting of each group (the constructor's options merged into the optimizer's defaults). */
  readonly defaults: Record<string, GroupSetting>;
  private readonly state = new Map<Tensor, ParamState>();
  /** Number of step() calls. */
  stepCount = 0;

  /**
   * `specs` lists every setting the optimizer knows (an option outside it is refused), with its default
   * (undefined: required) and its check.
   */
  protected constructor(params: ParamsInput, options: unknown, readonly name: string, private readonly specs: Record<string, SettingSpec>) {
    if (options === undefined) options = {};
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ConvgradError(name, `options must be an object, got ${describeValue(options)}`);
    }
    const opts = options as Record<string, unknown>;
    this.checkKeys(opts, 'option');
    const defaults: Record<string, GroupSetting> = {};
    for (const [key, spec] of Object.entries(specs)) {
      const v = opts[key] !== undefined ? opts[key] : spec.default;
      if (v === undefined) throw new ConvgradError(name, `${key} is required (e.g. new ${name}(params, { ${key}: 0.01 })), got undefined`);
      spec.check(name, key, v);
      defaults[key] = copySetting(v as GroupSetting);
    }
    this.defaults = defaults;
    const { groups, explicit } = toGroups(params, name);
    if (groups.length === 0) throw new ConvgradError(name, 'got an empty parameter list');
    for (const g of groups) this.addGroup(g, explicit);
  }

  /** All parameters, in group order. */
  get params(): readonly Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** The first group's learning rate; setting it sets every group's (schedules set groups one by one). */
  get lr(): number {
    return this.paramGroups[0].lr;
  }
  set lr(value: number) {
    for (const g of this.paramGroups) g.lr = value;
  }

  /**
   * Adds a group of parameters with its own settings (`{ params, lr: 0.01 }`); settings it leaves out
   * take the optimizer's defaults. A parameter may belong to one group only.
   */
  addParamGroup(group: ParamGroupInput): void {
    this.addGroup(group, true);
  }

  /** `named`: error messages name the group (not for a plain parameter list). */
  private addGroup(group: ParamGroupInput, named: boolean): void {
    const where = `param group ${this.paramGroups.length}`;
    const prefix = named ? `${where} ` : '';
    if (typeof group !== 'object' || group === null || !('params' in group)) {
      throw new ConvgradError(this.name, `${where} must be an object { params, ...settings }, got ${describeValue(group)}`);
    }
    const { params, ...settings } = group;
    this.checkKeys(settings, `${where} setting`, ['initialLr']);
    const list = toParamList(params, this.name, prefix);
    if (list.length === 0) throw new ConvgradError(this.name, `${where} has an empty parameter list`);
    const known = new Set(this.params);
    list.forEach((p, i) => {
      if (known.has(p)) throw new ConvgradError(this.name, `${prefix}parameter ${i} (${p}) is already in another parameter group`);
    });
    const g: ParamGroup = { params: list, lr: 0 };
    for (const [key, spec] of Object.entries(this.specs)) {
      const v = settings[key] !== undefined ? settings[key] : this.defaults[key];
      spec.check(this.name, `${prefix}${key}`, v);
      g[key] = copySetting(v as GroupSetting);
    }
    if (settings.initialLr !== undefined) {
      checkNonNegative(this.name, `${prefix}initialLr`, settings.initialLr);
      g.initialLr = settings.initialLr as number;
    }
    this.checkGroup(g, prefix.trim());
    this.paramGroups.push(g);
  }

  /** Clears every parameter's gradient (sets it to null). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /**
   * One update of every parameter that has a gradient. Every group's settings are checked first
   * (they may have been changed since construction, e.g. `opt.lr = NaN`), so a bad one throws before
   * any parameter moves.
   */
  step(): void {
    this.paramGroups.forEach((g, i) => this.validateGroup(g, this.paramGroups.length > 1 ? `param group ${i} ` : ''));
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (g === null) return;
      if (!(g instanceof Tensor) || g.dtype !== p.dtype || g.size !== p.size) {
        throw new ConvgradError(this.name, `parameter ${i} has a gradient ${g instanceof Tensor ? `of ${g.dtype} with ${g.size} elements` : describeValue(g)}, the parameter is ${p.dtype} with ${p.size} elements: they must match in dtype and size`);
      }
    });
    this.stepCount++;
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          let st = this.state.get(p);
          if (!st) this.state.set(p, (st = new ParamState(p)));
          st.step++;
          this.update(p.data, p.grad.data, st, group);
          p.bumpVersion(); // a graph that used the old values now refuses to back-propagate
        }
      }
    });
  }

  /** Checks every setting of `group` (the specs' checks, then the optimizer's cross-setting rules). */
  private validateGroup(group: ParamGroup, where: string): void {
    for (const [key, spec] of Object.entries(this.specs)) spec.check(this.name, `${where}${key}`, group[key]);
    this.checkGroup(group, where.trim());
  }

  /** Rules that involve several settings (e.g. SGD's Nesterov needs momentum); `where` names the group. */
  protected checkGroup(_group: ParamGroup, _where: string): void {}

  /** Updates `param` in place from `grad`, the parameter's state and its group's settings. */
  protected abstract update(param: TypedArray, grad: TypedArray, state: ParamState, group: ParamGroup): void;

  /**
   * The optimizer's state (copies): per-parameter step counts and buffers by parameter index, and each
   * group's settings with its parameters' indices (PyTorch's `state` / `param_groups`).
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    this.params.forEach((p, i) => index.set(p, i));
    const state: Record<number, ParamStateDict> = {};
    for (const [p, st] of this.state) {
      const buffers: Record<string, Tensor> = {};
      for (const [k, data] of st.entries()) buffers[k] = new Tensor(data.slice(), p.shape);
      state[index.get(p)!] = { step: st.step, buffers };
    }
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const out: SavedParamGroup = { params: g.params.map(() => next++) };
      for (const [k, v] of Object.entries(g)) if (k !== 'params') out[k] = copySetting(v as GroupSetting);
      return out;
    });
    return { state, paramGroups };
  }

  /**
   * Restores a state dict made by `stateDict()` of an optimizer of the same kind over parameters of the
   * same shapes, in the same groups. Everything is checked before anything changes.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (typeof dict?.state !== 'object' || dict.state === null || !Array.isArray(dict.paramGroups)) {
      throw new ConvgradError(op, `expected { state, paramGroups }, got ${describeValue(dict)}`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new ConvgradError(op, `the state dict has ${dict.paramGroups.length} parameter groups, this optimizer ${this.paramGroups.length}`);
    }
    const params = this.params;
    const settings: Record<string, GroupSetting>[] = [];
    let next = 0;
    dict.paramGroups.forEach((saved, gi) => {
      const g = this.paramGroups[gi];
      const ids = saved.params;
      if (!Array.isArray(ids) || ids.length !== g.params.length) {
        throw new ConvgradError(op, `parameter group ${gi} holds ${Array.isArray(ids) ? ids.length : describeValue(ids)} parameters in the state dict, ${g.params.length} here`);
      }
      ids.forEach((id, k) => {
        if (id !== next + k) throw new ConvgradError(op, `parameter group ${gi} lists parameter index ${id} at position ${k}, expected ${next + k}`);
      });
      next += ids.length;
      const { params: _ids, ...rest } = saved as Record<string, GroupSetting>;
      this.checkKeys(rest, `state dict parameter group ${gi} setting`, ['initialLr']);
      for (const [key, spec] of Object.entries(this.specs)) spec.check(op, `parameter group ${gi} ${key}`, rest[key]);
      if (rest.initialLr !== undefined && !Number.isFinite(rest.initialLr)) {
        throw new ConvgradError(op, `parameter group ${gi} initialLr must be a finite number, got ${describeValue(rest.initialLr)}`);
      }
      settings.push(rest);
    });
    const restored = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(dict.state)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= params.length) throw new ConvgradError(op, `state for parameter index ${key}, but there are ${params.length} parameters`);
      const p = params[i];
      if (!Number.isInteger(entry?.step) || entry.step < 0) {
        throw new ConvgradError(op, `state of parameter ${i} needs a non-negative integer step, got ${describeValue(entry?.step)}`);
      }
      const st = new ParamState(p);
      st.step = entry.step;
      for (const [name, t] of Object.entries(entry.buffers ?? {})) {
        if (!this.bufferNames().includes(name)) throw new ConvgradError(op, `state of parameter ${i} has unknown buffer '${name}' (${this.name} keeps ${this.bufferNames().join(', ')})`);
        if (!(t instanceof Tensor) || t.size !== p.size || t.dtype !== p.dtype) {
          throw new ConvgradError(op, `state of parameter ${i} buffer '${name}' must be a ${p.dtype} tensor of ${p.size} elements like the parameter ${p}, got ${describeValue(t)}`);
        }
        st.set(name, t.data.slice());
      }
      restored.set(p, st);
    }
    settings.forEach((s, gi) => Object.assign(this.paramGroups[gi], Object.fromEntries(Object.entries(s).map(([k, v]) => [k, copySetting(v)]))));
    this.state.clear();
    for (const [p, st] of restored) this.state.set(p, st);
  }

  /** Names of the per-parameter buffers this optimizer keeps (for state dict checks). */
  protected abstract bufferNames(): string[];

  private checkKeys(obj: Record<string, unknown>, what: string, extra: string[] = []): void {
    for (const k of Object.keys(obj)) {
      if (!(k in this.specs) && !extra.includes(k)) {
        throw new ConvgradError(this.name, `unknown ${what} '${k}' (known: ${[...Object.keys(this.specs), ...extra].join(', ')})`);
      }
    }
  }
}

function copySetting<T extends GroupSetting>(v: T): T {
  return (Array.isArray(v) ? [...v] : v) as T;
}

function isIterable(v: unknown): v is Iterable<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function';
}

/** The constructor's first argument as a list of groups (a plain parameter list is one group). */
function toGroups(params: unknown, name: string): { groups: ParamGroupInput[]; explicit: boolean } {
  if (!isIterable(params)) {
    throw new ConvgradError(name, `params must be an iterable of tensors or of parameter groups { params, ... }, got ${describeValue(params)}`);
  }
  const items = [...params];
  const isGroup = (x: unknown) => typeof x === 'object' && x !== null && 'params' in x; // a Tensor has no `params`
  // (an empty list gives no groups either way: the constructor refuses it)
  if (items.every(isGroup)) return { groups: items as ParamGroupInput[], explicit: true };
  return { groups: [{ params: items as Tensor[] }], explicit: false };
}

/** A group's parameters: tensors that require grad and are leaves, duplicates dropped. */
function toParamList(params: unknown, name: string, prefix: string): Tensor[] {
  if (!isIterable(params)) throw new ConvgradError(name, `${prefix}params must be an iterable of tensors, got ${describeValue(params)}`);
  const list = [...new Set(params)];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ConvgradError(name, `${prefix}parameter ${i} must be a Tensor, got ${describeValue(p)}`);
    if (!p.requiresGrad) throw new ConvgradError(name, `${prefix}parameter ${i} (${p}) does not require grad`);
    if (!p.isLeaf) throw new ConvgradError(name, `${prefix}parameter ${i} (${p}) is not a leaf tensor; optimize leaves`);
  });
  return list as Tensor[];
}

/** Per-parameter optimizer state: its own step count and named buffers of the parameter's size. */
export class ParamState {
  /** Updates of this parameter so far, counting the current one. */
  step = 0;
  private readonly buffers = new Map<string, TypedArray>();

  constructor(private readonly param: Tensor) {}

  /** The named buffer, zero-filled on first use (`fresh` is true then). */
  buffer(key: string): { data: TypedArray; fresh: boolean } {
    let data = this.buffers.get(key);
    const fresh = data === undefined;
    if (!data) this.buffers.set(key, (data = allocate(this.param.dtype, this.param.size)));
    return { data, fresh };
  }

  set(key: string, data: TypedArray): void {
    this.buffers.set(key, data);
  }

  entries(): IterableIterator<[string, TypedArray]> {
    return this.buffers.entries();
  }
}

// Setting checks: each throws a ConvgradError naming the optimizer, the setting and the value.
const fail = (op: string, what: string, rule: string, v: unknown): never => {
  throw new ConvgradError(op, `${what} must be ${rule}, got ${describeValue(v)}`);
};

export function checkNonNegative(op: string, what: string, v: unknown): void {
  if (!(Number.isFinite(v) && (v as number) >= 0)) fail(op, what, 'a finite number ≥ 0', v);
}

export function checkUnit(op: string, what: string, v: unknown): void {
  if (!(Number.isFinite(v) && (v as number) >= 0 && (v as number) < 1)) fail(op, what, 'in [0, 1)', v);
}

export function checkBoolean(op: string, what: string, v: unknown): void {
  if (typeof v !== 'boolean') fail(op, what, 'true or false', v);
}

/** A pair of numbers in [0, 1) (Adam's betas). */
export function checkBetas(op: string, what: string, v: unknown): void {
  if (!(Array.isArray(v) && v.length === 2)) fail(op, what, 'a pair [β₁, β₂] of numbers in [0, 1)', v);
  checkUnit(op, `${what}[0]`, (v as number[])[0]);
  checkUnit(op, `${what}[1]`, (v as number[])[1]);
}
