// Registers the 'wasm' backend when the compiled kernels load, and makes it the default unless
// CONVGRAD_BACKEND=js. If build/convgrad.wasm is missing the js kernels stay active, with one warning.
import { registerBackend, setBackend } from '../backend.ts';
import { createWasmBackend, type WasmBackend } from './backend.ts';
import { loadWasmKernels, type WasmKernels } from './module.ts';

export type { WasmBackend } from './backend.ts';

/**
 * Registers a backend over `loaded` kernels and selects it unless `choice` (CONVGRAD_BACKEND) is 'js'.
 * Kernels that failed to load leave the js backend active and warn once (not when js was asked for).
 */
export function activateWasm(loaded: WasmKernels | string, choice: string | undefined, warn: (m: string) => void = console.warn): WasmBackend | null {
  if (choice !== undefined && choice !== '' && choice !== 'js' && choice !== 'wasm') {
    warn(`convgrad: CONVGRAD_BACKEND='${choice}' is not 'js' or 'wasm'; ignoring it`);
  }
  if (typeof loaded === 'string') {
    if (choice !== 'js') warn(`convgrad: wasm kernels unavailable, using the js kernels: ${loaded}`);
    return null;
  }
  const backend = createWasmBackend(loaded);
  registerBackend(backend);
  if (choice !== 'js') setBackend('wasm');
  return backend;
}

/** The registered wasm backend, or null when the kernels could not be loaded. */
export const wasmBackend = activateWasm(loadWasmKernels(), process.env.CONVGRAD_BACKEND);
