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
//   ACTIVE  workers allowed to take part (the `threads` setting, minus the caller); changed between jobs
//   CLAIMS+i  chunks worker i has taken (so tests and pages can see how many threads really worked)
// Workers spin briefly and then sleep in Atomics.wait; in Node they are unref'd, so they never keep the
// process alive. They start lazily on the first job large enough to share; jobs run on the caller alone
// until workers report READY, so nothing ever waits for a thread to start. Worker threads come from the
// platform (Node: worker_threads; browsers: module Web Workers, only in a cross-origin-isolated page).
// A browser's main thread may not block in Atomics.wait: there the caller polls for the workers' last
// chunks instead (they run on other cores).
import { platform } from '#platform';
import type { KernelWorker } from '../../platform/types.ts';
import { getConfig, MAX_THREADS } from '../../settings.ts';
import type { WasmKernels } from './module.ts';
import { StallJudge } from './stall.ts';

const GEN = 0, NEXT = 1, DONE = 2, KIND = 3, DESC = 4, TOTAL = 5, CHUNK = 6, READY = 7, FAILED = 8, ACTIVE = 9, CLAIMS = 16;
const MAX_WORKERS = MAX_THREADS - 1;
const CTL_INTS = CLAIMS + MAX_WORKERS + 1;
const TAG_SHIFT = 20, UNIT_MASK = (1 << TAG_SHIFT) - 1;
const WORKER_SPIN = 4_000; // ~20 µs of polling before a worker sleeps: catches back-to-back jobs, wastes little

/** Below this many flops a job stays on the calling thread (waking a worker costs ~10–50 µs). */
export const PARALLEL_MIN_FLOPS = 400_000;
/** Work per claimed chunk: small enough that a stalled worker holds little, large enough to amortise a claim. */
const CHUNK_FLOPS = 250_000;

export class Pool {
  private readonly ctl: Int32Array;
  private workers: KernelWorker[] = [];
  private gen = 0;
  private broken = false;
  /** Whether the caller may sleep in Atomics.wait (not on a browser's main thread: it polls). */
  private readonly block = platform.canBlock();
  private workerCount: number;
  /** Jobs that were offered to worker threads. */
  parallelJobs = 0;
  /** Whether jobs run alone for a while because workers stalled them (stall.ts); null: every job is offered. */
  private stalls: StallJudge | null = new StallJudge();
  private deferred: (() => void) | null = null;

  /** `ctlAt`: CONTROL_BYTES reserved in wasm memory by the caller; `workers`: helper threads (capped here). */
  constructor(private readonly k: WasmKernels, private readonly ctlAt: number, workers: number) {
    this.ctl = new Int32Array(k.memory.buffer, ctlAt, CTL_INTS);
    this.ctl.fill(0);
    this.workerCount = this.allowed(workers);
    Atomics.store(this.ctl, ACTIVE, this.workerCount);
  }

  static readonly CONTROL_BYTES = CTL_INTS * 4;

  private static cap(workers: number): number {
    return Math.max(0, Math.min(MAX_WORKERS, platform.maxThreads() - 1, Math.floor(workers)));
  }

  /** No workers on an unshared memory (kernels loaded where the engine makes no shared memories). */
  private allowed(workers: number): number {
    return this.k.shared ? Pool.cap(workers) : 0;
  }

  /** Helper threads for the `threads` setting: threads − 1, and none where workers cannot share memory. */
  static defaultWorkers(threads = getConfig().threads): number {
    return Pool.cap(threads - 1);
  }

  /**
   * Whether stalled jobs make the pool run jobs alone for a while (stall.ts; default true). Tests that
   * count the jobs offered to workers turn it off, so that a busy machine cannot change what they see.
   */
  get adaptive(): boolean {
    return this.stalls !== null;
  }
  set adaptive(on: boolean) {
    this.stalls = on ? new StallJudge() : null;
  }

  /** Helper threads jobs may use (besides the caller). */
  get maxWorkers(): number {
    return this.workerCount;
  }

  /**
   * Changes the helper threads jobs may use (between jobs: the caller is never inside `run` then).
   * Fewer: the others sit jobs out. More: started on the next job large enough to share.
   */
  setMaxWorkers(workers: number): void {
    this.workerCount = this.allowed(workers);
    Atomics.store(this.ctl, ACTIVE, this.workerCount);
  }

  /** Workers started so far (they never exceed the largest maxWorkers set). */
  get startedWorkers(): number {
    return this.workers.length;
  }

  /** Chunks each started worker has taken since the pool was made. */
  workerChunks(): number[] {
    return this.workers.map((_, i) => Atomics.load(this.ctl, CLAIMS + i));
  }

  /** Workers that have run part of a job (taken a chunk). */
  workersUsed(): number {
    return this.workerChunks().filter((c) => c > 0).length;
  }

  /** Starts workers up to maxWorkers. */
  private start(): void {
    const init = { module: this.k.module, memory: this.k.memory, ctlAt: this.ctlAt, spin: WORKER_SPIN };
    while (this.workers.length < this.workerCount) {
      try {
        this.workers.push(platform.startWorker({ ...init, index: this.workers.length }, (message) => {
          this.broken = true;
          console.warn(`convgrad: wasm worker failed (${message}); continuing on one thread`);
        }));
      } catch (e) {
        this.broken = true;
        console.warn(`convgrad: cannot start a wasm worker (${(e as Error).message}); continuing on one thread`);
        break;
      }
    }
  }

  /** Stops the workers (the kernels are being replaced; no job is running). */
  close(): void {
    for (const w of this.workers) w.terminate();
    this.workers = [];
    this.broken = true;
  }

  /** Starts the workers (if not yet) and resolves once all of them can take work. */
  async warm(timeoutMs = 10_000): Promise<number> {
    if (this.workers.length < this.workerCount) this.start();
    const t0 = Date.now();
    while (!this.broken && Atomics.load(this.ctl, READY) < this.workers.length) {
      if (Date.now() - t0 > timeoutMs) throw new Error('convgrad: wasm workers did not start');
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.broken ? 0 : Math.min(this.workers.length, this.workerCount);
  }

  /**
   * Caller-side work that touches no wasm memory (e.g. first-touching the JS array a result will be
   * copied to): done once, during the next job, right after the workers are woken, so it overlaps their
   * start. `null` drops a task no job picked up.
   */
  defer(task: (() => void) | null): void {
    this.deferred = task;
  }

  /** Takes back the deferred task (to defer it again for a later, larger job), or null. */
  takeDeferred(): (() => void) | null {
    const task = this.deferred;
    this.deferred = null;
    return task;
  }

  /**
   * Runs units [0, units) of job `kind`/`desc`; `flops` decides whether sharing pays. Chunks are whole
   * multiples of `align` units (e.g. the units of one image, prepared by the thread that claims them).
   * `between`: caller-side work on finished parts of the job (e.g. copying finished images out), called
   * between the caller's chunks and instead of idling while the workers finish theirs; it returns
   * whether it found anything to do. Only called when workers share the job.
   */
  run(kind: number, desc: number, units: number, flops: number, align = 1, between: (() => boolean) | null = null): void {
    const run = this.k.exports.run;
    const meanwhile = this.deferred;
    this.deferred = null;
    if (this.workerCount === 0 || units < 2 || flops < PARALLEL_MIN_FLOPS || units > UNIT_MASK >> 1) {
      meanwhile?.();
      run(kind, desc, 0, units);
      return;
    }
    if (this.workers.length < this.workerCount && !this.broken) this.start();
    if (this.broken || Atomics.load(this.ctl, READY) === 0 || this.stalls?.soloNext()) {
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
      between?.();
    }
    Atomics.store(ctl, NEXT, tag | UNIT_MASK); // exhausted: no late claim on this job
    const t1 = performance.now();
    let busy = 0; // time spent in `between` while waiting: not waiting for the workers
    // the caller's units count too: whoever completes the last unit notifies (a worker) or sees it (here)
    for (let i = 0, done = Atomics.add(ctl, DONE, mine) + mine; done < units; i++, done = Atomics.load(ctl, DONE)) {
      if (between) {
        const b0 = performance.now();
        if (between()) {
          busy += performance.now() - b0;
          continue;
        }
      }
      if (i > 1000 && this.block) Atomics.wait(ctl, DONE, done, 1);
    }
    if (Atomics.load(ctl, FAILED)) throw new Error('convgrad: a wasm worker failed while running a kernel');
    this.stalls?.judge(t0, t1, performance.now() - busy, mine === units, flops);
  }
}
