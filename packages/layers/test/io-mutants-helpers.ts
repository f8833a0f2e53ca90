// Shared by the io-mutants*.test.ts files: the exact message of a throw or a rejection.

/** The message of what `f` throws (the test fails when it does not throw). */
export function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a throw');
}

/** The message `p` rejects with (the test fails when it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a rejection');
}
