// What core needs from its environment. Two implementations, chosen by the `#platform` import map of
// package.json (`node` condition: ./node.ts; anything else: ./browser.ts), never by runtime sniffing:
// nothing outside src/platform/ imports `node:*`, reads `process`, starts a worker or calls `fetch`.

/** The compiled wasm kernels (a `WebAssembly.Module`; typed loosely: the project's lib has no DOM). */
export type WasmModule = object;

/** Settings as text from the environment (Node: CONVGRAD_* variables), parsed and checked by settings.ts. */
export interface EnvSettings {
  backend?: string;
  threads?: string;
  relaxedSimd?: string;
}

/** What a kernel worker receives (protocol in kernels/wasm/pool.ts and worker-loop.mjs). */
export interface WorkerInit {
  module: WasmModule;
  memory: object;
  /** byte address of the pool's control block in the shared memory */
  ctlAt: number;
  /** polls of the job counter before the worker sleeps */
  spin: number;
  /** the worker's slot (0-based) among the pool's workers */
  index: number;
}

export interface KernelWorker {
  terminate(): void;
}

export interface Platform {
  readonly name: 'node' | 'browser';
  /** CONVGRAD_BACKEND / CONVGRAD_THREADS / CONVGRAD_RELAXED_SIMD in Node; nothing in a browser. */
  envSettings(): EnvSettings;
  /**
   * An ArrayBuffer of `bytes` bytes whose contents are unspecified (Node: not zero-filled, as
   * Buffer.allocUnsafeSlow; elsewhere an ordinary zeroed ArrayBuffer). Throws a RangeError when the
   * memory cannot be had.
   */
  uninitializedBuffer(bytes: number): ArrayBuffer;
  /** Hardware threads (Node: os.availableParallelism(); browser: navigator.hardwareConcurrency). */
  hardwareThreads(): number;
  /**
   * The most threads kernels may use here: 1 where workers cannot share the wasm memory (a browser page
   * that is not cross-origin isolated), unlimited (Infinity) otherwise.
   */
  maxThreads(): number;
  /** Whether this thread may block in `Atomics.wait` (not on a browser's main thread). */
  canBlock(): boolean;
  /** Resolves a `wasmPaths` entry (a path, or a URL possibly relative to the page) to a URL. */
  resolveUrl(location: string): URL;
  /**
   * The bytes at `url` if they can be read synchronously (Node, `file:` URLs), else null: the caller
   * then compiles asynchronously with `compileWasm`. Throws when the file cannot be read.
   */
  readWasmSync(url: URL): Uint8Array | null;
  /**
   * Fetches and compiles (`WebAssembly.compileStreaming` where the server sends application/wasm);
   * with `transform`, compiles the bytes it makes of the file's.
   */
  compileWasm(url: URL, transform?: (bytes: Uint8Array) => Uint8Array): Promise<WasmModule>;
  /** Lets the engine run relaxed SIMD if it needs a switch for that (Node 20's V8 flag); else nothing. */
  enableRelaxedSimd(): void;
  /**
   * A source of the build at `wasm` (`../as/*.ts` or `../asconfig.json`, seen from its build/ folder)
   * newer than the build: it was edited since and the build is stale. Null when fine or when it cannot
   * be checked (sources not shipped, browsers).
   */
  newerSource(wasm: URL): string | null;
  /**
   * Whether a started worker boots only once this thread yields to its event loop (browsers: the page's
   * code after `await ready()` often runs without yielding, so `ready()` starts the workers and waits).
   */
  readonly workersBootOnYield: boolean;
  /** Starts one kernel worker; `onError` is called if it dies. Throws if workers cannot start here. */
  startWorker(init: WorkerInit, onError: (message: string) => void): KernelWorker;
}
