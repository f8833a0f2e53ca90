// The chapter's experiment (17.3.7), exactly as `pnpm start` runs it (packages/examples' runEdgeKernel):
// learn the 3×3 horizontal-edge kernel from an 80×80 image and its filtered copy, then allclose.
import { runEdgeKernel } from '@convgrad/examples/src/edge-kernel/experiment.ts';
import type { EdgeKernelSummary } from './result.ts';

export function edgeKernel(): EdgeKernelSummary {
  const r = runEdgeKernel({ seed: 0, lr: 0.5, maxIter: 10_000, tol: 1e-7 });
  return {
    converged: r.fit.converged,
    iterations: r.fit.iterations,
    finalLoss: r.fit.losses[r.fit.losses.length - 1],
    wClose: r.wClose,
    wMaxDiff: r.wMaxDiff,
    yClose: r.yClose,
    seconds: r.fit.seconds,
  };
}
