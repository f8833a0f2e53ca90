// A kernel Web Worker (module worker): its start-up data (compiled module, shared memory, control block
// address) arrive as the first message; from then on it only talks through the shared memory.
import { serve } from '../kernels/wasm/worker-loop.mjs';

self.addEventListener('message', (e) => serve(e.data), { once: true });
