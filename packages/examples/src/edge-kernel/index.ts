// `pnpm start` / `pnpm example edge-kernel`: the chapter's experiment (17.3.7).
import { registerExample } from '../registry.ts';
import { processIO, type ExampleIO } from '../shared/io.ts';
import { formatLoss, formatMatrix } from '../shared/format.ts';
import { iterationProgress } from '../shared/progress.ts';
import { checkOutDir, makeOutDir } from '../shared/out-dir.ts';
import { runWithOptions } from '../shared/run-example.ts';
import type { OptionSpecs } from '../shared/args.ts';
import type { DType } from '@convgrad/core';
import { CLOSE, runEdgeKernel } from './experiment.ts';
import { writeEdgeKernelFigures } from './figures.ts';

export const EDGE_KERNEL_OPTIONS = {
  seed: { kind: 'int', default: 0, min: 0, max: 2 ** 32 - 1, help: 'seed of the initial kernel w ~ N(0, 0.1)' },
  lr: { kind: 'number', default: 0.5, min: 0, minInclusive: false, help: 'learning rate' },
  'max-iter': { kind: 'int', default: 10000, min: 1, help: 'stop after this many updates' },
  tol: { kind: 'number', default: 1e-7, min: 0, help: 'stop when the loss is below this' },
  out: { kind: 'string', default: 'out', help: 'directory for the PNG figures' },
  dtype: { kind: 'choice', default: 'float32', choices: ['float32', 'float64'], help: 'tensor dtype (float32 runs on the wasm kernels)' },
  'log-every': { kind: 'int', default: 500, min: 1, help: 'print the loss every this many iterations' },
  size: { kind: 'int', default: 80, min: 16, max: 1024, help: 'side of the sample image (the chapter: 80)' },
} satisfies OptionSpecs;

/** The chapter stopped at this iteration with its (unpublished) image. */
const CHAPTER_ITERATIONS = 3460;

export function runEdgeKernelCli(argv: readonly string[], io: ExampleIO = processIO): Promise<number> {
  return runWithOptions('edge-kernel', argv, EDGE_KERNEL_OPTIONS, io, (o) => {
    // Everything is validated (the out dir too) before training starts; the dir is created when the figures are written.
    const outDir = checkOutDir(o.out);
    const t0 = performance.now();
    io.out(`edge-kernel: learn the horizontal-edge kernel from an image and its convolution (chapter 17.3.7)\n`);
    io.out(`x ${o.size}×${o.size} ring and cross; y = conv2d(x, w_true) ${o.size - 2}×${o.size - 2}, b = 0; w ~ N(0, 0.1) seed ${o.seed}; lr ${o.lr}; ${o.dtype}\n`);
    const progress = iterationProgress(io, o['max-iter'], 'edge-kernel');
    const r = runEdgeKernel({
      seed: o.seed, lr: o.lr, maxIter: o['max-iter'], tol: o.tol, dtype: o.dtype as DType, size: o.size,
      progressEvery: o['log-every'], onProgress: progress.onProgress, onIteration: progress.onIteration,
    });
    progress.finish();
    const f = r.fit;
    const stop = f.converged ? `loss < ${o.tol} at iteration ${f.iterations}`
      : f.diverged ? `the loss diverged at iteration ${f.iterations} (learning rate too large?)`
      : `not converged after ${f.iterations} iterations (last loss ${formatLoss(f.losses[f.losses.length - 1])})`;
    io.out(`${stop}\n`);
    io.out(`w_true:\n${formatMatrix(r.wTrue.data, 3, 3, 0)}\nw_result:\n${formatMatrix(f.w.data, 3, 3, 8)}\n`);
    io.out(`w allclose: ${r.wClose}   (max |w_result − w_true| ${r.wMaxDiff.toExponential(2)}; atol ${CLOSE.atol.toExponential(0)}, rtol ${CLOSE.rtol.toExponential(0)})\n`);
    io.out(`y allclose: ${r.yClose}   (max |z − y| ${r.yMaxDiff.toExponential(2)})\n`);
    io.out(`stopped at iteration ${f.iterations} (the chapter: ${CHAPTER_ITERATIONS})\n`);
    const paths = writeEdgeKernelFigures(makeOutDir(outDir), r);
    const total = (performance.now() - t0) / 1000;
    io.out(`time: ${f.seconds.toFixed(2)} s training (${(f.seconds * 1000 / Math.max(1, f.losses.length)).toFixed(3)} ms/iteration; CPU ${f.cpuSeconds.toFixed(2)} s), `
      + `${total.toFixed(2)} s with figures\n`);
    io.out(`figures: ${paths.join(', ')}\n`);
    return f.converged && r.wClose && r.yClose ? 0 : 1;
  });
}

registerExample({
  name: 'edge-kernel',
  summary: 'the chapter\'s experiment: learn the 3×3 horizontal-edge kernel by gradient descent (pnpm start)',
  run: (argv) => runEdgeKernelCli(argv),
});
