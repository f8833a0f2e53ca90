// Median wall-clock times of several implementations, warmed up, measured in interleaved turns (so a
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

/** Timed runs an implementation makes in a row before the next one takes its turn. */
export const BLOCK = 5;
/**
 * Runs shorter than SETTLE_BELOW_MS get untimed runs for SETTLE_MS at the start of each turn: they pay for
 * what the other implementations' turns left behind (caches, sleeping threads: theirs and this one's, and
 * convgrad's pool judging its woken workers stalled). Measured here (case c, full `pnpm bench` set, 2 threads):
 * convgrad's fwd+bwd 6.4–7.3 ms with one settling run, 5.2 ms after 100 ms of them, 4.7 ms after 300 ms,
 * as in a run of convgrad alone (4.7–4.8 ms); PyTorch 2.2–2.3 ms in all three. Interleaved one run at a
 * time, every time rose: convgrad 4.8 → 8.2 ms, PyTorch 2.4 → 5.3 ms.
 */
export const SETTLE_BELOW_MS = 50;
export const SETTLE_MS = 200;

/**
 * Warms each implementation up (JIT, scratch buffers, wasm memory growth), then times up to `reps` runs
 * of each in interleaved turns: each turn is SETTLE_MS of untimed runs (for runs under SETTLE_BELOW_MS) and
 * up to BLOCK timed runs, then the next implementation's turn, so a change in machine load still hits
 * every implementation alike while no timed run follows another implementation's directly. A first run
 * slower than half the budget is taken as that implementation's only measurement: at seconds per run,
 * warm-up effects are noise, and this is what keeps tfjs-cpu's slow cases to a single run.
 */
export async function timeInterleaved(runs: readonly (() => Sample | Promise<Sample>)[], opts: TimingOptions): Promise<Timing[]> {
  const samples: number[][] = runs.map(() => []);
  const cpu: number[] = runs.map(() => 0);
  const reps: number[] = [];
  const settle: boolean[] = [];
  for (const [i, run] of runs.entries()) {
    const first = await run();
    settle.push(first.ms < SETTLE_BELOW_MS);
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
  const turns = Math.ceil(Math.max(0, ...reps) / BLOCK);
  for (let t = 0; t < turns; t++) {
    for (const [i, run] of runs.entries()) {
      const timed = Math.min(BLOCK, reps[i] - t * BLOCK);
      if (timed <= 0) continue;
      if (settle[i]) {
        const t0 = performance.now();
        do await run(); while (performance.now() - t0 < SETTLE_MS);
      }
      for (let k = 0; k < timed; k++) {
        const s = await run();
        samples[i].push(s.ms);
        cpu[i] += s.cpuMs;
      }
    }
  }
  return samples.map((s, i) => ({ ms: median(s), reps: s.length, cpuMs: cpu[i] / s.length }));
}
