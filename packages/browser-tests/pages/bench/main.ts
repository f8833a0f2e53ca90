// `pnpm bench:browser`'s page: the Node bench's conv2d cases (packages/core/bench/cases.ts) in Chromium,
// convgrad (the built package: wasm kernels, threads in a cross-origin-isolated page) beside
// @tensorflow/tfjs-backend-wasm (SIMD, and threads in an isolated page) in this same page, with the Node
// bench's runners, interleaved timing and table. The tfjs .wasm files are bundled by Vite and served by the
// local server (setWasmPaths), never fetched from a CDN. Query: ?cases=a,b,c,d&reps=30&budget=4000&threads=N
import * as core from '@convgrad/core';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import tfWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfWasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfWasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { caseData, CASES, forwardFlops, trainFlops } from '../../../core/bench/cases.ts';
import { makeConvgradRunner } from '../../../core/bench/convgrad-run.ts';
import { markdownTable, type Row } from '../../../core/bench/table.ts';
import { quietly, tfjsRunner, type TfjsLoaded } from '../../../core/bench/tfjs-runner.ts';
import { sample, timeInterleaved } from '../../../core/bench/timing.ts';
import { relError } from '../rel-error.ts';
import { report } from '../report.ts';
import type { BenchResult } from './result.ts';

const CONVGRAD = 'convgrad wasm';
const TFJS = 'tfjs-wasm';
const pause = () => new Promise((r) => setTimeout(r, 0)); // lets the page's console messages out

async function loadTfjsWasm(): Promise<TfjsLoaded> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': tfWasm,
    'tfjs-backend-wasm-simd.wasm': tfWasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': tfWasmThreadedSimd,
  });
  // its default thread count; setThreadsCount could not raise it: tfjs caps XNNPACK's pool at
  // hardwareConcurrency / 2 (one thread per physical core, it assumes), i.e. 1 thread on this 2-core machine
  if (!(await quietly(() => tf.setBackend('wasm')))) throw new Error('tfjs-wasm failed to initialize');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return {
    tf,
    backends: ['wasm'],
    notes: [`tfjs-wasm ${tf.version_core}: SIMD ${simd ? 'on' : 'off'}, threads ${threads ? `on (threaded build; XNNPACK pool of ${getThreadsCount()}: tfjs caps it at hardwareConcurrency/2)` : 'off'}`],
  };
}

void report(async (): Promise<BenchResult> => {
  const q = new URLSearchParams(location.search);
  const ids = (q.get('cases') ?? 'a,b,c,d').split(',');
  const cases = ids.map((id) => {
    const c = CASES.find((k) => k.id === id);
    if (!c) throw new Error(`bench: unknown case '${id}'`);
    return c;
  });
  const timing = { reps: Number(q.get('reps') ?? 30), budgetMs: Number(q.get('budget') ?? 4000) };

  const threads = q.get('threads'); // convgrad's threads (default: the hardware's)
  if (threads !== null) core.configure({ threads: Number(threads) });
  await core.ready();
  const info = core.runtimeInfo();
  const loaded = await loadTfjsWasm();
  const notes = [
    `convgrad ${info.backend}: ${info.variant ?? 'no wasm'} build, ${info.threads} thread(s)`,
    ...loaded.notes,
  ];
  console.log(notes.join('\n'));

  const rows: Row[] = [];
  const checks: string[] = [];
  const hows: Record<string, string> = {};
  let mismatch = false;
  for (const c of cases) {
    await pause();
    const data = caseData(c);
    const cg = makeConvgradRunner(core, 'wasm', c, data);
    const tr = await tfjsRunner(loaded, 'wasm', c, data);
    hows[CONVGRAD] = cg.how;
    hows[`${TFJS}, case ${c.id}`] = tr.how; // its dX method is picked per case
    // both must agree on dX, dW and db before any time counts
    const [a, b] = [cg.grads(), tr.grads()];
    const errs = [relError(a.dx, b.dx), relError(a.dw, b.dw), relError(a.db, b.db)];
    const ok = Math.max(...errs) < 1e-4;
    mismatch ||= !ok;
    checks.push(`case ${c.id} ${CONVGRAD} vs ${TFJS}: dX ${errs[0].toExponential(1)}, dW ${errs[1].toExponential(1)}, db ${errs[2].toExponential(1)} (max rel. error) ${ok ? 'ok' : 'MISMATCH'}`);
    console.log(checks[checks.length - 1]);

    const fwd = await timeInterleaved([() => sample(() => cg.forward()), () => sample(() => tr.forward())], timing);
    await pause();
    const train = await timeInterleaved([() => sample(() => cg.train()), () => sample(() => tr.train())], timing);
    rows.push({ c, impl: CONVGRAD, fwd: fwd[0], train: train[0] }, { c, impl: TFJS, fwd: fwd[1], train: train[1] });
    for (const [i, name] of [CONVGRAD, TFJS].entries()) {
      console.log(`case ${c.id} ${name}: fwd ${fwd[i].ms.toFixed(2)} ms (${(forwardFlops(c) / fwd[i].ms / 1e6).toFixed(2)} GF/s), ` +
        `fwd+bwd ${train[i].ms.toFixed(2)} ms (${(trainFlops(c) / train[i].ms / 1e6).toFixed(2)} GF/s)`);
    }
    tr.dispose();
  }
  const after = core.runtimeInfo();
  notes.push(`convgrad workers that ran kernel work during the bench: ${after.workersUsed} of ${after.workersStarted} started`);
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    notes,
    checks,
    mismatch,
    rows,
    hows,
    table: markdownTable(rows, [TFJS]),
  };
});
