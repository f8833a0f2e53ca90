// Median wall-clock times of several functions, warmed up, measured in interleaved rounds (so a
// change in machine load hits every implementation alike), with repetitions bounded by a time budget.

export interface Timing {
  /** Median of the timed runs, in ms. */
  readonly ms: number;
  /** How many runs were timed. */
  readonly reps: number;
  /**
   * Mean process CPU time per timed run, in ms (user + system, all threads): about the wall time for
   * single-threaded code, the summed cost of all threads for code that uses workers.
   */
  readonly cpuMs: number;
}

export interface TimingOptions {
  /** Timed runs wanted per function (fewer when a run is slow). */
  readonly reps: number;
  /** Rough ceiling for one function's warm-up plus timed runs, in ms. */
  readonly budgetMs: number;
}

function once(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(samples: number[]): number {
  const s = [...samples].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Warms each function up (JIT, scratch buffers, wasm memory growth), then times up to `reps` runs of
 * each, one run of every function per round. A first run slower than half the budget is taken as that
 * function's only measurement: at seconds per run, warm-up effects are noise, and this is what keeps
 * tfjs-cpu's slow cases to a single run.
 */
export function timeInterleaved(fns: readonly (() => void)[], opts: TimingOptions): Timing[] {
  const samples: number[][] = fns.map(() => []);
  const cpu: number[] = fns.map(() => 0);
  const reps: number[] = [];
  fns.forEach((fn, i) => {
    const c0 = cpuNow();
    const first = once(fn);
    if (first > opts.budgetMs / 2) {
      cpu[i] = cpuNow() - c0;
      samples[i].push(first);
      reps.push(0);
      return;
    }
    // More warm-up while it is cheap: at least 2 more runs, up to ~10% of the budget.
    for (let k = 0, spent = first; k < 2 || (k < 20 && spent < opts.budgetMs / 10); k++) spent += once(fn);
    reps.push(Math.max(1, Math.min(opts.reps, Math.floor((opts.budgetMs * 0.8) / Math.max(first, 1e-3)))));
  });
  const rounds = Math.max(0, ...reps);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, i) => {
      if (r >= reps[i]) return;
      const c0 = cpuNow();
      samples[i].push(once(fn));
      cpu[i] += cpuNow() - c0;
    });
  }
  return samples.map((s, i) => ({ ms: median(s), reps: s.length, cpuMs: cpu[i] / s.length }));
}
