// Loads tfjs-core and its cpu/wasm backends in Node (CommonJS builds; the wasm files from the package's
// dist folder). The runner itself (tfjs-runner.ts) is environment-neutral.
import { createRequire } from 'node:module';
import path from 'node:path';
import { quietly, type TfjsBackend, type TfjsLoaded } from './tfjs-runner.ts';

const require = createRequire(import.meta.url);

/** Loads tfjs-core and the requested backends (wasm files from the package's dist folder). */
export async function loadTfjs(wanted: TfjsBackend[]): Promise<TfjsLoaded> {
  return quietly(async () => {
    const tf = require('@tensorflow/tfjs-core');
    const backends: TfjsBackend[] = [];
    const notes: string[] = [];
    if (wanted.includes('cpu')) {
      require('@tensorflow/tfjs-backend-cpu');
      backends.push('cpu');
      notes.push(`tfjs-cpu ${tf.version_core}: plain JS kernels`);
    }
    if (wanted.includes('wasm')) {
      const wasm = require('@tensorflow/tfjs-backend-wasm');
      const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(dist + path.sep);
      if (await tf.setBackend('wasm')) {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
        backends.push('wasm');
        notes.push(`tfjs-wasm ${tf.version_core}: SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}`);
      } else {
        notes.push('tfjs-wasm: failed to initialize; skipped');
      }
    }
    return { tf, backends, notes };
  });
}
