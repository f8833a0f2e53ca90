// The runnable examples: `pnpm example <name>`. Each entry's run() gets the remaining argv and
// returns the process exit code.
export interface Example {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const examples: Example[] = [];

export function registerExample(e: Example): void {
  examples.push(e);
}
