// The benchmark's markdown table.
import { forwardFlops, trainFlops, type ConvCase } from './cases.ts';
import type { Timing } from './timing.ts';

export interface Row {
  readonly c: ConvCase;
  /** 'convgrad js', 'convgrad wasm', 'tfjs-cpu', 'tfjs-wasm', 'pytorch'. */
  readonly impl: string;
  readonly fwd: Timing | null;
  readonly train: Timing | null;
}

const ms = (t: Timing | null) => (t ? (t.ms >= 100 ? t.ms.toFixed(0) : t.ms >= 10 ? t.ms.toFixed(1) : t.ms.toFixed(2)) : '–');
const cpu = (t: Timing | null) => (t && Number.isFinite(t.cpuMs) ? ms({ ms: t.cpuMs, reps: t.reps, cpuMs: t.cpuMs }) : '–'); // no CPU clock in a web page
const gf = (t: Timing | null, flops: number) => (t ? (flops / t.ms / 1e6).toFixed(2) : '–');
/** How many times faster than the reference (>1: faster). */
const speedup = (mine: Timing | null, ref: Timing | null | undefined) => {
  if (!mine || !ref) return '–';
  const r = ref.ms / mine.ms;
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`;
};

/**
 * One row per (case, implementation): median ms and GFLOP/s for forward and forward+backward, mean
 * process CPU ms per run, and for
 * convgrad rows the speed-up over each reference implementation (tfjs-cpu, tfjs-wasm, pytorch: its time ÷
 * convgrad's time, so > 1 means convgrad is faster).
 */
export function markdownTable(rows: readonly Row[], refImpls: readonly string[]): string {
  const head = ['case', 'implementation', 'fwd ms', 'fwd GF/s', 'fwd+bwd ms', 'fwd+bwd GF/s', 'fwd CPU ms', 'fwd+bwd CPU ms'];
  for (const t of refImpls) head.push(`fwd vs ${t}`, `fwd+bwd vs ${t}`);
  head.push('runs (fwd/fwd+bwd)');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [r.c.id, r.impl, ms(r.fwd), gf(r.fwd, forwardFlops(r.c)), ms(r.train), gf(r.train, trainFlops(r.c)), cpu(r.fwd), cpu(r.train)];
    for (const t of refImpls) {
      const ref = rows.find((q) => q.c === r.c && q.impl === t);
      const mine = r.impl.startsWith('convgrad');
      cells.push(mine ? speedup(r.fwd, ref?.fwd) : '', mine ? speedup(r.train, ref?.train) : '');
    }
    cells.push(`${r.fwd?.reps ?? 0}/${r.train?.reps ?? 0}`);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
