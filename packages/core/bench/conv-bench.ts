// The conv2d benchmark as a function (conv2d.bench.ts is its command line; `pnpm bench` at the root
// runs it beside the MNIST step bench, packages/examples/bench/bench.ts): conv2d forward and
// forward+backward, float32, convgrad (every registered kernel backend) against tfjs-backend-cpu,
// tfjs-backend-wasm and, when python3 can import torch, PyTorch CPU. Each JS implementation runs in its
// own worker thread (impl-worker.ts): growing a non-shared WebAssembly.Memory, as tfjs-backend-wasm does,
// detaches an ArrayBuffer and so invalidates a V8 protector for the whole isolate, after which every
// plain-JS typed-array loop in it runs ~1.5× slower. A real user loads one implementation. PyTorch runs
// in a python3 process (torch_conv.py, torch-client.ts) with as many threads as convgrad's wasm backend.
import os from 'node:os';
import { CASES, forwardFlops, trainFlops, type ConvCase } from './cases.ts';
import { ImplWorker, type Grads } from './impl-client.ts';
import type { InitInfo } from './impl-worker.ts';
import { markdownTable, type Row } from './table.ts';
import type { TfjsBackend } from './tfjs-runner.ts';
import { timeInterleaved, type Sample } from './timing.ts';
import { TorchConvImpl, type TorchSettings } from './torch-client.ts';

export interface ConvOptions {
  cases: ConvCase[];
  reps: number;
  budgetMs: number;
  backends: string[] | null;
  tfjs: TfjsBackend[];
}

export const CONV_USAGE = '[--cases a,b,c,d] [--reps N] [--backends js,wasm] [--no-tfjs-cpu] [--no-tfjs-wasm] [--budget MS]';

/** Reads the conv options from argv; anything else is an error naming it. */
export function parseConvArgs(argv: readonly string[]): ConvOptions {
  const o: ConvOptions = { cases: [...CASES], reps: 30, budgetMs: 4000, backends: null, tfjs: ['cpu', 'wasm'] };
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
    else throw new Error(`bench: unknown option '${a}' (try --help)`);
  }
  return o;
}

/** What the conv bench needs of an implementation: a worker thread (ImplWorker) or the PyTorch process. */
interface Impl {
  readonly name: string;
  init(): Promise<InitInfo>;
  setup(caseId: string): Promise<string>;
  grads(): Promise<Grads>;
  run(which: 'forward' | 'train'): Promise<Sample>;
  dispose(): Promise<null>;
  terminate(): Promise<unknown>;
}

/** Largest |a − b| relative to the largest |b| (one number per gradient). */
function relErr(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0, scale = 1e-30;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** The PyTorch anchor's settings, minus its thread count (convgrad's, known once its workers start); null: no PyTorch. */
export type TorchChoice = Omit<TorchSettings, 'threads'> | null;

/**
 * Starts one worker per JS implementation (each loads only its own), then PyTorch with convgrad's
 * thread count. Unusable implementations are dropped with a note saying why.
 */
async function startImpls(opts: ConvOptions, torch: TorchChoice): Promise<{ impls: Impl[]; registered: string[]; backends: string[]; notes: string[] }> {
  // A short-lived worker lists convgrad's registered backends (the main thread loads no implementation).
  const probe = new ImplWorker('convgrad', { kind: 'convgrad', backend: null });
  const { registered } = await probe.init();
  await probe.terminate();
  const unknown = (opts.backends ?? []).filter((b) => !registered.includes(b));
  if (unknown.length) throw new Error(`bench: backend(s) ${unknown.join(', ')} not registered (registered: ${registered.join(', ')})`);
  const backends = opts.backends ?? registered;
  const candidates: Impl[] = [];
  for (const b of backends) candidates.push(new ImplWorker(`convgrad ${b}`, { kind: 'convgrad', backend: b }));
  for (const b of opts.tfjs) candidates.push(new ImplWorker(`tfjs-${b}`, { kind: 'tfjs', backend: b }));
  const infos = await Promise.all(candidates.map((w) => w.init()));
  const threads = Math.max(1, ...infos.map((i) => i.threads ?? 1));
  if (torch) {
    const t = new TorchConvImpl({ ...torch, threads });
    candidates.push(t);
    infos.push(await t.init());
  } else infos.push({ available: false, registered: [], notes: ['pytorch: left out (--no-torch)'] });
  const notes = infos.flatMap((i) => i.notes);
  const impls = candidates.filter((w, i) => {
    if (!infos[i].available) void w.terminate();
    return infos[i].available;
  });
  return { impls, registered, backends, notes };
}

export interface ConvResult {
  /** Lines about the run (machine, backends, what the columns mean). */
  readonly header: string[];
  readonly rows: Row[];
  /** The markdown section: table, cases, how each gradient was obtained. */
  readonly report: string;
  /** False when two implementations' gradients disagree. */
  readonly gradientsAgree: boolean;
}

/** Runs the conv cases; `log` gets progress lines. */
export async function runConvBench(opts: ConvOptions, torch: TorchChoice, log: (line: string) => void): Promise<ConvResult> {
  const { impls, registered, backends, notes } = await startImpls(opts, torch);
  const refImpls = impls.map((w) => w.name).filter((n) => !n.startsWith('convgrad'));
  const header = [
    `convgrad backends: ${backends.join(', ')} (registered: ${registered.join(', ')})`,
    ...notes,
    'each JS implementation runs in its own worker thread (V8 isolate): tfjs-wasm\'s non-shared memory growth would otherwise slow every scalar-JS implementation in the same isolate (measured ~1.5×); PyTorch runs in a python3 process; the implementations take turns of up to 5 timed runs, each turn after 200 ms of untimed ones (timing.ts: run by run, each one\'s times rose with the others\' runs in between)',
    'float32; times are medians; GF/s counts 2·N·Cout·OH·OW·Cin·KH·KW per conv, fwd+bwd = 3× forward;',
    '"vs X" = X\'s time ÷ convgrad\'s time (> 1: convgrad faster; "vs pytorch" ≥ 0.5 means within 2× of PyTorch); CPU ms = mean process CPU time per run',
    '(all threads: above the wall time when worker threads help, about equal for single-threaded code).',
  ];
  for (const l of header) log(l);

  const rows: Row[] = [];
  const hows = new Map<string, string>();
  let gradientsAgree = true;
  try {
    for (const c of opts.cases) {
      const howNow = await Promise.all(impls.map((w) => w.setup(c.id)));
      impls.forEach((w, i) => hows.set(w.name, howNow[i]));

      // Every implementation must agree on dX, dW and db before any time is reported.
      const ref = impls.find((w) => w.name.startsWith('tfjs')) ?? impls[0];
      const refGrads = await ref.grads();
      for (const w of impls) {
        if (w === ref) continue;
        const g = await w.grads();
        const errs = [relErr(g.dx, refGrads.dx), relErr(g.dw, refGrads.dw), relErr(g.db, refGrads.db)];
        const tag = Math.max(...errs) < 1e-4 ? 'ok' : 'MISMATCH';
        log(`case ${c.id} check ${w.name} vs ${ref.name}: dX ${errs[0].toExponential(1)}, dW ${errs[1].toExponential(1)}, db ${errs[2].toExponential(1)} (max rel. error) ${tag}`);
        if (tag !== 'ok') gradientsAgree = false;
      }

      // Implementations take turns within each measurement (a few runs of each, then the next), so
      // a change in machine load hits all alike; each run is timed where it runs.
      const timing = { reps: opts.reps, budgetMs: opts.budgetMs };
      const fwd = await timeInterleaved(impls.map((w) => () => w.run('forward')), timing);
      const train = await timeInterleaved(impls.map((w) => () => w.run('train')), timing);
      for (const [i, w] of impls.entries()) {
        rows.push({ c, impl: w.name, fwd: fwd[i], train: train[i] });
        log(`case ${c.id} ${w.name}: fwd ${fwd[i].ms.toFixed(2)} ms (${(forwardFlops(c) / fwd[i].ms / 1e6).toFixed(2)} GF/s), fwd+bwd ${train[i].ms.toFixed(2)} ms (${(trainFlops(c) / train[i].ms / 1e6).toFixed(2)} GF/s)`);
        await w.dispose();
      }
    }
  } finally {
    await Promise.all(impls.map((w) => w.terminate()));
  }

  const report = [
    markdownTable(rows, refImpls),
    '',
    'Cases:',
    ...opts.cases.map((c) => `- ${c.id}: ${c.label}, stride ${c.stride}, pad ${c.pad}`),
    '',
    'How each gradient was obtained:',
    ...[...hows].map(([name, how]) => `- ${name}: ${how}`),
  ].join('\n');
  return { header, rows, report, gradientsAgree };
}

/** The lines every report starts with: date, command, machine, and a warning when the machine is busy. */
export function machineLines(command: string, load = os.loadavg(), cores = os.cpus().length): string[] {
  const lines = [
    `date: ${new Date().toISOString()}`,
    `command: ${command}`.trimEnd(),
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, Node ${process.version}, load average ${load.map((l) => l.toFixed(2)).join(' ')}`,
  ];
  if (load[0] > cores / 2) lines.push(busyWarning(load[0], cores));
  return lines;
}

/**
 * Other processes slow every implementation, PyTorch most: its OpenMP threads spin-wait at each
 * parallel region's barrier, and a descheduled thread stalls the others (measured here at load ≈ 17 on
 * 2 cores: 2-thread LeNet steps 4–10× slower than on 1 thread). Its numbers then mean little.
 */
export function busyWarning(load1: number, cores: number): string {
  return `WARNING: load average ${load1.toFixed(1)} on ${cores} cores: other processes are running. Every time is inflated, PyTorch's most ` +
    '(its OpenMP threads spin-wait and stall when descheduled; OMP_WAIT_POLICY=PASSIVE softens that): compare on a quiet machine.';
}

export function endLoadLine(): string {
  return `load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes on the machine slow every row down)`;
}
