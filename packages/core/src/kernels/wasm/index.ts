// Registers the 'wasm' backend when the compiled kernels load, and makes it the default unless
// CONVGRAD_BACKEND=js. If build/convgrad.wasm is missing the js kernels stay active, with one warning.
import { registerBackend, setBackend } from '../backend.ts';
import { createWasmBackend } from './backend.ts';
import { loadWasmKernels } from './module.ts';

const choice = process.env.CONVGRAD_BACKEND;
const loaded = loadWasmKernels();

export const wasmBackend = typeof loaded === 'string' ? null : createWasmBackend(loaded);

if (wasmBackend) {
  registerBackend(wasmBackend);
  if (choice === undefined || choice === '' || choice === 'wasm') setBackend('wasm');
} else if (choice !== 'js') {
  console.warn(`convgrad: wasm kernels unavailable, using the js kernels: ${loaded}`);
}
