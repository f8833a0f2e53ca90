// Runs a kernel job on the calling thread plus worker threads that share the wasm memory.
// Units are claimed in chunks from a shared counter, so a worker that is slow to wake (or descheduled
// on a busy machine) only delays the chunk it holds; the caller takes whatever is left.
// Control block (Int32Array in shared memory):
//   GEN   job number; main bumps it and notifies to post a job (KIND, DESC, TOTAL, CHUNK written before)
//   NEXT  (GEN tag << 20) | next unclaimed unit; workers claim by compare-exchange checking the tag (main,
//         the only adder, by fetch-add), and main marks a finished job's tag exhausted, so a late worker
//         can never claim units of a job it did not read the parameters of
//   DONE  units completed (workers add theirs per chunk, main its own at the end); main waits for DONE = TOTAL,
//         and the thread whose add completes the job notifies
// Workers spin briefly and then sleep in Atomics.wait; they are unref'd, so they never keep the process
// alive. They start lazily on the first job large enough to share; jobs run on the caller alone until
// workers report READY, so nothing ever waits for a thread to start.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WasmKernels } from './module.ts';

const GEN = 0, NEXT = 1, DONE = 2, KIND = 3, DESC = 4, TOTAL = 5, CHUNK = 6, READY = 7, FAILED = 8;
const CTL_INTS = 16;
const TAG_SHIFT = 20, UNIT_MASK = (1 << TAG_SHIFT) - 1;
const WORKER_SPIN = 4_000; // ~20 µs of polling before a worker sleeps: catches back-to-back jobs, wastes little

/** Below this many flops a job stays on the calling thread (waking a worker costs ~10–50 µs). */
export const PARALLEL_MIN_FLOPS = 400_000;
/**
 * Jobs from this size on are judged (long enough that waking a worker, ~10–100 µs, does not count): one
 * stalls when no worker took a chunk, or the caller waited for the workers' last chunks longer than
 * STALL_FRACTION of the job (a worker descheduled mid-chunk: no free core for it).
 */
const JUDGE_FLOPS = 10_000_000;
const STALL_FRACTION = 0.3;
/** After this many stalled jobs in a row, the next BACKOFF_JOBS jobs run on the caller alone. */
const STARVED_JOBS = 4;
const BACKOFF_JOBS = 16;
/** Work per claimed chunk: small enough that a stalled worker holds little, large enough to amortise a claim. */
const CHUNK_FLOPS = 250_000;

export class Pool {
  private readonly ctl: Int32Array;
  private workers: Worker[] = [];
  private gen = 0;
  private started = false;
  private broken = false;
  /** Jobs that were offered to worker threads. */
  parallelJobs = 0;
  /** Judged jobs in a row that stalled (busy machine), and jobs left to run alone. */
  private starved = 0;
  private backoff = 0;
  private deferred: (() => void) | null = null;

  /** `ctlAt`: CONTROL_BYTES reserved in wasm memory by the caller. */
  constructor(private readonly k: WasmKernels, private readonly ctlAt: number, readonly maxWorkers: number) {
    this.ctl = new Int32Array(k.memory.buffer, ctlAt, CTL_INTS);
    this.ctl.fill(0);
  }

  static readonly CONTROL_BYTES = CTL_INTS * 4;

  static defaultWorkers(): number {
    const env = process.env.CONVGRAD_THREADS;
    const threads = env !== undefined && env !== '' ? Number(env) : availableParallelism();
    return Math.max(0, Math.min(15, (Number.isFinite(threads) ? Math.floor(threads) : 1) - 1));
  }

  private start(): void {
    this.started = true;
    const url = new URL('./worker.mjs', import.meta.url);
    for (let i = 0; i < this.maxWorkers; i++) {
      try {
        // plain JS: no loader or flags of the parent (e.g. --input-type, tsx) are needed or wanted
        const w = new Worker(url, { execArgv: [], workerData: { module: this.k.module, memory: this.k.memory, ctlAt: this.ctlAt, spin: WORKER_SPIN } });
        w.unref();
        w.on('error', (e) => {
          this.broken = true;
          console.warn(`convgrad: wasm worker failed (${e.message}); continuing on one thread`);
        });
        this.workers.push(w);
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
    while (!this.broken && Atomics.load(this.ctl, READY) < this.workers.length) {
      if (Date.now() - t0 > timeoutMs) throw new Error('convgrad: wasm workers did not start');
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.broken ? 0 : this.workers.length;
  }

  /**
   * Caller-side work that touches no wasm memory (e.g. first-touching the JS array a result will be
   * copied to): done once, during the next job, right after the workers are woken, so it overlaps their
   * start. `null` drops a task no job picked up.
   */
  defer(task: (() => void) | null): void {
    this.deferred = task;
  }

  /**
   * Runs units [0, units) of job `kind`/`desc`; `flops` decides whether sharing pays. Chunks are whole
   * multiples of `align` units (e.g. the units of one image, prepared by the thread that claims them).
   */
  run(kind: number, desc: number, units: number, flops: number, align = 1): void {
    const run = this.k.exports.run;
    const meanwhile = this.deferred;
    this.deferred = null;
    if (this.maxWorkers === 0 || units < 2 || flops < PARALLEL_MIN_FLOPS || units > UNIT_MASK >> 1) {
      meanwhile?.();
      run(kind, desc, 0, units);
      return;
    }
    if (!this.started) this.start();
    if (this.broken || Atomics.load(this.ctl, READY) === 0 || this.backoff > 0) {
      if (this.backoff > 0) this.backoff--;
      meanwhile?.();
      run(kind, desc, 0, units);
      return;
    }
    this.parallelJobs++;
    const t0 = performance.now();
    const ctl = this.ctl;
    const fine = Math.max(1, Math.min(Math.ceil(units / 4), Math.floor((units * CHUNK_FLOPS) / flops)));
    const chunk = Math.ceil(fine / align) * align;
    const gen = (this.gen = (this.gen + 1) & 0x3fffffff);
    const tag = (gen & 0x7ff) << TAG_SHIFT;
    ctl[KIND] = kind;
    ctl[DESC] = desc;
    ctl[TOTAL] = units;
    ctl[CHUNK] = chunk;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, NEXT, tag);
    Atomics.store(ctl, GEN, gen);
    Atomics.notify(ctl, GEN);
    meanwhile?.();
    let mine = 0;
    for (;;) {
      const from = Atomics.add(ctl, NEXT, chunk) & UNIT_MASK; // only this thread adds; workers compare-exchange
      if (from >= units) break;
      const to = Math.min(units, from + chunk);
      run(kind, desc, from, to);
      mine += to - from;
    }
    Atomics.store(ctl, NEXT, tag | UNIT_MASK); // exhausted: no late claim on this job
    const t1 = performance.now();
    // the caller's units count too: whoever completes the last unit notifies (a worker) or sees it (here)
    for (let i = 0, done = Atomics.add(ctl, DONE, mine) + mine; done < units; i++, done = Atomics.load(ctl, DONE)) {
      if (i > 1000) Atomics.wait(ctl, DONE, done, 1);
    }
    if (Atomics.load(ctl, FAILED)) throw new Error('convgrad: a wasm worker failed while running a kernel');
    // Workers that take no chunk, or make the caller wait a large part of the job for their last one, are
    // not getting a core (a busy machine): stop waking them for a while. Only the caller's own waiting is
    // judged, never timings of different jobs against each other: on a machine whose speed drifts (shared
    // VMs) such comparisons switched the threads off for no reason.
    if (flops >= JUDGE_FLOPS) {
      const t2 = performance.now();
      const stalled = mine === units || t2 - t1 > STALL_FRACTION * (t2 - t0);
      this.starved = stalled ? this.starved + 1 : 0;
    }
    if (this.starved >= STARVED_JOBS) {
      this.starved = 0;
      this.backoff = BACKOFF_JOBS;
    }
  }
}
