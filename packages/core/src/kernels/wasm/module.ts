// Loads the compiled kernels (build/*.wasm, produced by `pnpm install` via the package's `prepare`
// script) into one shared WebAssembly.Memory that worker threads can also use. Two builds of the same
// source: convgrad-relaxed.wasm (fused multiply-add through relaxed SIMD, about 2× the plain build's
// peak) where the engine accepts relaxed SIMD, else convgrad.wasm (plain SIMD).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
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
  validate(bytes: Uint8Array): boolean;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface WasmExports {
  heapBase(): number;
  units(kind: number, desc: number): number;
  run(kind: number, desc: number, from: number, to: number): void;
  packA(src: number, o: number, k: number, dst: number): void;
  scanNonzero(src: number, planes: number, h: number, w: number, rows: number, cols: number): number;
  gather4(src: number, n0: number, n1: number, n2: number, n3: number, s0: number, s1: number, s2: number, s3: number, dst: number): void;
  /** as/depthwise.ts: a whole depthwise conv (pointers to x, w, bias or 0, out, the per-column output ranges, a scratch plane; then its geometry). */
  depthwise(x: number, w: number, bias: number, out: number, cols: number, scratch: number, n: number, c: number, m: number, h: number, wd: number, kh: number, kw: number,
    sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, oh: number, ow: number): void;
  rowSums(src: number, rows: number, len: number, dst: number): void;
  abiVersion(): number;
}

/** 'relaxed-simd': the fused multiply-add build; 'simd': the plain-SIMD build. */
export type WasmVariant = 'simd' | 'relaxed-simd';

export interface WasmKernels {
  module: WasmModule;
  memory: WasmMemory;
  exports: WasmExports;
  variant: WasmVariant;
}

export const WASM_PATH = fileURLToPath(new URL('./build/convgrad.wasm', import.meta.url));
export const WASM_RELAXED_PATH = fileURLToPath(new URL('./build/convgrad-relaxed.wasm', import.meta.url));

// The smallest module using relaxed SIMD: () -> v128 returning f32x4.relaxed_madd(0, 0, 0).
const ZERO_V128 = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const RELAXED_BODY = [0, ...ZERO_V128, ...ZERO_V128, ...ZERO_V128, 0xfd, 0x85, 0x02, 0x0b];
const RELAXED_PROBE = new Uint8Array([
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // magic, version
  1, 5, 1, 0x60, 0, 1, 0x7b, // type section: () -> v128
  3, 2, 1, 0, // function section
  10, RELAXED_BODY.length + 2, 1, RELAXED_BODY.length, ...RELAXED_BODY, // code section
]);

/**
 * Whether this engine runs relaxed SIMD. Node 20's V8 has it behind --experimental-wasm-relaxed-simd;
 * the flag is turned on here (process-wide, before any relaxed module is compiled) unless
 * CONVGRAD_RELAXED_SIMD=0. Newer engines have it on by default.
 */
export function relaxedSimdAvailable(env = process.env.CONVGRAD_RELAXED_SIMD): boolean {
  if (env === '0') return false;
  if (WA.validate(RELAXED_PROBE)) return true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return WA.validate(RELAXED_PROBE);
}

/** The build to load: the relaxed one when it exists and the engine runs it, else the plain one. */
export function defaultWasmPath(): string {
  return existsSync(WASM_RELAXED_PATH) && relaxedSimdAvailable() ? WASM_RELAXED_PATH : WASM_PATH;
}
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
export function loadWasmKernels(path = defaultWasmPath()): WasmKernels | string {
  if (!existsSync(path)) return `${path} is missing (${REBUILD})`;
  try {
    const newer = path === WASM_PATH || path === WASM_RELAXED_PATH ? newerSource(path) : null;
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
    return { module, memory, exports, variant: path === WASM_RELAXED_PATH ? 'relaxed-simd' : 'simd' };
  } catch (e) {
    return `cannot instantiate ${path}: ${(e as Error).message}`;
  }
}
