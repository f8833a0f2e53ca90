// When the thread pool stops sharing jobs for a while: workers that take no chunk, or make the caller
// wait a large part of a job for their last one, are not getting a core (a busy machine). Only the
// caller's own waiting within a job is judged, never timings of different jobs against each other: on a
// machine whose speed drifts (shared VMs) such comparisons switched the threads off for no reason.

/**
 * A shared job stalls when the caller waited for the workers' last chunks longer than STALL_FRACTION of
 * the job and more than STALL_MIN_MS (a worker descheduled mid-chunk; finishing a chunk takes ~10 µs).
 * From JUDGE_FLOPS on (long enough that waking a worker, ~10–100 µs, does not count) a job in which no
 * worker took a chunk stalls too.
 */
export const JUDGE_FLOPS = 10_000_000;
const STALL_FRACTION = 0.3;
const STALL_MIN_MS = 0.05;
/**
 * After STARVED_JOBS stalled jobs in a row the next jobs run on the caller alone: BACKOFF_JOBS of them,
 * twice as many each time the stalls come back (a machine that stays busy), up to MAX_BACKOFF_JOBS; a
 * shared job that goes well resets that.
 */
export const STARVED_JOBS = 4;
export const BACKOFF_JOBS = 16;
export const MAX_BACKOFF_JOBS = 1024;

export class StallJudge {
  private starved = 0;
  private backoff = 0;
  private nextBackoff = BACKOFF_JOBS;

  /** Whether the next shareable job should run on the caller alone (counts it). */
  soloNext(): boolean {
    if (this.backoff === 0) return false;
    this.backoff--;
    return true;
  }

  /**
   * A shared job: posted at t0, the caller's part done at t1, the workers' at t2 (ms); `alone`: no worker
   * took a chunk.
   */
  judge(t0: number, t1: number, t2: number, alone: boolean, flops: number): void {
    const waited = t2 - t1;
    const stalled = (alone && flops >= JUDGE_FLOPS) || (waited > STALL_MIN_MS && waited > STALL_FRACTION * (t2 - t0));
    if (!stalled) {
      // a small job the workers woke too late for says nothing about the machine
      if (!alone) {
        this.starved = 0;
        this.nextBackoff = BACKOFF_JOBS;
      }
      return;
    }
    if (++this.starved < STARVED_JOBS) return;
    this.starved = 0;
    this.backoff = this.nextBackoff;
    this.nextBackoff = Math.min(MAX_BACKOFF_JOBS, 2 * this.nextBackoff);
  }
}
