// When the pool stops offering jobs to its workers (kernels/wasm/stall.ts): only the caller's own waiting
// within a job counts; stalls that keep coming back double the time the jobs run alone.
import { describe, expect, it } from 'vitest';
import { BACKOFF_JOBS, JUDGE_FLOPS, MAX_BACKOFF_JOBS, STARVED_JOBS, StallJudge } from '../src/kernels/wasm/stall.ts';

const SMALL = 1_000_000;
/** A job of `ms` milliseconds whose caller waited `waited` ms at its end for the workers. */
const job = (j: StallJudge, waited: number, ms = 1, opts: { alone?: boolean; flops?: number } = {}) =>
  j.judge(0, ms - waited, ms, opts.alone ?? false, opts.flops ?? SMALL);
/** How many of the next jobs run alone (until one is offered again). */
function soloRun(j: StallJudge): number {
  let n = 0;
  while (j.soloNext()) n++;
  return n;
}

describe('pool stalls', () => {
  it(`${STARVED_JOBS} stalled jobs in a row make the next ${BACKOFF_JOBS} run alone; one good job in between resets the count`, () => {
    const j = new StallJudge();
    for (let i = 0; i < STARVED_JOBS - 1; i++) job(j, 0.6);
    expect(soloRun(j)).toBe(0);
    job(j, 0.01); // fine
    for (let i = 0; i < STARVED_JOBS - 1; i++) job(j, 0.6);
    expect(soloRun(j)).toBe(0);
    job(j, 0.6);
    expect(soloRun(j)).toBe(BACKOFF_JOBS);
  });

  it('a machine that stays busy: each backoff twice as long, up to the cap; a good shared job resets it', () => {
    const j = new StallJudge();
    const lengths: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < STARVED_JOBS; i++) job(j, 0.6);
      lengths.push(soloRun(j));
    }
    expect(lengths).toEqual(lengths.map((_, k) => Math.min(MAX_BACKOFF_JOBS, BACKOFF_JOBS * 2 ** k)));
    job(j, 0.01);
    for (let i = 0; i < STARVED_JOBS; i++) job(j, 0.6);
    expect(soloRun(j)).toBe(BACKOFF_JOBS);
  });

  it('what stalls: a long wait (absolute and relative), or no worker on a large job', () => {
    const stalls = (waited: number, ms: number, opts: { alone?: boolean; flops?: number } = {}) => {
      const j = new StallJudge();
      for (let i = 0; i < STARVED_JOBS; i++) job(j, waited, ms, opts);
      return soloRun(j) > 0;
    };
    expect(stalls(0.6, 1)).toBe(true);
    expect(stalls(0.2, 1)).toBe(false); // 20 % of the job: the last chunk
    expect(stalls(0.04, 0.1)).toBe(false); // 40 %, but 40 µs: a chunk finishing
    expect(stalls(0, 1, { alone: true, flops: JUDGE_FLOPS })).toBe(true);
    expect(stalls(0, 1, { alone: true, flops: JUDGE_FLOPS - 1 })).toBe(false); // woke too late for a small job
  });

  it('a small job the workers missed neither stalls nor resets the escalation', () => {
    const j = new StallJudge();
    for (let i = 0; i < STARVED_JOBS; i++) job(j, 0.6);
    expect(soloRun(j)).toBe(BACKOFF_JOBS);
    job(j, 0, 1, { alone: true });
    for (let i = 0; i < STARVED_JOBS; i++) job(j, 0.6);
    expect(soloRun(j)).toBe(2 * BACKOFF_JOBS);
  });
});
