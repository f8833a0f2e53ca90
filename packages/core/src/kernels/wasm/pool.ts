// Runs a kernel job on the calling thread plus worker threads that share the wasm memory.
// Protocol per worker, an Int32Array control slot in shared memory:
//   main writes KIND/DESC/FROM/TO, bumps GEN and notifies; the worker runs its range, stores DONE = GEN
//   and notifies; main runs its own range meanwhile, then waits for every DONE. Workers spin briefly and
//   then sleep in Atomics.wait; they are unref'd, so they never keep the process alive.
// Workers start lazily on the first job large enough to share, and jobs run single-threaded until they
// report READY, so nothing ever waits for a thread to start.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WasmKernels } from './module.ts';

const GEN = 0, DONE = 1, KIND = 2, DESC = 3, FROM = 4, TO = 5, READY = 6, FAILED = 7;
const SLOT_INTS = 16;
const WORKER_SPIN = 20_000; // ~ tens of µs of polling before a worker sleeps

/** Below this many flops a job stays on the calling thread (waking a worker costs ~10-50 µs). */
export const PARALLEL_MIN_FLOPS = 400_000;

export class Pool {
  private workers: Worker[] = [];
  private ctl: Int32Array[] = [];
  private gen = 0;
  private started = false;
  private broken = false;
  /** Jobs that ran on more than one thread. */
  parallelJobs = 0;

  /** `ctlBase`: SLOT_INTS·4 bytes per possible worker, reserved in wasm memory by the caller. */
  constructor(private readonly k: WasmKernels, private readonly ctlBase: number, readonly maxWorkers: number) {}

  static slotBytes(workers: number): number {
    return workers * SLOT_INTS * 4;
  }

  static defaultWorkers(): number {
    const env = process.env.CONVGRAD_THREADS;
    const threads = env !== undefined && env !== '' ? Number(env) : availableParallelism();
    return Math.max(0, Math.min(15, (Number.isFinite(threads) ? Math.floor(threads) : 1) - 1));
  }

  private start(): void {
    this.started = true;
    const url = new URL('./worker.mjs', import.meta.url);
    for (let i = 0; i < this.maxWorkers; i++) {
      const slot = this.ctlBase + i * SLOT_INTS * 4;
      const ctl = new Int32Array(this.k.memory.buffer, slot, SLOT_INTS);
      ctl.fill(0);
      try {
        // plain JS: no loader or flags of the parent (e.g. --input-type, tsx) are needed or wanted
        const w = new Worker(url, { execArgv: [], workerData: { module: this.k.module, memory: this.k.memory, slot, spin: WORKER_SPIN } });
        w.unref();
        w.on('error', (e) => {
          this.broken = true;
          console.warn(`convgrad: wasm worker failed (${e.message}); continuing on one thread`);
        });
        this.workers.push(w);
        this.ctl.push(ctl);
      } catch (e) {
        console.warn(`convgrad: cannot start a wasm worker (${(e as Error).message}); continuing on one thread`);
        break;
      }
    }
  }

  /** Starts the workers (if not yet) and resolves once all of them can take work. */
  async warm(timeoutMs = 10_000): Promise<number> {
    if (!this.started) this.start();
    const t0 = Date.now();
    while (!this.broken && this.ctl.some((c) => Atomics.load(c, READY) !== 1)) {
      if (Date.now() - t0 > timeoutMs) throw new Error('convgrad: wasm workers did not start');
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.broken ? 0 : this.ctl.length;
  }

  /** Workers ready to take work now. */
  private ready(): Int32Array[] {
    if (!this.started) this.start();
    if (this.broken) return [];
    return this.ctl.filter((c) => Atomics.load(c, READY) === 1);
  }

  /**
   * Runs units [0, units) of job `kind`/`desc`. `align` > 1 prefers split points at multiples of it
   * (units of one image), `flops` decides whether sharing pays.
   */
  run(kind: number, desc: number, units: number, flops: number, align = 1): void {
    const run = this.k.exports.run;
    const helpers = this.maxWorkers > 0 && units > 1 && flops >= PARALLEL_MIN_FLOPS ? this.ready().slice(0, units - 1) : [];
    if (helpers.length === 0) {
      run(kind, desc, 0, units);
      return;
    }
    this.parallelJobs++;
    const parts = helpers.length + 1;
    const cut = (i: number): number => {
      const even = Math.round((units * i) / parts);
      const aligned = Math.round(even / align) * align;
      return align > 1 && Math.abs(aligned - even) * 8 <= units / parts ? aligned : even;
    };
    const gen = ++this.gen;
    for (let i = 0; i < helpers.length; i++) {
      const c = helpers[i];
      c[KIND] = kind;
      c[DESC] = desc;
      c[FROM] = cut(i + 1);
      c[TO] = cut(i + 2);
      Atomics.store(c, GEN, gen);
      Atomics.notify(c, GEN);
    }
    run(kind, desc, 0, cut(1));
    for (const c of helpers) {
      for (let i = 0; Atomics.load(c, DONE) !== gen; i++) {
        if (i > 2000) Atomics.wait(c, DONE, Atomics.load(c, DONE), 1);
      }
      if (Atomics.load(c, FAILED)) throw new Error('convgrad: a wasm worker failed while running a kernel');
    }
  }
}
