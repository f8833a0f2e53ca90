// `pnpm bench`: conv2d forward and forward+backward, float32, convgrad (every registered kernel
// backend) against tfjs-backend-cpu and tfjs-backend-wasm in the same process, each implementation in
// its own worker thread (impl-worker.ts): growing a non-shared WebAssembly.Memory, as tfjs-backend-wasm
// does, detaches an ArrayBuffer and so invalidates a V8 protector for the whole isolate, after which
// every plain-JS typed-array loop in it runs ~1.5× slower. A real user loads one implementation.
//
// Options: --cases a,b,c,d  --reps N (timed runs, default 30; fewer when the budget runs out)  --backends js,wasm (convgrad backends)
//          --no-tfjs-cpu  --no-tfjs-wasm  --budget MS (per measurement, default 4000)  --md FILE (also write the report)
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { CASES, forwardFlops, trainFlops, type ConvCase } from './cases.ts';
import { ImplWorker } from './impl-client.ts';
import { markdownTable, type Row } from './table.ts';
import type { TfjsBackend } from './tfjs-runner.ts';
import { timeInterleaved } from './timing.ts';

interface Options {
  cases: ConvCase[];
  reps: number;
  budgetMs: number;
  backends: string[] | null;
  tfjs: TfjsBackend[];
  md: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { cases: [...CASES], reps: 30, budgetMs: 4000, backends: null, tfjs: ['cpu', 'wasm'], md: null };
  const value = (i: number, name: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`bench: ${name} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue; // `pnpm bench -- --cases a` passes the separator through
    if (a === '--cases') {
      const ids = value(i++, a).split(',');
      o.cases = ids.map((id) => {
        const c = CASES.find((k) => k.id === id);
        if (!c) throw new Error(`bench: unknown case '${id}' (known: ${CASES.map((k) => k.id).join(', ')})`);
        return c;
      });
    } else if (a === '--reps') o.reps = Math.max(1, Number.parseInt(value(i++, a), 10));
    else if (a === '--budget') o.budgetMs = Math.max(100, Number(value(i++, a)));
    else if (a === '--backends') o.backends = value(i++, a).split(',');
    else if (a === '--no-tfjs-cpu') o.tfjs = o.tfjs.filter((b) => b !== 'cpu');
    else if (a === '--no-tfjs-wasm') o.tfjs = o.tfjs.filter((b) => b !== 'wasm');
    else if (a === '--md') o.md = value(i++, a);
    else if (a === '--help' || a === '-h') {
      console.log('usage: pnpm bench [--cases a,b,c,d] [--reps N] [--backends js,wasm] [--no-tfjs-cpu] [--no-tfjs-wasm] [--budget MS] [--md FILE]');
      process.exit(0);
    } else throw new Error(`bench: unknown option '${a}' (try --help)`);
  }
  return o;
}

/** Largest |a − b| relative to the largest |b| (one number per gradient). */
function relErr(a: Float32Array, b: Float32Array): number {
  let diff = 0, scale = 1e-30;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** Starts one worker per implementation; each loads only its own implementation. */
async function startWorkers(opts: Options): Promise<{ workers: ImplWorker[]; registered: string[]; backends: string[]; notes: string[] }> {
  // A short-lived worker lists convgrad's registered backends (the main thread loads no implementation).
  const probe = new ImplWorker('convgrad', { kind: 'convgrad', backend: null });
  const { registered } = await probe.init();
  await probe.terminate();
  const unknown = (opts.backends ?? []).filter((b) => !registered.includes(b));
  if (unknown.length) throw new Error(`bench: backend(s) ${unknown.join(', ')} not registered (registered: ${registered.join(', ')})`);
  const backends = opts.backends ?? registered;
  const workers: ImplWorker[] = [];
  const notes: string[] = [];
  for (const b of backends) workers.push(new ImplWorker(`convgrad ${b}`, { kind: 'convgrad', backend: b }));
  for (const b of opts.tfjs) workers.push(new ImplWorker(`tfjs-${b}`, { kind: 'tfjs', backend: b }));
  const infos = await Promise.all(workers.map((w) => w.init()));
  const usable = workers.filter((w, i) => {
    notes.push(...infos[i].notes);
    if (!infos[i].available) void w.terminate();
    return infos[i].available;
  });
  return { workers: usable, registered, backends, notes };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const { workers, registered, backends, notes } = await startWorkers(opts);
  const tfImpls = workers.map((w) => w.name).filter((n) => n.startsWith('tfjs'));

  const header = [
    `date: ${new Date().toISOString()}`,
    `command: pnpm bench ${process.argv.slice(2).join(' ')}`.trimEnd(),
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `convgrad backends: ${backends.join(', ')} (registered: ${registered.join(', ')})`,
    ...notes,
    'each implementation runs in its own worker thread (V8 isolate): tfjs-wasm\'s non-shared memory growth would otherwise slow every scalar-JS implementation in the same isolate (measured ~1.5×)',
    'float32; times are medians; GF/s counts 2·N·Cout·OH·OW·Cin·KH·KW per conv, fwd+bwd = 3× forward;',
    '"vs tfjs-x" = tfjs time ÷ convgrad time (> 1: convgrad faster); CPU ms = mean process CPU time per run',
    '(all threads: above the wall time when worker threads help, about equal for single-threaded code).',
  ];
  console.log(header.join('\n'));

  const rows: Row[] = [];
  const hows = new Map<string, string>();
  for (const c of opts.cases) {
    const howNow = await Promise.all(workers.map((w) => w.setup(c.id)));
    workers.forEach((w, i) => hows.set(w.name, howNow[i]));

    // Every implementation must agree on dX, dW and db before any time is reported.
    const ref = workers.find((w) => w.name.startsWith('tfjs')) ?? workers[0];
    const refGrads = await ref.grads();
    for (const w of workers) {
      if (w === ref) continue;
      const g = await w.grads();
      const errs = [relErr(g.dx, refGrads.dx), relErr(g.dw, refGrads.dw), relErr(g.db, refGrads.db)];
      const worst = Math.max(...errs);
      const tag = worst < 1e-4 ? 'ok' : 'MISMATCH';
      console.log(`case ${c.id} check ${w.name} vs ${ref.name}: dX ${errs[0].toExponential(1)}, dW ${errs[1].toExponential(1)}, db ${errs[2].toExponential(1)} (max rel. error) ${tag}`);
      if (tag !== 'ok') process.exitCode = 1;
    }

    // Implementations take turns within each measurement (the main thread asks one worker for one run,
    // then the next), so a change in machine load hits all alike; each run is timed inside its worker.
    const timing = { reps: opts.reps, budgetMs: opts.budgetMs };
    const fwd = await timeInterleaved(workers.map((w) => () => w.run('forward')), timing);
    const train = await timeInterleaved(workers.map((w) => () => w.run('train')), timing);
    for (const [i, w] of workers.entries()) {
      rows.push({ c, impl: w.name, fwd: fwd[i], train: train[i] });
      console.log(`case ${c.id} ${w.name}: fwd ${fwd[i].ms.toFixed(2)} ms (${(forwardFlops(c) / fwd[i].ms / 1e6).toFixed(2)} GF/s), fwd+bwd ${train[i].ms.toFixed(2)} ms (${(trainFlops(c) / train[i].ms / 1e6).toFixed(2)} GF/s)`);
      await w.dispose();
    }
  }

  const caseLines = opts.cases.map((c) => `- ${c.id}: ${c.label}, stride ${c.stride}, pad ${c.pad}`);
  const howLines = [...hows].map(([name, how]) => `- ${name}: ${how}`);
  let report = [
    ...header.map((l) => l + '  '),
    '',
    markdownTable(rows, tfImpls),
    '',
    'Cases:',
    ...caseLines,
    '',
    'How each gradient was obtained:',
    ...howLines,
  ].join('\n');
  const endLoad = `load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes on the machine slow every row down)`;
  report += `\n\n${endLoad}`;
  console.log('\n' + report);
  if (opts.md) writeFileSync(opts.md, `# conv2d benchmark\n\n${report}\n`);
}

main().then(
  () => process.exit(process.exitCode ?? 0), // the benchmark workers (and the wasm backend's pool in one) must not keep the process alive
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
