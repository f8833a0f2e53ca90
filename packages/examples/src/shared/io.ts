// Where an example prints: the process streams by default, a buffer in tests.
export interface ExampleIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: ExampleIO = {
  out: (t) => { process.stdout.write(t); },
  err: (t) => { process.stderr.write(t); },
};

/** An ExampleIO that keeps what was printed (for tests). */
export function bufferIO(): ExampleIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) { io.stdout += t; },
    err(t: string) { io.stderr += t; },
  };
  return io;
}
