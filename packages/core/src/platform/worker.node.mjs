// A kernel worker thread in Node: its start-up data arrive as workerData. Plain JS, so Node starts it
// without a TypeScript loader.
import { workerData } from 'node:worker_threads';
import { serve } from '../kernels/wasm/worker-loop.mjs';

serve(workerData);
