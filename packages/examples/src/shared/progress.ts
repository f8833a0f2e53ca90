// The progress display of an iterative example: a bar (iteration, loss, rate, ETA to the iteration
// limit) on stderr when it is a terminal, with the periodic `iter N loss L` lines printed above it
// on stdout; without a terminal (or under CI) just those lines.
import { createProgress, type Progress } from '@convgrad/layers';
import { formatLoss } from './format.ts';
import type { ExampleIO } from './io.ts';

export interface IterationProgress {
  /** Every iteration: moves the bar. */
  onIteration(iteration: number, loss: number): void;
  /** Every `log-every` iterations and at the stop: a permanent `iter N loss L` line. */
  onProgress(iteration: number, loss: number): void;
  finish(): void;
}

export function iterationProgress(io: ExampleIO, maxIter: number, label: string): IterationProgress {
  const p: Progress = createProgress({
    total: maxIter, label, write: io.err, isTTY: io.errIsTTY === true, ci: io.ci,
    log: (line) => io.out(`${line}\n`), lines: 0,
  });
  const pad = String(maxIter).length;
  return {
    onIteration: (i, loss) => p.update(i + 1, { loss: formatLoss(loss) }),
    onProgress: (i, loss) => p.log(`iter ${String(i).padStart(pad)}  loss ${formatLoss(loss)}`),
    finish: () => p.finish(),
  };
}
