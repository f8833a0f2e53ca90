// Which kernels the page runs on, and how many Web Workers have really done kernel work so far.
import { runtimeInfo } from '@convgrad/core';
import type { BackendState } from './result.ts';

export function backendState(): BackendState {
  const info = runtimeInfo();
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    backend: info.backend,
    wasm: info.wasm,
    reason: info.reason,
    variant: info.variant,
    threads: info.threads,
    workersStarted: info.workersStarted,
    workersUsed: info.workersUsed,
  };
}
