// In-process A/B of the conv2d bench cases between two source trees of the repository (e.g. main and a
// branch), for a shared machine: both trees' core (and wasm kernels, each with its own worker pool) are
// imported into one process and called alternately, one call per sample with a 1 ms pause before it (as the
// bench's interleaved rounds take them), so load changes hit both alike. Prints median wall and process
// CPU ms per call and the ratios A/B (> 1: B faster), and whether B's results equal A's bit for bit.
//
// A tree at another revision, with its kernels built:
//   mkdir -p /tmp/base && git archive REV packages/core | tar -x -C /tmp/base
//   ln -s "$PWD/node_modules" /tmp/base/node_modules; ln -s "$PWD/packages/core/node_modules" /tmp/base/packages/core/node_modules
//   (cd /tmp/base/packages/core && npx asc src/kernels/wasm/as/index.ts --config src/kernels/wasm/asconfig.json --target release \
//     && npx asc src/kernels/wasm/as/index.ts --config src/kernels/wasm/asconfig.json --target relaxed)
// Run: npx tsx --conditions=source packages/core/bench/conv-ab.ts A_ROOT B_ROOT [--cases c] [--rounds 100] [--only forward|train]
//   [--fixed-threads] (no stall back-off: every shareable job is offered to the workers, on both sides)
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { CASES, caseData, type ConvCase } from './cases.ts';
import type { Runner } from './tfjs-runner.ts';

/** The wasm runner of case c over the tree at root (its own module instances, kernels and worker pool). */
async function side(root: string, c: ConvCase, fixed: boolean): Promise<Runner & { shared: () => string }> {
  const at = (p: string) => pathToFileURL(`${root}/packages/core/${p}`).href;
  const core = await import(at('src/index.ts'));
  const { wasmBackend } = await import(at('src/kernels/wasm/index.ts'));
  const { makeConvgradRunner } = await import(at('bench/convgrad-run.ts'));
  // --fixed-threads: every job large enough is shared (no stall back-off), so that on a busy machine the
  // pool's switching threads off for a while cannot favour one side
  if (fixed) wasmBackend.pool.adaptive = false;
  const chunks = () => wasmBackend.pool.workerChunks().reduce((p: number, q: number) => p + q, 0);
  const c0 = { jobs: wasmBackend.pool.parallelJobs, chunks: chunks() };
  const shared = () => `${wasmBackend.pool.parallelJobs - c0.jobs} shared jobs, ${chunks() - c0.chunks} worker chunks`;
  return { ...makeConvgradRunner(core, 'wasm', c, caseData(c)), shared };
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const pause = new Int32Array(new SharedArrayBuffer(4));
function sample(f: () => void): [number, number] {
  Atomics.wait(pause, 0, 0, 1);
  const t = performance.now(), c0 = cpuNow();
  f();
  return [performance.now() - t, cpuNow() - c0];
}
const median = (a: number[]) => a.slice().sort((p, q) => p - q)[a.length >> 1];
const sameBits = (p: Float32Array, q: Float32Array) => p.length === q.length && p.every((v, i) => Object.is(v, q[i]));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, d: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : d;
  };
  const fixed = args.includes('--fixed-threads');
  if (fixed) args.splice(args.indexOf('--fixed-threads'), 1);
  const ids = opt('--cases', 'c').split(','), rounds = Number(opt('--rounds', '100')), only = opt('--only', '');
  const [ra, rb] = args;
  if (!ra || !rb) throw new Error('usage: conv-ab.ts A_ROOT B_ROOT [--cases c] [--rounds 100] [--only forward|train] [--fixed-threads]');
  const which = (only ? [only] : ['forward', 'train']) as ('forward' | 'train')[];
  console.log(`A ${ra}, B ${rb}; threads ${process.env.CONVGRAD_THREADS || 'all cores'}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const id of ids) {
    const c = CASES.find((k) => k.id === id);
    if (!c) throw new Error(`conv-ab: unknown case '${id}'`);
    const a = await side(ra, c, fixed), b = await side(rb, c, fixed);
    const ga = a.grads(), gb = b.grads();
    const same = (['dx', 'dw', 'db'] as const).map((k) => `${k} ${sameBits(ga[k], gb[k]) ? 'same bits' : 'DIFFERENT'}`).join(', ');
    for (const s of [a, b]) for (let i = 0; i < 10; i++) for (const w of which) s[w]();
    const got: Record<string, [number, number][]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const w of which) {
        for (const [name, s] of (r % 2 ? [['B', b], ['A', a]] : [['A', a], ['B', b]]) as [string, Runner][]) {
          (got[name + w] ??= []).push(sample(() => s[w]()));
        }
      }
    }
    console.log(`case ${id} (${c.label}), ${rounds} calls each; gradients: ${same}; A: ${a.shared()}, B: ${b.shared()}`);
    for (const w of which) {
      const [aw, ac, bw, bc] = [got[`A${w}`], got[`B${w}`]].flatMap((s) => [median(s.map((x) => x[0])), median(s.map((x) => x[1]))]);
      console.log(`  ${w}: A ${aw.toFixed(2)} ms (CPU ${ac.toFixed(2)}), B ${bw.toFixed(2)} ms (CPU ${bc.toFixed(2)}); A/B wall ${(aw / bw).toFixed(3)}, CPU ${(ac / bc).toFixed(3)}`);
    }
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
