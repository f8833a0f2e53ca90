// Entry of a benchmark worker thread: Node 20 does not apply tsx's `--import` hooks to a worker's own
// entry module, so the TypeScript worker (workerData.entry) is loaded through tsx's API instead.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
