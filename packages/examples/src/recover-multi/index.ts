// `pnpm example recover-multi`: recover a strided, padded, multi-channel conv layer with a bias (17.3.2–17.3.6).
import type { DType } from '@convgrad/core';
import { registerExample } from '../registry.ts';
import type { OptionSpecs } from '../shared/args.ts';
import { formatLoss } from '../shared/format.ts';
import { processIO, type ExampleIO } from '../shared/io.ts';
import { iterationProgress } from '../shared/progress.ts';
import { runWithOptions } from '../shared/run-example.ts';
import { LAYER, RECOVER_CLOSE, runRecoverMulti, strideRemainder, type RecoverMultiResult } from './experiment.ts';

export const RECOVER_MULTI_OPTIONS = {
  seed: { kind: 'int', default: 0, min: 0, max: 2 ** 32 - 1, help: 'seed of the images, the true layer and the initial guess' },
  lr: { kind: 'number', default: 0.5, min: 0, minInclusive: false, help: 'learning rate' },
  momentum: { kind: 'number', default: 0.9, min: 0, max: 0.999, help: 'heavy-ball momentum (0: plain gradient descent)' },
  'max-iter': { kind: 'int', default: 5000, min: 1, help: 'stop after this many updates' },
  tol: { kind: 'number', default: 1e-10, min: 0, help: 'stop when the loss is below this' },
  dtype: { kind: 'choice', default: 'float32', choices: ['float32', 'float64'], help: 'tensor dtype' },
  'log-every': { kind: 'int', default: 50, min: 1, help: 'print the loss every this many iterations' },
} satisfies OptionSpecs;

const HEIGHT = 12, WIDTH = 10, BATCH = 8;

/** True and recovered 3×3 kernels side by side, one block per (output, input) channel pair. */
function sideBySide(r: RecoverMultiResult): string {
  const { cin, cout, k } = LAYER;
  const t = r.wTrue.data, g = r.fit.w.data;
  const cell = (v: number) => (Object.is(v, -0) ? 0 : v).toFixed(4).padStart(8);
  const lines: string[] = [];
  for (let o = 0; o < cout; o++) {
    for (let c = 0; c < cin; c++) {
      for (let i = 0; i < k; i++) {
        const row = (a: ArrayLike<number>) => Array.from({ length: k }, (_, j) => cell(a[((o * cin + c) * k + i) * k + j])).join('');
        const label = i === 0 ? `W[${o},${c}]` : '';
        lines.push(`  ${label.padEnd(7)} ${row(t)}   | ${row(g)}`);
      }
    }
  }
  return lines.join('\n');
}

export function runRecoverMultiCli(argv: readonly string[], io: ExampleIO = processIO): Promise<number> {
  return runWithOptions('recover-multi', argv, RECOVER_MULTI_OPTIONS, io, (o) => {
    const { cin, cout, k, stride, padding } = LAYER;
    io.out(`recover-multi: recover a conv layer ${cin}→${cout} channels, ${k}×${k}, stride ${stride}, padding ${padding}, with bias (chapter 17.3.2–17.3.6)\n`);
    io.out(`x: ${BATCH} random images ${cin}×${HEIGHT}×${WIDTH} in [0, 1) (H + 2P − K) mod S = ${strideRemainder(HEIGHT)}, (W + 2P − K) mod S = ${strideRemainder(WIDTH)}; `
      + `seed ${o.seed}; lr ${o.lr}, momentum ${o.momentum}; ${o.dtype}\n`);
    const progress = iterationProgress(io, o['max-iter'], 'recover-multi');
    const r = runRecoverMulti({
      seed: o.seed, lr: o.lr, momentum: o.momentum, maxIter: o['max-iter'], tol: o.tol, dtype: o.dtype as DType,
      batch: BATCH, height: HEIGHT, width: WIDTH, progressEvery: o['log-every'],
      onProgress: progress.onProgress, onIteration: progress.onIteration,
    });
    progress.finish();
    const f = r.fit;
    io.out(f.converged ? `loss < ${o.tol} at iteration ${f.iterations}\n`
      : f.diverged ? `the loss diverged at iteration ${f.iterations} (learning rate too large?)\n`
      : `not converged after ${f.iterations} iterations (last loss ${formatLoss(f.losses[f.losses.length - 1])})\n`);
    io.out(`weights: true | recovered\n${sideBySide(r)}\n`);
    const fmt = (a: ArrayLike<number>) => Array.from(a, (v) => v.toFixed(4).padStart(8)).join('');
    io.out(`bias:    ${fmt(r.bTrue.data)}   | ${fmt(f.b!.data)}\n`);
    const tol = `atol ${RECOVER_CLOSE.atol.toExponential(0)}, rtol ${RECOVER_CLOSE.rtol.toExponential(0)}`;
    io.out(`W allclose: ${r.wClose}   (max |Δ| ${r.wMaxDiff.toExponential(2)}; ${tol})\n`);
    io.out(`b allclose: ${r.bClose}   (max |Δ| ${r.bMaxDiff.toExponential(2)})\n`);
    const ok = r.wClose && r.bClose;
    io.out(`${ok ? 'recovered W and b' : 'did NOT recover W and b'} after ${f.iterations} iterations in ${f.seconds.toFixed(2)} s `
      + `(${(f.seconds * 1000 / Math.max(1, f.losses.length)).toFixed(3)} ms/iteration; CPU ${f.cpuSeconds.toFixed(2)} s)\n`);
    return ok ? 0 : 1;
  });
}

registerExample({
  name: 'recover-multi',
  summary: 'recover a 3→4 channel, stride-2, padded conv layer and its bias from (x, y) alone',
  run: (argv) => runRecoverMultiCli(argv),
});
