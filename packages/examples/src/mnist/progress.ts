// One cli-progress bar per epoch showing the running loss and accuracy (on stderr, only on a TTY).
import cliProgress from 'cli-progress';

export interface EpochProgress {
  update(done: number, loss: number, accuracy: number): void;
  stop(): void;
}

export function epochProgress(epoch: number, epochs: number, total: number, enabled: boolean): EpochProgress {
  if (!enabled) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `epoch ${epoch}/${epochs} [{bar}] {percentage}% {value}/{total} | loss {loss} | acc {acc} | {duration}s elapsed, eta {eta}s`,
      stream: process.stderr,
      hideCursor: true,
      barsize: 24,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { loss: '-', acc: '-' });
  return {
    update(done, loss, accuracy) {
      bar.update(done, { loss: loss.toFixed(4), acc: `${(100 * accuracy).toFixed(2)}%` });
    },
    stop() {
      bar.stop();
    },
  };
}
