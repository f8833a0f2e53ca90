// convgrad side of the Node benchmark on the package's sources: the registered backends, header notes, and
// the runner (convgrad-run.ts: y = conv2d(x, w, b); y.backward(g)) over the source core.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as core from '../src/index.ts';
import type { ConvCase } from './cases.ts';
import { makeConvgradRunner, type CaseData } from './convgrad-run.ts';
import type { Runner } from './tfjs-runner.ts';

/** Names of every registered kernel backend; imports the wasm backend module first if it exists (it registers itself). */
export async function convgradBackends(): Promise<string[]> {
  const wasmIndex = fileURLToPath(new URL('../src/kernels/wasm/index.ts', import.meta.url));
  if (existsSync(wasmIndex)) await import(wasmIndex);
  return core.listBackends();
}

/** Header notes about a backend: which wasm build runs, and how many threads it may use. */
export function convgradNotes(backend: string): string[] {
  core.setBackend(backend);
  const variant = (core.getBackend() as { variant?: string }).variant;
  if (!variant) return [];
  const how = variant === 'relaxed-simd'
    ? 'relaxed-SIMD build (fused multiply-add; Node 20 needs V8\'s --experimental-wasm-relaxed-simd, which the loader turns on; CONVGRAD_RELAXED_SIMD=0 selects the plain-SIMD build)'
    : 'plain-SIMD build (mul + add)';
  return [`convgrad ${backend}: ${how}, threads: ${process.env.CONVGRAD_THREADS || 'all cores'}`];
}

/** How many threads the backend computes with: the wasm pool's size (main thread + workers), 1 for js. */
export function convgradThreads(backend: string): number {
  core.setBackend(backend);
  const info = core.runtimeInfo();
  return info.backend === 'wasm' ? info.threads : 1;
}

export function convgradRunner(backend: string, c: ConvCase, data: CaseData): Runner {
  return makeConvgradRunner(core, backend, c, data);
}
