// One benchmark implementation in its own worker thread (its own V8 isolate), driven by messages from
// the main thread (impl-client.ts). A run is timed here, around the single call, and the sample sent back.
// Nothing here transfers (detaches) an ArrayBuffer: gradients are copied, so this isolate's typed-array
// code keeps V8's fast paths (see conv2d.bench.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { caseData, CASES } from './cases.ts';
import { convgradBackends, convgradNotes, convgradRunner, convgradThreads } from './convgrad-runner.ts';
import { loadTfjs } from './tfjs-load.ts';
import { tfjsRunner, type Runner, type TfjsBackend, type TfjsLoaded } from './tfjs-runner.ts';
import { sample } from './timing.ts';

/** Which implementation this worker hosts; backend null (convgrad only) = just list the registered backends. */
export interface ImplSpec {
  readonly kind: 'convgrad' | 'tfjs';
  readonly backend: string | null;
}

export type Request =
  | { op: 'init' }
  | { op: 'setup'; caseId: string }
  | { op: 'grads' }
  | { op: 'run'; which: 'forward' | 'train' }
  | { op: 'dispose' };

/** Reply to 'init': whether the implementation is usable here, the registered convgrad backends, header notes. */
export interface InitInfo {
  readonly available: boolean;
  readonly registered: string[];
  readonly notes: string[];
  /** Threads the implementation computes with (convgrad: the wasm pool's size; PyTorch is given as many). */
  readonly threads?: number;
}

const spec = workerData.spec as ImplSpec;
let tfjs: TfjsLoaded | null = null;
let runner: Runner | null = null;

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'init': {
      if (spec.kind === 'convgrad') {
        const registered = await convgradBackends();
        const usable = spec.backend === null || registered.includes(spec.backend);
        const notes = spec.backend && usable ? convgradNotes(spec.backend) : [];
        return { available: usable, registered, notes, threads: spec.backend && usable ? convgradThreads(spec.backend) : undefined } satisfies InitInfo;
      }
      tfjs = await loadTfjs([spec.backend as TfjsBackend]);
      return { available: tfjs.backends.length === 1, registered: [], notes: tfjs.notes } satisfies InitInfo;
    }
    case 'setup': {
      const c = CASES.find((k) => k.id === req.caseId);
      if (!c) throw new Error(`bench worker: unknown case '${req.caseId}'`);
      const data = caseData(c); // deterministic: the same numbers in every worker
      runner = spec.kind === 'convgrad'
        ? convgradRunner(spec.backend!, c, data)
        : await tfjsRunner(tfjs!, spec.backend as TfjsBackend, c, data);
      return runner.how;
    }
    case 'grads': {
      const g = active().grads();
      return { dx: Float32Array.from(g.dx), dw: Float32Array.from(g.dw), db: Float32Array.from(g.db) };
    }
    case 'run': {
      const r = active();
      return req.which === 'forward' ? sample(() => r.forward()) : sample(() => r.train());
    }
    case 'dispose':
      runner?.dispose();
      runner = null;
      return null;
  }
}

function active(): Runner {
  if (!runner) throw new Error('bench worker: no case set up');
  return runner;
}

parentPort!.on('message', (msg: { id: number; req: Request }) => {
  handle(msg.req).then(
    (result) => parentPort!.postMessage({ id: msg.id, result }),
    (e: unknown) => parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
  );
});
