// Runs a convgrad step timing in a node process of its own (convgrad-step-child.ts), as PyTorch's runs
// in its python3 process. In the bench's own process the convgrad side fell into a garbage-collection
// regime of its own making: V8 ran a full mark-compact every ~50 ms (51 in one 12,000-image round against
// 1–2 in a process that only trains), and the LeNet epoch took 11.6–13.0 s instead of 10.3–11.3 s.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StepSettings } from './mnist-step.ts';
import { toStepTiming, type StepTiming } from './step-report.ts';

const CHILD = fileURLToPath(new URL('./convgrad-step-child.ts', import.meta.url));

/** One timed run (a fresh model, its warm-up, the timed images) in a new node process. */
export function timeConvgradStepsInProcess(settings: StepSettings, dataDir: string): Promise<StepTiming> {
  // the child loads TypeScript sources through tsx, as `pnpm bench` does, whatever loaded this module
  const args = ['--import', import.meta.resolve('tsx'), '--conditions=source', CHILD, JSON.stringify({ settings, dataDir })];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`convgrad step process failed (${err.message.split('\n')[0]}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
        return;
      }
      try {
        resolve(toStepTiming(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''), 'convgrad'));
      } catch (e) {
        reject(new Error(`convgrad step process: no result on its last stdout line (${(e as Error).message}): ${stdout.slice(-300)}`));
      }
    });
  });
}
