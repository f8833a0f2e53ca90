// Median wall-clock times of several implementations, warmed up, measured in interleaved rounds (so a
// change in machine load hits every implementation alike), with repetitions bounded by a time budget.
// Each implementation is a function that performs one run wherever it lives (here, or in a worker
// thread) and reports that run's own wall and CPU time as a Sample.

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

/** One run: wall ms and process CPU ms, measured around the single call. */
export interface Sample {
  readonly ms: number;
  readonly cpuMs: number;
}

export interface TimingOptions {
  /** Timed runs wanted per function (fewer when a run is slow). */
  readonly reps: number;
  /** Rough ceiling for one function's warm-up plus timed runs, in ms. */
  readonly budgetMs: number;
}

/**
 * Process-wide CPU time (all threads). Deliberately not a per-thread clock: helper threads an
 * implementation starts (convgrad's wasm worker pool) are part of its cost.
 */
function cpuNow(): number {
  if (typeof process === 'undefined') return NaN; // a web page (the browser bench) has no process clock
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Times one call of fn where it runs. */
export function sample(fn: () => void): Sample {
  const c0 = cpuNow();
  const t = performance.now();
  fn();
  const ms = performance.now() - t;
  return { ms, cpuMs: cpuNow() - c0 };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(samples: readonly number[]): number {
  const s = [...samples].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Warms each implementation up (JIT, scratch buffers, wasm memory growth), then times up to `reps` runs
 * of each, one run of every implementation per round. A first run slower than half the budget is taken
 * as that implementation's only measurement: at seconds per run, warm-up effects are noise, and this is
 * what keeps tfjs-cpu's slow cases to a single run.
 */
export async function timeInterleaved(runs: readonly (() => Sample | Promise<Sample>)[], opts: TimingOptions): Promise<Timing[]> {
  const samples: number[][] = runs.map(() => []);
  const cpu: number[] = runs.map(() => 0);
  const reps: number[] = [];
  for (const [i, run] of runs.entries()) {
    const first = await run();
    if (first.ms > opts.budgetMs / 2) {
      cpu[i] = first.cpuMs;
      samples[i].push(first.ms);
      reps.push(0);
      continue;
    }
    // More warm-up while it is cheap: at least 2 more runs, up to ~10% of the budget.
    for (let k = 0, spent = first.ms; k < 2 || (k < 20 && spent < opts.budgetMs / 10); k++) spent += (await run()).ms;
    reps.push(Math.max(1, Math.min(opts.reps, Math.floor((opts.budgetMs * 0.8) / Math.max(first.ms, 1e-3)))));
  }
  const rounds = Math.max(0, ...reps);
  for (let r = 0; r < rounds; r++) {
    for (const [i, run] of runs.entries()) {
      if (r >= reps[i]) continue;
      const s = await run();
      samples[i].push(s.ms);
      cpu[i] += s.cpuMs;
    }
  }
  return samples.map((s, i) => ({ ms: median(s), reps: s.length, cpuMs: cpu[i] / s.length }));
}
