// Command-line helper of the bench entry points: takes the options one entry point owns out of argv
// and leaves the rest (passed on to the conv options' parser).

export interface Extracted {
  /** Value options given (the last one wins). */
  readonly values: Map<string, string>;
  /** Flags given. */
  readonly flags: Set<string>;
  /** Everything else, in order. */
  readonly rest: string[];
}

export function extractOptions(argv: readonly string[], valueOptions: readonly string[], flagOptions: readonly string[]): Extracted {
  const values = new Map<string, string>(), flags = new Set<string>(), rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (valueOptions.includes(a)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`bench: ${a} needs a value`);
      values.set(a, v);
    } else if (flagOptions.includes(a)) flags.add(a);
    else rest.push(a);
  }
  return { values, flags, rest };
}
