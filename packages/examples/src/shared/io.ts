// Where an example prints: the process streams by default, a buffer in tests.
import { isCI } from '@convgrad/layers';

export interface ExampleIO {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal (a progress bar may be drawn there); absent: no. */
  errIsTTY?: boolean;
  /** Running under CI: no bars. */
  ci?: boolean;
}

export const processIO: ExampleIO = {
  out: (t) => { process.stdout.write(t); },
  err: (t) => { process.stderr.write(t); },
  errIsTTY: process.stderr.isTTY === true,
  ci: isCI(process.env),
};

/** An ExampleIO that keeps what was printed (for tests); `flags` pretend stderr is a terminal / CI. */
export function bufferIO(flags: { errIsTTY?: boolean; ci?: boolean } = {}): ExampleIO & { stdout: string; stderr: string } {
  const io = {
    ...flags,
    stdout: '',
    stderr: '',
    out(t: string) { io.stdout += t; },
    err(t: string) { io.stderr += t; },
  };
  return io;
}
