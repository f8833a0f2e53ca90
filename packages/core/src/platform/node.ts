// Node's side of the platform seam: files, worker_threads, V8 flags, the core count, the environment.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { EnvSettings, KernelWorker, Platform, WasmModule, WorkerInit } from './types.ts';

const WA = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> } }).WebAssembly;

/** 'https://…', 'file:///…' (a scheme of two letters or more: not a Windows drive letter). */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/**
 * Tensor arrays come from malloc, and V8 frees dead ones together, at a collection. glibc's malloc then
 * gives the top of its heap back to the system once that exceeds its trim threshold, which is twice its
 * mmap threshold; it raises the mmap threshold to the size of the largest mmapped block freed so far (up to
 * 32 MiB), i.e. to a few MiB in a conv loop. So every fresh output of a few MiB faulted on all its pages
 * (bench case c's 2 MiB forward output: 512 faults per call, 1.67 ms against 1.31 ms without them). One
 * block of 31 MiB, allocated untouched and dropped on the first call of uninitializedBuffer, raises both
 * thresholds when V8 collects it (31 and 62 MiB), as `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=…` would:
 * freed arrays stay mapped and are reused. An explicit GLIBC_TUNABLES mmap or trim threshold turns glibc's
 * adjustment off and wins; other allocators (macOS, musl) ignore the block.
 */
let mallocRaised = false;
function raiseMallocThresholds(): void {
  mallocRaised = true;
  Buffer.allocUnsafeSlow(31 << 20);
}

export const platform: Platform = {
  name: 'node',

  envSettings(): EnvSettings {
    const e = process.env;
    return { backend: e.CONVGRAD_BACKEND, threads: e.CONVGRAD_THREADS, relaxedSimd: e.CONVGRAD_RELAXED_SIMD };
  },

  // Not pooled (a whole ArrayBuffer of its own, offset 0) and skipping calloc's zero fill.
  uninitializedBuffer(bytes: number): ArrayBuffer {
    if (!mallocRaised) raiseMallocThresholds();
    return Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
  },

  hardwareThreads: () => availableParallelism(),
  maxThreads: () => Infinity,
  canBlock: () => true,

  resolveUrl(location: string): URL {
    if (HAS_SCHEME.test(location)) return new URL(location);
    return pathToFileURL(isAbsolute(location) ? location : `${process.cwd()}/${location}`);
  },

  readWasmSync(url: URL): Uint8Array | null {
    return url.protocol === 'file:' ? readFileSync(fileURLToPath(url)) : null;
  },

  async compileWasm(url: URL, transform = (bytes: Uint8Array) => bytes): Promise<WasmModule> {
    if (url.protocol === 'file:') return WA.compile(transform(await readFile(fileURLToPath(url))));
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url.href}`);
    return WA.compile(transform(new Uint8Array(await res.arrayBuffer())));
  },

  enableRelaxedSimd(): void {
    // Node 20's V8 runs relaxed SIMD only behind this flag; process-wide, before anything compiles.
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  },

  newerSource(wasm: URL): string | null {
    if (wasm.protocol !== 'file:') return null;
    try {
      const built = statSync(wasm).mtimeMs;
      const dir = fileURLToPath(new URL('../as/', wasm));
      const files = [fileURLToPath(new URL('../asconfig.json', wasm)), ...readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => dir + f)];
      return files.find((f) => statSync(f).mtimeMs > built) ?? null;
    } catch {
      return null; // sources not shipped (an installed package): nothing to compare
    }
  },

  workersBootOnYield: false,

  startWorker(init: WorkerInit, onError: (message: string) => void): KernelWorker {
    // plain JS: no loader or flags of the parent (e.g. --input-type, tsx) are needed or wanted
    const w = new Worker(new URL('./worker.node.mjs', import.meta.url), { execArgv: [], workerData: init });
    w.unref(); // kernel workers never keep the process alive
    w.on('error', (e) => onError(e.message));
    return { terminate: () => void w.terminate() };
  },
};
