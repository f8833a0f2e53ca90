// `pnpm bench:browser`: the conv2d bench cases in headless Chromium, in a cross-origin-isolated page
// (pages/bench/): convgrad's built package (wasm kernels, threads) beside @tensorflow/tfjs-backend-wasm
// (SIMD + threads) in the same page. Needs `pnpm build` first (the pages bundle the built dist/).
//
// Options: --cases a,b,c,d  --reps N (timed runs, default 30)  --budget MS (per measurement, default 4000)
//          --threads N (convgrad's threads; default: the hardware's)  --md FILE (also write the report)
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { CASES } from '../../core/bench/cases.ts';
import type { BenchResult } from '../pages/bench/result.ts';
import { missingChromium } from './chromium.ts';
import { startSession } from './session.ts';

interface Options { cases: string; reps: number; budget: number; threads: number | null; md: string | null }

function parseArgs(argv: string[]): Options {
  const o: Options = { cases: CASES.map((c) => c.id).join(','), reps: 30, budget: 4000, threads: null, md: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`bench:browser: ${a} needs a value`);
      return v;
    };
    if (a === '--') continue;
    else if (a === '--cases') {
      o.cases = value();
      for (const id of o.cases.split(',')) {
        if (!CASES.some((c) => c.id === id)) throw new Error(`bench:browser: unknown case '${id}' (known: ${CASES.map((c) => c.id).join(', ')})`);
      }
    } else if (a === '--reps') o.reps = Math.max(1, Number.parseInt(value(), 10));
    else if (a === '--budget') o.budget = Math.max(100, Number(value()));
    else if (a === '--threads') o.threads = Math.max(1, Number.parseInt(value(), 10));
    else if (a === '--md') o.md = value();
    else if (a === '--help' || a === '-h') {
      console.log('usage: pnpm bench:browser [--cases a,b,c,d] [--reps N] [--budget MS] [--threads N] [--md FILE]');
      process.exit(0);
    } else throw new Error(`bench:browser: unknown option '${a}' (try --help)`);
  }
  return o;
}

const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** "b 3.14× ✓" per case for the issue's target: fwd+bwd at least 2× faster than tfjs-wasm. */
function targetLine(r: BenchResult): string {
  const parts = [...new Set(r.rows.map((row) => row.c.id))].map((id) => {
    const mine = r.rows.find((row) => row.c.id === id && row.impl.startsWith('convgrad'));
    const ref = r.rows.find((row) => row.c.id === id && row.impl.startsWith('tfjs'));
    if (!mine?.train || !ref?.train) return `${id} –`;
    const ratio = ref.train.ms / mine.train.ms;
    return `${id} ${ratio.toFixed(2)}×${['b', 'c', 'd'].includes(id) ? (ratio >= 2 ? ' ✓' : ' ✗') : ''}`;
  });
  return `fwd+bwd vs tfjs-wasm (target ≥ 2× on b, c, d): ${parts.join(', ')}`;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const missing = missingChromium();
  if (missing) throw new Error(`bench:browser: ${missing}`);
  const loadStart = loadavg();
  const session = await startSession();
  try {
    const page = `bench/index.html?cases=${o.cases}&reps=${o.reps}&budget=${o.budget}${o.threads ? `&threads=${o.threads}` : ''}`;
    const { result: r, console: con } = await session.open<BenchResult>(page, {
      isolated: true,
      timeoutMs: 30 * 60_000,
      onLog: (line) => console.log(`  [page] ${line}`),
    });
    if (r.error) throw new Error(`the bench page failed: ${r.error}`);
    if (!r.crossOriginIsolated) throw new Error('the bench page is not cross-origin isolated: no threads');
    const header = [
      `date: ${new Date().toISOString()}`,
      `command: pnpm bench:browser ${process.argv.slice(2).join(' ')}`.trimEnd(),
      `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores (navigator.hardwareConcurrency ${r.hardwareConcurrency}), load average ${loadStart}`,
      `browser: headless Chromium ${session.browserVersion}, cross-origin isolated page (COOP same-origin, COEP require-corp) on 127.0.0.1`,
      ...r.notes,
      'both implementations run in the same page (main thread + their own workers); float32; times are medians of interleaved runs;',
      '"vs tfjs-wasm" = tfjs time ÷ convgrad time (> 1: convgrad faster); a page has no CPU clock (CPU columns empty).',
    ];
    const report = [
      ...header.map((l) => l + '  '),
      '',
      ...r.checks.map((l) => l + '  '),
      '',
      r.table,
      '',
      targetLine(r),
      '',
      'How each gradient was obtained:',
      ...Object.entries(r.hows).map(([name, how]) => `- ${name}: ${how}`),
      '',
      `load average at the end: ${loadavg()} (other processes on the machine slow every row down)`,
    ].join('\n');
    console.log('\n' + report);
    if (con.errors.length) console.warn(`\npage console errors:\n${con.errors.join('\n')}`);
    if (o.md) writeFileSync(o.md, `# conv2d benchmark in Chromium\n\n${report}\n`);
    if (r.mismatch || con.errors.length) process.exitCode = 1;
  } finally {
    await session.close();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
