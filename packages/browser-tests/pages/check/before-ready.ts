// Ops work before the kernels have loaded: the first synchronous code of a page runs on the js kernels
// while the wasm loads in the background; after `await ready()` the same op on wasm gives the same values.
import { conv2d, randn, runtimeInfo } from '@convgrad/core';
import { relError } from '../rel-error.ts';
import type { BeforeReady } from './result.ts';

/** conv2d forward and backward of one fixed case; the outputs concatenated (y, dX, dW, db). */
function convOnce(): Float32Array {
  const x = randn([2, 3, 8, 8], { seed: 11, requiresGrad: true });
  const w = randn([4, 3, 3, 3], { seed: 12, requiresGrad: true });
  const b = randn([4], { seed: 13, requiresGrad: true });
  const y = conv2d(x, w, b, { stride: 2, padding: 1 });
  y.backward(randn([...y.shape], { seed: 14 }));
  return Float32Array.from([...y.data, ...x.grad!.data, ...w.grad!.data, ...b.grad!.data]);
}

/** Call before the first await: what runs then, and the op's values on it. */
export function beforeReady(): { finish(): BeforeReady } {
  const { backend, wasm } = runtimeInfo();
  const early = convOnce();
  return {
    /** Call after `await ready()`. */
    finish: () => ({ backend, wasm, backendAfter: runtimeInfo().backend, maxRelError: relError(convOnce(), early) }),
  };
}
