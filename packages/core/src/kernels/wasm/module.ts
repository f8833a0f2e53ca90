// Loads the compiled kernels (build/convgrad.wasm, produced by `pnpm install` via the package's
// `prepare` script) into one shared WebAssembly.Memory that worker threads can also use.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ABI_VERSION } from './layout.ts';

// The WebAssembly JS API, typed here because the project's lib (ES2022, no DOM) does not declare it.
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(deltaPages: number): number;
}
export type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: WasmModule, imports: object) => { exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface WasmExports {
  heapBase(): number;
  units(kind: number, desc: number): number;
  run(kind: number, desc: number, from: number, to: number): void;
  packA(src: number, o: number, k: number, dst: number): void;
  scanNonzero(src: number, planes: number, h: number, w: number, rows: number, cols: number): number;
  gather4(src: number, n0: number, n1: number, n2: number, n3: number, s0: number, s1: number, s2: number, s3: number, dst: number): void;
  abiVersion(): number;
}

export interface WasmKernels {
  module: WasmModule;
  memory: WasmMemory;
  exports: WasmExports;
}

export const WASM_PATH = fileURLToPath(new URL('./build/convgrad.wasm', import.meta.url));
/** Must match --initialMemory / --maximumMemory of the build (pages of 64 KiB; 1 GiB at most). */
export const INITIAL_PAGES = 32;
export const MAXIMUM_PAGES = 16384;

const REBUILD = 'run `pnpm install` or `pnpm --filter @convgrad/core build:wasm`';

/** A source of the build newer than the build itself (edited since), or null. */
function newerSource(path: string): string | null {
  const dir = fileURLToPath(new URL('./as/', import.meta.url));
  const built = statSync(path).mtimeMs;
  const sources = [fileURLToPath(new URL('./asconfig.json', import.meta.url)), ...readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => dir + f)];
  return sources.find((f) => statSync(f).mtimeMs > built) ?? null;
}

/** The loaded kernels, or the reason they could not be loaded (missing, stale or unusable build). */
export function loadWasmKernels(path = WASM_PATH): WasmKernels | string {
  if (!existsSync(path)) return `${path} is missing (${REBUILD})`;
  try {
    const newer = path === WASM_PATH ? newerSource(path) : null;
    if (newer) return `${path} is older than ${newer} (${REBUILD})`;
  } catch {
    // sources not shipped: nothing to compare
  }
  try {
    const module = new WA.Module(readFileSync(path));
    const memory = new WA.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    const instance = new WA.Instance(module, { env: { memory } });
    const exports = instance.exports as unknown as WasmExports;
    const abi = typeof exports.abiVersion === 'function' ? exports.abiVersion() : 0;
    if (abi !== ABI_VERSION) return `${path} is stale (layout ${abi}, expected ${ABI_VERSION}; ${REBUILD})`;
    return { module, memory, exports };
  } catch (e) {
    return `cannot instantiate ${path}: ${(e as Error).message}`;
  }
}
