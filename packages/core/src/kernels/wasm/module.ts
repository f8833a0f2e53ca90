// Loads the compiled kernels (build/*.wasm, produced by `pnpm install` via the package's `prepare`
// script) into one shared WebAssembly.Memory that worker threads can also use. Two builds of the same
// source: convgrad-relaxed.wasm (fused multiply-add through relaxed SIMD, about 2× the plain build's
// peak) where the engine accepts relaxed SIMD, else convgrad.wasm (plain SIMD).
// The files are referenced as `new URL('./build/….wasm', import.meta.url)`, which bundlers follow;
// reading them is the platform's job (Node: synchronously from disk; browsers: fetch + compileStreaming).
import { platform } from '#platform';
import type { WasmModule } from '../../platform/types.ts';
import { getConfig, type WasmPaths } from '../../settings.ts';
import { ABI_VERSION } from './layout.ts';
import { unshareMemoryImport } from './unshare.ts';

export type { WasmModule } from '../../platform/types.ts';

// The WebAssembly JS API, typed here because the project's lib (ES2022, no DOM) does not declare it.
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmInstance {
  exports: object;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
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
  /** as/elementwise.ts and as/optim.ts (pointers, then counts and scalars; bools as 0/1) */
  relu(x: number, out: number, n: number): void;
  leakyRelu(x: number, out: number, n: number, slope: number): void;
  stepScale(g: number, x: number, out: number, n: number, slope: number): void;
  binary(op: number, a: number, b: number, out: number, dims: number, rank: number, idx: number): void;
  smooth(fn: number, x: number, out: number, n: number): void;
  smoothGrad(fn: number, g: number, x: number, out: number, n: number): void;
  adam(theta: number, grad: number, m: number, v: number, vMax: number, n: number, b1: number, b2: number, stepSize: number, c2: number, eps: number, l2: number, shrink: number, sign: number): void;
  sgd(theta: number, grad: number, buf: number, n: number, lr: number, mu: number, tau: number, wd: number, sign: number, fresh: number, nesterov: number): void;
  /** as/batchnorm.ts: float32 [n, c, s] at x (and g); per-channel float64 vectors; g = 0: the affine form of bnMap */
  bnStats(x: number, n: number, c: number, s: number, sums: number): void;
  bnGradSums(g: number, x: number, n: number, c: number, s: number, mean: number, sums: number): void;
  bnMap(g: number, x: number, n: number, c: number, s: number, mean: number, k: number, mg: number, b: number, out: number): void;
  /** as/sparse-dw.ts: δ's non-zeros as (offset, value) pairs per kernel (−1: more than cap), and X channels-last */
  sparseList(w: number, o: number, c: number, kh: number, kw: number, wos: number, wcs: number, dh: number, dw: number,
    hp: number, wp: number, np: number, nz: number, nzAt: number, cap: number): number;
  /** as/pooling.ts: the channel sums of a pooled gradient (conv-pool-grad.ts) */
  pooledSums(dy: number, y: number, planes: number, per: number, channels: number, sums: number): void;
  /** as/sparse-pooled.ts: the same pairs listed from max pooling's gradient and argmax (y = 0: no ReLU) */
  sparseListPooled(dy: number, y: number, arg: number, o: number, c: number, kh: number, kw: number, ph: number, pw: number,
    hp: number, wp: number, np: number, nz: number, nzAt: number, cap: number, tmp: number): number;
  sparsePrep(x: number, n: number, c: number, h: number, w: number, s0: number, s1: number, sRow: number, sCol: number,
    fy: number, sy: number, fx: number, sx: number, pt: number, pl: number, hp: number, wp: number,
    dN: number, dC: number, dR: number, dQ: number, dst: number, bytes: number): void;
  /** as/sparse-dx.ts: the input block's non-zeros as (output offset, weight offset, value) per image; W channels-last */
  sparseInputList(x: number, n: number, c: number, h: number, w: number, s0: number, s1: number, sRow: number, sCol: number,
    r0: number, sy: number, q0: number, sx: number, rows: number, cols: number, op: number, wChan: number, nz: number, nzAt: number, cap: number, upTo: number): number;
  /** as/sparse-pooled.ts: the same triples listed from max pooling's gradient and argmax */
  sparseInputListPooled(dy: number, y: number, arg: number, n: number, c: number, h: number, w: number, ph: number, pw: number,
    r0: number, q0: number, rows: number, cols: number, op: number, wChan: number, nz: number, nzAt: number, cap: number, tmp: number): number;
  sparseWeights(w: number, o: number, c: number, kh: number, kw: number, wos: number, wcs: number, op: number, dst: number): void;
  abiVersion(): number;
}

/** 'relaxed-simd': the fused multiply-add build; 'simd': the plain-SIMD build. */
export type WasmVariant = 'simd' | 'relaxed-simd';

export interface WasmKernels {
  module: WasmModule;
  memory: WasmMemory;
  exports: WasmExports;
  variant: WasmVariant;
  /** false where the engine makes no shared memories (a browser page that is not cross-origin isolated, in some browsers): one thread */
  shared: boolean;
}

/** The builds next to this file (bundlers copy them and rewrite these URLs). */
export const WASM_URL = new URL('./build/convgrad.wasm', import.meta.url);
export const WASM_RELAXED_URL = new URL('./build/convgrad-relaxed.wasm', import.meta.url);

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
 * Whether this engine runs relaxed SIMD (false when not `wanted`). Node 20's V8 has it behind
 * --experimental-wasm-relaxed-simd, which the platform turns on (process-wide, before any relaxed module
 * is compiled); Chromium and newer Node versions have it on by default.
 */
export function relaxedSimdAvailable(wanted = true): boolean {
  if (!wanted) return false;
  if (WA.validate(RELAXED_PROBE)) return true;
  try {
    platform.enableRelaxedSimd();
  } catch {
    return false;
  }
  return WA.validate(RELAXED_PROBE);
}

/** Must match --initialMemory / --maximumMemory of the build (pages of 64 KiB; 1 GiB at most). */
export const INITIAL_PAGES = 32;
export const MAXIMUM_PAGES = 16384;

const REBUILD = 'run `pnpm install` or `pnpm --filter @convgrad/core build:wasm`';

/** One build to try: where it is and which it is. */
export interface WasmCandidate {
  url: URL;
  variant: WasmVariant;
}

/** The builds to try, best first: the relaxed one when wanted and the engine runs it, then the plain one. */
export function wasmCandidates(relaxedSimd: boolean, wasmPaths: string | WasmPaths | null): WasmCandidate[] {
  const at = (file: keyof WasmPaths, local: URL): URL => {
    if (wasmPaths === null) return local;
    if (typeof wasmPaths === 'string') return new URL(file, platform.resolveUrl(wasmPaths.endsWith('/') ? wasmPaths : `${wasmPaths}/`));
    const given = wasmPaths[file];
    return given === undefined ? local : platform.resolveUrl(given);
  };
  const plain: WasmCandidate = { url: at('convgrad.wasm', WASM_URL), variant: 'simd' };
  return relaxedSimdAvailable(relaxedSimd) ? [{ url: at('convgrad-relaxed.wasm', WASM_RELAXED_URL), variant: 'relaxed-simd' }, plain] : [plain];
}

const isLocal = (url: URL): boolean => url.href === WASM_URL.href || url.href === WASM_RELAXED_URL.href;

let sharedWorks: boolean | undefined;
/**
 * Whether this engine makes shared memories. Chromium does in any page (it only refuses to post them to
 * workers without cross-origin isolation); other browsers may refuse: then the build's memory import is
 * made unshared (unshare.ts) and the kernels run on one thread.
 */
export function sharedMemoryAvailable(): boolean {
  if (sharedWorks === undefined) {
    try {
      new WA.Memory({ initial: 1, maximum: 1, shared: true });
      sharedWorks = true;
    } catch {
      sharedWorks = false;
    }
  }
  return sharedWorks;
}

function newMemory(shared: boolean): WasmMemory {
  return new WA.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared });
}

/** The kernels of an instance, or why they cannot be used. */
function kernelsOf(c: WasmCandidate, module: WasmModule, memory: WasmMemory, shared: boolean, instance: WasmInstance): WasmKernels | string {
  const exports = instance.exports as unknown as WasmExports;
  const abi = typeof exports.abiVersion === 'function' ? exports.abiVersion() : 0;
  if (abi !== ABI_VERSION) return `${c.url.href} is stale (layout ${abi}, expected ${ABI_VERSION}; ${REBUILD})`;
  return { module, memory, exports, variant: c.variant, shared };
}

/**
 * Loads one build synchronously: the kernels, or why they could not be loaded (missing, stale,
 * unusable). Null when this platform cannot read it synchronously (browsers; non-file URLs in Node).
 */
function loadSync(c: WasmCandidate, shared = sharedMemoryAvailable()): WasmKernels | string | null {
  let bytes: Uint8Array | null;
  try {
    bytes = platform.readWasmSync(c.url);
  } catch (e) {
    const missing = (e as { code?: string }).code === 'ENOENT';
    return missing ? `${c.url.href} is missing (${REBUILD})` : `cannot read ${c.url.href}: ${(e as Error).message}`;
  }
  if (bytes === null) return null;
  const newer = isLocal(c.url) ? platform.newerSource(c.url) : null;
  if (newer) return `${c.url.href} is older than ${newer} (${REBUILD})`;
  try {
    const module = new WA.Module(shared ? bytes : unshareMemoryImport(bytes));
    const memory = newMemory(shared);
    return kernelsOf(c, module, memory, shared, new WA.Instance(module, { env: { memory } }));
  } catch (e) {
    return `cannot instantiate ${c.url.href}: ${(e as Error).message}`;
  }
}

/**
 * The first of `candidates` that loads synchronously, or why none did (their reasons, best first).
 * Null when one of them can only be loaded asynchronously (browsers; non-file URLs in Node).
 */
export function loadFirstSync(candidates: WasmCandidate[]): WasmKernels | string | null {
  const reasons: string[] = [];
  for (const c of candidates) {
    const k = loadSync(c);
    if (k === null) return null;
    if (typeof k !== 'string') return k;
    reasons.push(k);
  }
  return reasons.join('; ');
}

/**
 * Synchronous loading, where the platform can (Node): the build at `at`, or by default the best build the
 * settings allow. The kernels, or why they could not be loaded; null where loading must be asynchronous.
 */
export function loadWasmKernels(at?: URL | string, shared = sharedMemoryAvailable()): WasmKernels | string | null {
  if (at === undefined) return loadFirstSync(wasmCandidates(getConfig().relaxedSimd, getConfig().wasmPaths));
  const url = typeof at === 'string' ? platform.resolveUrl(at) : at;
  return loadSync({ url, variant: url.pathname.endsWith('convgrad-relaxed.wasm') ? 'relaxed-simd' : 'simd' }, shared);
}

/** Loads one build asynchronously (fetch + compileStreaming in a browser): the kernels, or why not. */
async function loadAsync(c: WasmCandidate, shared = sharedMemoryAvailable()): Promise<WasmKernels | string> {
  let module: WasmModule;
  try {
    module = await platform.compileWasm(c.url, shared ? undefined : unshareMemoryImport);
  } catch (e) {
    return `cannot load ${c.url.href}: ${(e as Error).message}`;
  }
  try {
    const memory = newMemory(shared);
    return kernelsOf(c, module, memory, shared, await WA.instantiate(module, { env: { memory } }));
  } catch (e) {
    return `cannot instantiate ${c.url.href}: ${(e as Error).message}`;
  }
}

/** The first of `candidates` that loads (asynchronously), or why none did. */
export async function loadFirstAsync(candidates: WasmCandidate[]): Promise<WasmKernels | string> {
  const reasons: string[] = [];
  for (const c of candidates) {
    const k = await loadAsync(c);
    if (typeof k !== 'string') return k;
    reasons.push(k);
  }
  return reasons.join('; ');
}
