// One progress display per epoch on stderr (@convgrad/layers' createProgress): a bar with the
// running loss and accuracy, the rate and the ETA on a terminal; a plain line at every tenth of the
// epoch when stderr is not a TTY or under CI.
import { createProgress, isCI } from '@convgrad/layers';

export interface EpochProgress {
  update(done: number, loss: number, accuracy: number): void;
  stop(): void;
}

/** Where the display goes (stderr by default). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** `enabled: false` shows nothing (tests, quiet runs). */
export function epochProgress(epoch: number, epochs: number, total: number, enabled: boolean, stream: ProgressStream = process.stderr, env = process.env): EpochProgress {
  if (!enabled) return { update() {}, stop() {} };
  const p = createProgress({
    total, label: `epoch ${epoch}/${epochs}`, unit: 'batch',
    write: (t) => { stream.write(t); }, isTTY: stream.isTTY === true, ci: isCI(env),
  });
  return {
    update: (done, loss, accuracy) => p.update(done, { loss, acc: `${(100 * accuracy).toFixed(2)}%` }),
    stop: () => p.finish(),
  };
}
