// One typed settings object for the kernels, the same in Node and in browsers: `configure({...})` changes
// it, `getConfig()` reads it. In Node the environment variables CONVGRAD_BACKEND, CONVGRAD_THREADS and
// CONVGRAD_RELAXED_SIMD fill it at import (shortcuts only; a bad value there is warned about and
// ignored, a bad value given to configure() throws).
import { platform } from '#platform';
import { ConvgradError } from './errors.ts';

/** Where the `.wasm` files are fetched from, for a CDN or a server that moves them. */
export interface WasmPaths {
  /** the plain-SIMD build */
  'convgrad.wasm'?: string;
  /** the relaxed-SIMD (fused multiply-add) build */
  'convgrad-relaxed.wasm'?: string;
}

export interface ConvgradSettings {
  /** Kernels the ops call: 'wasm' (default; used once loaded, the js kernels until then) or 'js'. */
  backend: 'js' | 'wasm';
  /**
   * Threads the wasm kernels may use, the calling thread included (1: no workers). Default: the
   * hardware threads, at most 16. A browser page that is not cross-origin isolated runs 1 whatever
   * this says (see `runtimeInfo().threads`).
   */
  threads: number;
  /** Load the relaxed-SIMD build (fused multiply-add) where the engine validates it (default true). */
  relaxedSimd: boolean;
  /**
   * null (default): the `.wasm` files next to the package's code, found with `new URL(…, import.meta.url)`
   * (bundlers follow it). A string: a folder URL (or path, in Node) holding both files, e.g.
   * 'https://cdn.example.com/convgrad/'. An object: a URL per file name.
   */
  wasmPaths: string | WasmPaths | null;
}

export const MAX_THREADS = 64;
const DEFAULT_THREADS_CAP = 16;
const KEYS = ['backend', 'threads', 'relaxedSimd', 'wasmPaths'] as const;
const WASM_FILES = ['convgrad.wasm', 'convgrad-relaxed.wasm'] as const;

export function defaultSettings(): ConvgradSettings {
  return { backend: 'wasm', threads: Math.min(DEFAULT_THREADS_CAP, Math.max(1, Math.floor(platform.hardwareThreads()))), relaxedSimd: true, wasmPaths: null };
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/** Checks one setting; throws a ConvgradError('configure', …) naming the setting and the value. */
function checkSetting(key: string, v: unknown): void {
  const bad = (want: string): never => {
    throw new ConvgradError('configure', `${key} must be ${want}, got ${show(v)}`);
  };
  switch (key) {
    case 'backend':
      if (v !== 'js' && v !== 'wasm') bad(`'js' or 'wasm'`);
      return;
    case 'threads':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_THREADS) bad(`an integer from 1 to ${MAX_THREADS}`);
      return;
    case 'relaxedSimd':
      if (typeof v !== 'boolean') bad('true or false');
      return;
    case 'wasmPaths':
      if (v === null || (typeof v === 'string' && v !== '')) return;
      if (!isPlainObject(v)) return bad(`null, a non-empty URL string or { ${WASM_FILES.map((f) => `'${f}'`).join(', ')} }`);
      for (const [file, url] of Object.entries(v)) {
        if (!(WASM_FILES as readonly string[]).includes(file)) {
          throw new ConvgradError('configure', `wasmPaths: unknown file '${file}' (known: ${WASM_FILES.join(', ')})`);
        }
        if (typeof url !== 'string' || url === '') throw new ConvgradError('configure', `wasmPaths['${file}'] must be a non-empty URL string, got ${show(url)}`);
      }
      return;
    default:
      throw new ConvgradError('configure', `unknown setting '${key}' (known: ${KEYS.join(', ')})`);
  }
}

/**
 * A checked copy of `changes` (every key known, every value valid; `undefined` restores the default).
 * Throws before anything is applied.
 */
export function validateSettings(changes: unknown): Partial<ConvgradSettings> {
  if (!isPlainObject(changes)) throw new ConvgradError('configure', `expects an object of settings, got ${show(changes)}`);
  const defaults = defaultSettings();
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    const v = value === undefined && (KEYS as readonly string[]).includes(key) ? defaults[key as keyof ConvgradSettings] : value;
    checkSetting(key, v);
    out[key] = isPlainObject(v) ? Object.freeze({ ...v }) : v;
  }
  return out as Partial<ConvgradSettings>;
}

/** Settings from the environment's text (Node's CONVGRAD_* variables): the valid ones, and a warning per bad one. */
export function settingsFromEnv(env: { backend?: string; threads?: string; relaxedSimd?: string }): { settings: Partial<ConvgradSettings>; warnings: string[] } {
  const settings: Partial<ConvgradSettings> = {};
  const warnings: string[] = [];
  const ignore = (name: string, value: string, want: string) => warnings.push(`convgrad: ${name}='${value}' is not ${want}; ignoring it`);
  if (env.backend) {
    if (env.backend === 'js' || env.backend === 'wasm') settings.backend = env.backend;
    else ignore('CONVGRAD_BACKEND', env.backend, `'js' or 'wasm'`);
  }
  if (env.threads) {
    const n = Number(env.threads);
    if (/^\s*\d+\s*$/.test(env.threads) && n >= 1 && n <= MAX_THREADS) settings.threads = n;
    else ignore('CONVGRAD_THREADS', env.threads, `an integer from 1 to ${MAX_THREADS}`);
  }
  if (env.relaxedSimd) {
    const v = env.relaxedSimd.trim().toLowerCase();
    if (v === '0' || v === 'false') settings.relaxedSimd = false;
    else if (v === '1' || v === 'true') settings.relaxedSimd = true;
    else ignore('CONVGRAD_RELAXED_SIMD', env.relaxedSimd, '0, 1, true or false');
  }
  return { settings, warnings };
}

type Listener = (next: Readonly<ConvgradSettings>, changed: ReadonlySet<keyof ConvgradSettings>) => void;
const listeners: Listener[] = [];

const fromEnv = settingsFromEnv(platform.envSettings());
for (const w of fromEnv.warnings) console.warn(w);
let current: Readonly<ConvgradSettings> = Object.freeze({ ...defaultSettings(), ...fromEnv.settings });

/** The settings in force (defaults filled in). */
export function getConfig(): Readonly<ConvgradSettings> {
  return current;
}

/**
 * Changes some settings, e.g. `configure({ threads: 1 })`, and returns the settings in force.
 * Every key and value is checked first (a ConvgradError naming the setting; nothing changes then).
 * `backend` and `threads` apply at once; `relaxedSimd` and `wasmPaths` reload the kernels (at once in
 * Node for files; in a browser `await ready()` waits for the new ones, the old kernels run meanwhile).
 */
export function configure(changes: Partial<ConvgradSettings>): Readonly<ConvgradSettings> {
  const checked = validateSettings(changes);
  const next = Object.freeze({ ...current, ...checked });
  const changed = new Set((Object.keys(checked) as (keyof ConvgradSettings)[]).filter((k) => !sameSetting(current[k], next[k])));
  for (const l of listeners) l(next, changed);
  current = next;
  return current;
}

function sameSetting(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

/** Called by configure() with the settings about to be in force, before they are; may throw to refuse them. */
export function onConfigure(listener: Listener): void {
  listeners.push(listener);
}
