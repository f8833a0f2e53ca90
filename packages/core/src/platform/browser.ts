// The browser's (and any non-Node runtime's) side of the platform seam: fetch + compileStreaming for the
// kernels, module Web Workers for threads (only in a cross-origin-isolated page, where the shared wasm
// memory may be posted to them), no environment variables.
import type { EnvSettings, KernelWorker, Platform, WasmModule, WorkerInit } from './types.ts';

// The DOM's types, as far as they are used here (the project's lib is ES2022 without DOM).
interface WebResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}
interface WebWorker {
  postMessage(message: unknown): void;
  addEventListener(type: 'error' | 'messageerror', listener: (e: { message?: string }) => void): void;
  terminate(): void;
}
interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  location?: { href: string };
  document?: { baseURI?: string };
  fetch(url: string): Promise<WebResponse>;
  WebAssembly: {
    compile(bytes: Uint8Array): Promise<WasmModule>;
    compileStreaming?(source: Promise<WebResponse> | WebResponse): Promise<WasmModule>;
  };
}
const g = globalThis as unknown as BrowserGlobals;
// the global Worker, declared here under its own name: bundlers look for `new Worker(new URL(…))`
declare const Worker: new (url: URL, options: { type: 'module' }) => WebWorker;

/** Whether this thread may block: Atomics.wait throws (before comparing) where it may not. */
function probeBlocking(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false; // a page's main thread, or no SharedArrayBuffer at all (then no threads either)
  }
}
let blocking: boolean | undefined;

export const platform: Platform = {
  name: 'browser',

  envSettings: (): EnvSettings => ({}),

  uninitializedBuffer: (bytes: number): ArrayBuffer => new ArrayBuffer(bytes), // engines offer nothing faster

  hardwareThreads: () => Math.max(1, g.navigator?.hardwareConcurrency ?? 1),

  // Posting a shared WebAssembly.Memory to a worker needs cross-origin isolation (COOP + COEP headers).
  maxThreads: () => (g.crossOriginIsolated === true ? Infinity : 1),

  canBlock: () => (blocking ??= typeof SharedArrayBuffer === 'function' && probeBlocking()),

  resolveUrl(location: string): URL {
    return new URL(location, g.document?.baseURI ?? g.location?.href);
  },

  readWasmSync: () => null,

  async compileWasm(url: URL, transform?: (bytes: Uint8Array) => Uint8Array): Promise<WasmModule> {
    const res = await g.fetch(url.href);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url.href}`);
    // compileStreaming insists on the application/wasm MIME type; other servers get the plain path
    const mime = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!transform && mime === 'application/wasm' && typeof g.WebAssembly.compileStreaming === 'function') {
      return g.WebAssembly.compileStreaming(res);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    return g.WebAssembly.compile(transform ? transform(bytes) : bytes);
  },

  enableRelaxedSimd(): void {
    // browsers have no switch: Chromium runs relaxed SIMD by default, others validate it or not
  },

  newerSource: () => null,

  workersBootOnYield: true,

  startWorker(init: WorkerInit, onError: (message: string) => void): KernelWorker {
    // this exact expression (static options included) is what Vite and webpack recognise to bundle the worker
    const w = new Worker(new URL('./worker.browser.mjs', import.meta.url), { type: 'module' });
    w.addEventListener('error', (e) => onError(e.message ?? 'worker error'));
    w.addEventListener('messageerror', () => onError('could not receive the kernels'));
    w.postMessage(init);
    return { terminate: () => w.terminate() };
  },
};
