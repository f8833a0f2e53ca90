// The whole-step benchmark's numbers and table: one training run of N images per implementation and
// round, extrapolated to an epoch of the 60,000 training images. Pure, so a test pins it down.
import { median } from '../../core/bench/timing.ts';

export const EPOCH_IMAGES = 60_000;

/** One timed run: `images` training images in batches (after a warm-up), wall and process CPU seconds. */
export interface StepTiming {
  readonly images: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** Mean training loss and accuracy over the timed batches (a sanity check that it learns). */
  readonly loss: number;
  readonly accuracy: number;
}

/** Checks a run's result (from the PyTorch process or convgrad) field by field. */
export function toStepTiming(result: unknown, who: string): StepTiming {
  const r = (result ?? {}) as Record<string, unknown>;
  for (const k of ['images', 'seconds', 'cpuSeconds', 'loss', 'accuracy']) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${who}: step result field '${k}' should be a finite number ≥ 0, got ${JSON.stringify(v)}`);
  }
  if (!((r.images as number) > 0 && (r.seconds as number) > 0)) throw new Error(`${who}: step result timed ${String(r.images)} images in ${String(r.seconds)} s`);
  return { images: r.images as number, seconds: r.seconds as number, cpuSeconds: r.cpuSeconds as number, loss: r.loss as number, accuracy: r.accuracy as number };
}

/** Seconds per epoch of 60,000 images, from a run of fewer (or as many). */
export function epochSeconds(t: StepTiming): number {
  return (t.seconds * EPOCH_IMAGES) / t.images;
}

export function epochCpuSeconds(t: StepTiming): number {
  return (t.cpuSeconds * EPOCH_IMAGES) / t.images;
}

/** One implementation's runs, one per round. */
export interface StepRow {
  /** 'convgrad wasm', 'pytorch', … */
  readonly impl: string;
  readonly threads: number;
  readonly runs: readonly StepTiming[];
}

/** Median seconds per epoch over the rounds. */
export function medianEpochSeconds(row: StepRow): number {
  return median(row.runs.map(epochSeconds));
}

const s1 = (x: number) => x.toFixed(1);
const ratio = (r: number) => `${r.toFixed(2)}×`;

/**
 * The table: per implementation, seconds per epoch (median over rounds, and each round), CPU seconds per
 * epoch, images per second, loss/accuracy of the timed batches, and for every other row "vs X" = X's
 * seconds per epoch ÷ this row's (> 1: this row is faster), for each reference row (pytorch).
 */
export function stepTable(rows: readonly StepRow[], refImpls: readonly string[]): string {
  const refs = rows.filter((r) => refImpls.includes(r.impl));
  const head = ['implementation', 'threads', 'images timed', 's per epoch (median)', 'each round', 'CPU s per epoch', 'images/s', 'loss / accuracy (timed batches)'];
  for (const r of refs) head.push(`vs ${r.impl}`);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of rows) {
    if (row.runs.length === 0) continue;
    const sec = medianEpochSeconds(row);
    const last = row.runs[row.runs.length - 1];
    const cells = [
      row.impl,
      String(row.threads),
      row.runs.map((t) => t.images).join(', '),
      s1(sec),
      row.runs.map((t) => s1(epochSeconds(t))).join(', '),
      s1(median(row.runs.map(epochCpuSeconds))),
      (EPOCH_IMAGES / sec).toFixed(0),
      `${last.loss.toFixed(3)} / ${(100 * last.accuracy).toFixed(1)} %`,
    ];
    for (const ref of refs) cells.push(ref === row || ref.runs.length === 0 ? '' : ratio(medianEpochSeconds(ref) / sec));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
