// What `Module.call` does around `forward`: forward pre-hooks and hooks (PyTorch's
// register_forward_pre_hook / register_forward_hook), and naming the module path in errors: an
// error thrown anywhere below a top-level `call` gets `features.3 (Linear): ` put before its
// message, where `features.3` is the path from the module the caller called to the innermost module
// whose forward (or hook) threw. The error object itself is kept (same class, `op`, `cause`, stack).
import { ConvgradError, registerInternalSources, setAnomalyContextProvider, type RemovableHandle } from '@convgrad/core';
import type { Module } from './module.ts';

type AnyModule = Module<any, any>;

/** Called before `forward` with the inputs; a returned array replaces them, any other value becomes the single input. */
export type ForwardPreHook<M, In extends unknown[]> = (module: M, inputs: In) => In | In[0] | void;
/** Called after `forward` with the inputs and the output; a returned value replaces the output. */
export type ForwardHook<M, In extends unknown[], Out> = (module: M, inputs: In, output: Out) => Out | void;

type Hooks = Map<number, (...args: any[]) => unknown>;
const preHooksOf = new WeakMap<AnyModule, Hooks>();
const hooksOf = new WeakMap<AnyModule, Hooks>();
let nextKey = 0;
/** Hooks registered and not removed, on any module: while 0, `call` skips the lookups. */
let live = 0;

function addHook(table: WeakMap<AnyModule, Hooks>, m: AnyModule, hook: unknown, op: string): RemovableHandle {
  if (typeof hook !== 'function') throw new ConvgradError(op, `the hook must be a function, got ${typeof hook}`);
  let hooks = table.get(m);
  if (!hooks) table.set(m, (hooks = new Map()));
  const key = nextKey++;
  hooks.set(key, hook as (...args: any[]) => unknown);
  live++;
  const own = hooks;
  return { remove: () => { if (own.delete(key)) live--; } };
}

export function addForwardPreHook(m: AnyModule, hook: unknown): RemovableHandle {
  return addHook(preHooksOf, m, hook, 'registerForwardPreHook');
}

export function addForwardHook(m: AnyModule, hook: unknown): RemovableHandle {
  return addHook(hooksOf, m, hook, 'registerForwardHook');
}

function runHooked(m: AnyModule, inputs: unknown[]): unknown {
  if (live === 0) return m.forward(...inputs);
  const pre = preHooksOf.get(m);
  if (pre && pre.size > 0) {
    for (const hook of [...pre.values()]) {
      const r = hook(m, inputs);
      if (r !== undefined) inputs = Array.isArray(r) ? r : [r];
    }
  }
  let out = m.forward(...inputs);
  const post = hooksOf.get(m);
  if (post && post.size > 0) {
    for (const hook of [...post.values()]) {
      const r = hook(m, inputs, out);
      if (r !== undefined) out = r;
    }
  }
  return out;
}

/** The modules whose `call` is running, outermost first; the outermost one names the path of an error. */
const active: AnyModule[] = [];
/** The modules an error has passed through on its way out, innermost first. */
const trails = new WeakMap<Error, AnyModule[]>();

/** True when m has forward hooks or pre-hooks. */
export function hasForwardHooks(m: AnyModule): boolean {
  return live > 0 && ((preHooksOf.get(m)?.size ?? 0) > 0 || (hooksOf.get(m)?.size ?? 0) > 0);
}

/** Runs m's forward with its hooks (or `run` instead, for a module without hooks), naming m in errors and anomaly reports. */
export function callModule(m: AnyModule, inputs: unknown[], run: () => unknown = () => runHooked(m, inputs)): unknown {
  active.push(m);
  try {
    return run();
  } catch (e) {
    if (e instanceof Error) {
      let trail = trails.get(e);
      if (!trail) trails.set(e, (trail = []));
      trail.push(m);
      if (active.length === 1) {
        trails.delete(e);
        nameModulePath(e, trail);
      }
    }
    throw e;
  } finally {
    active.pop();
  }
}

/** `child`'s dotted name below `parent` (a direct child, or deeper when a forward called a grandchild's forward directly). */
function nameBelow(parent: AnyModule, child: AnyModule): string {
  for (const [name, m] of parent.namedModules()) if (m === child && name !== '') return name;
  return `<unregistered ${child.constructor.name}>`;
}

/** The dotted path from `chain[0]` (the module called) down to the last module of `chain` (outermost first). */
function pathOf(chain: readonly AnyModule[]): string {
  const parts: string[] = [];
  for (let i = 1; i < chain.length; i++) parts.push(nameBelow(chain[i - 1], chain[i]));
  return parts.join('.');
}

/** Puts `path (Class): ` before the message of an error that passed through `trail` (innermost first). */
function nameModulePath(e: Error, trail: AnyModule[]): void {
  if (trail.length < 2) return; // thrown by the called module itself: the caller knows which one it called
  const path = pathOf([...trail].reverse());
  const prefix = `${path} (${trail[0].constructor.name}): `;
  const old = e.message;
  try {
    e.message = prefix + old;
    const head = `${e.name}: ${old}`;
    if (typeof e.stack === 'string' && e.stack.startsWith(head)) e.stack = `${e.name}: ${e.message}${e.stack.slice(head.length)}`;
    Object.defineProperty(e, 'modulePath', { value: path, configurable: true, writable: true, enumerable: false });
  } catch {
    // a frozen error keeps its message
  }
}

/** The module path put in front of an error's message by `Module.call` (undefined if none). */
export function modulePathOf(e: unknown): string | undefined {
  return e instanceof Error ? (e as Error & { modulePath?: string }).modulePath : undefined;
}

// Anomaly reports name the first caller's line outside convgrad (this package's folder is convgrad's
// own code) and, for backward anomalies, the module whose forward ran the op.
registerInternalSources(import.meta.url);
setAnomalyContextProvider(() => {
  if (active.length === 0) return undefined;
  const chain = active.slice();
  const type = chain[chain.length - 1].constructor.name;
  return () => (chain.length === 1 ? `the called module (${type})` : `module ${pathOf(chain)} (${type})`);
});
