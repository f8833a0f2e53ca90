// Loads the wasm kernels, registers the 'wasm' backend and selects it unless the settings say 'js'.
// Node reads the build synchronously at import, so nothing changes for Node users and `ready()` resolves
// at once. A browser fetches and compiles it asynchronously: every op runs on the js kernels until
// `await ready()` resolves. If the kernels cannot be loaded, the js kernels stay, with one warning.
// `configure()` reaches here: backend and threads apply at once; relaxedSimd and wasmPaths reload.
import { platform } from '#platform';
import { registerBackend, getBackend, setBackend } from '../backend.ts';
import { ConvgradError } from '../../errors.ts';
import { getConfig, onConfigure, type ConvgradSettings } from '../../settings.ts';
import { createWasmBackend, type WasmBackend } from './backend.ts';
import { loadFirstAsync, loadFirstSync, wasmCandidates, type WasmKernels, type WasmVariant } from './module.ts';
import { Pool } from './pool.ts';

export type { WasmBackend } from './backend.ts';

/** What runs, as `ready()` and `runtimeInfo()` report it. */
export interface RuntimeInfo {
  /** the kernels the ops call now ('js' or 'wasm') */
  backend: string;
  /** 'loading' until the (re)load in progress ends; 'unavailable' when the kernels could not be loaded */
  wasm: 'ready' | 'loading' | 'unavailable';
  /** which wasm build is loaded: fused multiply-add ('relaxed-simd') or plain SIMD; null when none */
  variant: WasmVariant | null;
  /** threads a wasm job may use, the caller included (1 in a browser page that is not cross-origin isolated) */
  threads: number;
  /** worker threads started so far (they start on the first job large enough to share) */
  workersStarted: number;
  /** worker threads that have run part of a job since the kernels were loaded (the caller not counted) */
  workersUsed: number;
  /** why the wasm kernels are not available (or why the last reload failed), else null */
  reason: string | null;
}

/** The registered wasm backend, or null when the kernels are not (yet) loaded. */
export let wasmBackend: WasmBackend | null = null;
let reason: string | null = null;
let pending: Promise<void> | null = null;
let loadId = 0;

/**
 * Registers a backend over `loaded` kernels and selects it unless `choice` is 'js'. Kernels that failed
 * to load change nothing and warn once (not when js was asked for).
 */
export function activateWasm(loaded: WasmKernels | string, choice: 'js' | 'wasm' = 'wasm', warn: (m: string) => void = console.warn, threads = getConfig().threads): WasmBackend | null {
  if (typeof loaded === 'string') {
    if (choice !== 'js') warn(`convgrad: wasm kernels unavailable, using the js kernels: ${loaded}`);
    return null;
  }
  const backend = createWasmBackend(loaded, Pool.defaultWorkers(threads));
  registerBackend(backend);
  if (choice !== 'js') setBackend('wasm');
  return backend;
}

/** Puts newly loaded kernels in place of the old ones (whose workers stop), or records why they failed. */
function install(loaded: WasmKernels | string, s: Readonly<ConvgradSettings>, warn: (m: string) => void): void {
  const old = wasmBackend;
  if (typeof loaded === 'string') {
    reason = loaded;
    if (old) warn(`convgrad: cannot reload the wasm kernels, keeping the ones loaded before: ${loaded}`);
    else activateWasm(loaded, s.backend, warn);
    return;
  }
  // the new kernels replace the old ones where those ran, and the js default where the settings ask for
  // wasm; never a backend picked with setBackend (a custom one, say) while they loaded
  const active = getBackend();
  const select = (old !== null && active === old) || (s.backend === 'wasm' && active.name === 'js');
  reason = null;
  wasmBackend = activateWasm(loaded, select ? 'wasm' : 'js', warn, s.threads);
  old?.pool.close();
}

function candidates(s: Readonly<ConvgradSettings>) {
  try {
    return wasmCandidates(s.relaxedSimd, s.wasmPaths);
  } catch (e) {
    throw new ConvgradError('configure', `wasmPaths ${JSON.stringify(s.wasmPaths)} does not resolve to URLs: ${(e as Error).message}`);
  }
}

/**
 * Loads the kernels `s` asks for: at once where the platform reads them synchronously (Node; the result,
 * or why not), else in the background (then undefined, and `ready()` waits for it).
 */
function load(s: Readonly<ConvgradSettings>): WasmKernels | string | undefined {
  const found = candidates(s);
  const id = ++loadId;
  const now = loadFirstSync(found);
  if (now !== null) {
    pending = null;
    return now;
  }
  // Started in a microtask: a configure() right after the import (same task) supersedes this load
  // before anything is fetched.
  pending = Promise.resolve().then(async () => {
    if (id !== loadId) return;
    let loaded: WasmKernels | string;
    try {
      loaded = await loadFirstAsync(candidates(getConfig()));
    } catch (e) {
      loaded = (e as Error).message;
    }
    if (id !== loadId) return; // superseded: the newer load installs its own kernels
    pending = null;
    try {
      install(loaded, getConfig(), console.warn);
    } catch (e) {
      reason = `cannot start the wasm kernels: ${(e as Error).message}`;
      console.warn(`convgrad: ${reason}`);
    }
  });
  return undefined;
}

// Everything that can refuse the new settings throws before anything is applied.
onConfigure((next, changed) => {
  const reload = changed.has('relaxedSimd') || changed.has('wasmPaths');
  if (!reload && changed.has('backend') && next.backend === 'wasm' && !wasmBackend && !pending) {
    throw new ConvgradError('configure', `backend 'wasm' is unavailable: ${reason}`);
  }
  if (reload) {
    const loaded = load(next);
    // synchronous: refuse settings whose kernels cannot be loaded (nothing changes then)
    if (typeof loaded === 'string') {
      const which = ['relaxedSimd', 'wasmPaths'].filter((k) => changed.has(k as keyof ConvgradSettings)).join(' and ');
      throw new ConvgradError('configure', `cannot load the wasm kernels for the new ${which}: ${loaded}`);
    }
    if (loaded) install(loaded, next, console.warn);
  }
  if (changed.has('threads')) wasmBackend?.pool.setMaxWorkers(Pool.defaultWorkers(next.threads));
  if (changed.has('backend')) {
    if (next.backend === 'js') setBackend('js');
    else if (wasmBackend) setBackend('wasm');
    // else: selected when the kernels being loaded are in place
  }
});

/** What runs now: backend, wasm build, threads, workers started and used, why wasm is unavailable. */
export function runtimeInfo(): RuntimeInfo {
  const pool = wasmBackend?.pool;
  return {
    backend: getBackend().name,
    wasm: pending ? 'loading' : wasmBackend ? 'ready' : 'unavailable',
    variant: wasmBackend?.variant ?? null,
    threads: pool ? 1 + pool.maxWorkers : 1,
    workersStarted: pool ? pool.startedWorkers : 0,
    workersUsed: pool ? pool.workersUsed() : 0,
    reason,
  };
}

/**
 * Resolves once the wasm kernels are active, or definitely unavailable (then the js kernels run; the
 * info says why), with `runtimeInfo()`. In Node it resolves at once (the kernels load at import). In a
 * browser it waits for the fetch and compile, and for the worker threads to boot (they boot only while
 * the page yields; call it again after raising `threads`). Ops work before it resolves, on the js kernels.
 */
export async function ready(): Promise<RuntimeInfo> {
  while (pending) await pending;
  const pool = wasmBackend?.pool;
  if (pool && pool.maxWorkers > 0 && platform.workersBootOnYield) {
    try {
      await pool.warm();
    } catch (e) {
      console.warn(`convgrad: ${(e as Error).message}; jobs run on the calling thread until they do`);
    }
  }
  return runtimeInfo();
}

// Load at import (synchronously in Node).
{
  const loaded = load(getConfig());
  if (loaded !== undefined) install(loaded, getConfig(), console.warn);
}
