// Median wall-clock time of a function, warmed up, with repetitions bounded by a time budget.

export interface Timing {
  /** Median of the timed runs, in ms. */
  readonly ms: number;
  /** How many runs were timed. */
  readonly reps: number;
}

export interface TimingOptions {
  /** Timed runs wanted (fewer when a run is slow). */
  readonly reps: number;
  /** Rough ceiling for warm-up plus timed runs, in ms. */
  readonly budgetMs: number;
}

/**
 * Warms up (JIT, scratch buffers, wasm memory growth), then times up to `reps` runs.
 * A first run slower than half the budget is taken as the only measurement: at seconds per run,
 * warm-up effects are noise, and this is what keeps tfjs-cpu's slow cases to a single run.
 */
export function time(fn: () => void, opts: TimingOptions): Timing {
  let t = performance.now();
  fn();
  const first = performance.now() - t;
  if (first > opts.budgetMs / 2) return { ms: first, reps: 1 };
  // More warm-up while it is cheap: at least 2 more runs, up to ~10% of the budget.
  for (let i = 0, spent = first; i < 2 || (i < 20 && spent < opts.budgetMs / 10); i++) {
    t = performance.now();
    fn();
    spent += performance.now() - t;
  }
  const reps = Math.max(1, Math.min(opts.reps, Math.floor((opts.budgetMs * 0.8) / Math.max(first, 1e-3))));
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((p, q) => p - q);
  const mid = samples.length >> 1;
  return { ms: samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2, reps };
}
