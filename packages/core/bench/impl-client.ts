// Main-thread handle of one benchmark worker (impl-worker.ts): starts it, sends requests, awaits replies.
import { Worker } from 'node:worker_threads';
import type { ImplSpec, InitInfo, Request } from './impl-worker.ts';
import type { Sample } from './timing.ts';

export interface Grads {
  dx: Float32Array;
  dw: Float32Array;
  db: Float32Array;
}

export class ImplWorker {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(readonly name: string, spec: ImplSpec) {
    const entry = new URL('./impl-worker.ts', import.meta.url).href;
    this.worker = new Worker(new URL('./impl-worker-boot.mjs', import.meta.url), { workerData: { entry, spec } });
    this.worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(`${name}: ${m.error}`));
      else p.resolve(m.result);
    });
    const failAll = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', (e) => failAll(new Error(`${name} worker failed: ${e.stack ?? e.message}`)));
    this.worker.on('exit', (code) => failAll(new Error(`${name} worker exited (code ${code})`)));
  }

  private call<T>(req: Request): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, req });
    });
  }

  init = () => this.call<InitInfo>({ op: 'init' });
  /** Builds the case's inputs and runner in the worker; returns how its gradient is obtained. */
  setup = (caseId: string) => this.call<string>({ op: 'setup', caseId });
  grads = () => this.call<Grads>({ op: 'grads' });
  /** One run, timed inside the worker. */
  run = (which: 'forward' | 'train') => this.call<Sample>({ op: 'run', which });
  dispose = () => this.call<null>({ op: 'dispose' });
  terminate = () => this.worker.terminate();
}
