// Tensor gradient hooks, like PyTorch's Tensor.register_hook: a hook is called with a tensor's
// gradient once it is complete (all contributions summed); a returned tensor replaces it, both for
// what backward() stores in `.grad` and for what flows on to the op's inputs. As in PyTorch (checked
// against 1.13), grad() returns an input's gradient as it was before that input's own hooks, and a
// leaf's hooks run only in backward() (they guard accumulation into `.grad`). With createGraph the
// hook runs while the backward pass is recorded, so what it computes is part of the second-order graph.
import { check, fmtShape } from './errors.ts';
import { describeTensor } from './print.ts';
import { Tensor } from './tensor.ts';

export type GradHook = (grad: Tensor) => Tensor | void;

/** What `registerHook` / `registerForwardHook` return: `remove()` unregisters the hook (idempotent). */
export interface RemovableHandle {
  remove(): void;
}

const hooksOf = new WeakMap<Tensor, Map<number, GradHook>>();
let nextKey = 0;
/** Hooks registered and not removed; the engine skips the lookup entirely while this is 0. */
let live = 0;

export function hasTensorHooks(): boolean {
  return live > 0;
}

export function registerTensorHook(t: Tensor, hook: GradHook): RemovableHandle {
  check(typeof hook === 'function', 'registerHook', () => `the hook must be a function, got ${typeof hook}`);
  check(t.requiresGrad, 'registerHook', () => `cannot register a hook on ${describeTensor(t)}: it does not require grad`);
  let map = hooksOf.get(t);
  if (!map) hooksOf.set(t, (map = new Map()));
  const key = nextKey++;
  map.set(key, hook);
  live++;
  const hooks = map;
  return {
    remove() {
      if (hooks.delete(key)) live--;
    },
  };
}

/** Runs `t`'s hooks in registration order on its gradient `g`; returns the (possibly replaced) gradient. */
export function applyTensorHooks(t: Tensor, g: Tensor): Tensor {
  const map = hooksOf.get(t);
  if (!map || map.size === 0) return g;
  for (const hook of [...map.values()]) {
    const r = hook(g);
    if (r === undefined) continue;
    check(r instanceof Tensor, 'registerHook', () => `a gradient hook must return a Tensor or nothing, got ${r === null ? 'null' : typeof r}`);
    check(r.shape.length === g.shape.length && r.shape.every((d, i) => d === g.shape[i]), 'registerHook',
      () => `a gradient hook returned shape ${fmtShape(r.shape)} for a gradient of shape ${fmtShape(g.shape)}`);
    check(r.dtype === g.dtype, 'registerHook', () => `a gradient hook returned ${r.dtype} for a ${g.dtype} gradient`);
    g = r;
  }
  return g;
}
