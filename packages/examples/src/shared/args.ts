// Command-line options for the examples: `--name value` or `--name=value`, every value validated
// before anything runs. A bad option throws UsageError (the CLI prints it and exits 2). A bare `--`
// is skipped: it is the separator of `pnpm start -- --max-iter 5` (the examples take no positional
// arguments, so nothing after it could be meant otherwise).

export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionKind = 'int' | 'number' | 'string' | 'choice' | 'flag';

export interface OptionSpec {
  kind: OptionKind;
  /** A 'flag' takes no value: false unless given. */
  default: number | string | boolean;
  help: string;
  /** Smallest allowed value (numbers). */
  min?: number;
  /** Whether `min` itself is allowed (default true). */
  minInclusive?: boolean;
  max?: number;
  /** Allowed values of a 'choice' option. */
  choices?: readonly string[];
}

export type OptionSpecs = Record<string, OptionSpec>;
export type OptionValues<S extends OptionSpecs> = {
  [K in keyof S]: S[K]['kind'] extends 'string' | 'choice' ? string : S[K]['kind'] extends 'flag' ? boolean : number;
};

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseValue(name: string, raw: string, spec: OptionSpec): number | string {
  if (spec.kind === 'choice') {
    const choices = spec.choices ?? [];
    if (!choices.includes(raw)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${raw}'`);
    return raw;
  }
  if (spec.kind === 'string') {
    if (raw.length === 0) throw new UsageError(`--${name} must not be empty`);
    return raw;
  }
  if (!NUMBER_RE.test(raw.trim())) throw new UsageError(`--${name} must be a number, got '${raw}'`);
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new UsageError(`--${name} must be a finite number, got '${raw}'`);
  if (spec.kind === 'int' && !Number.isSafeInteger(v)) throw new UsageError(`--${name} must be an integer, got '${raw}'`);
  if (spec.min !== undefined) {
    const inclusive = spec.minInclusive ?? true;
    if (inclusive ? v < spec.min : v <= spec.min) {
      throw new UsageError(`--${name} must be ${inclusive ? '>=' : '>'} ${spec.min}, got ${raw}`);
    }
  }
  if (spec.max !== undefined && v > spec.max) throw new UsageError(`--${name} must be <= ${spec.max}, got ${raw}`);
  return v;
}

/** Parses argv against `specs`; returns null when --help/-h was given. */
export function parseOptions<S extends OptionSpecs>(argv: readonly string[], specs: S): OptionValues<S> | null {
  const values: Record<string, number | string | boolean> = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = spec.default;
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') return null;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}' (options are --name value)`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) throw new UsageError(`unknown option '--${name}' (known: ${Object.keys(specs).map((k) => `--${k}`).join(', ')})`);
    if (seen.has(name)) throw new UsageError(`--${name} given more than once`);
    seen.add(name);
    if (spec.kind === 'flag') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value, got '${arg}'`);
      values[name] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      // a following option is not taken as the value (negative numbers still are: `--x -1`)
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new UsageError(`--${name} needs a value`);
      raw = argv[++i];
    }
    values[name] = parseValue(name, raw, spec);
  }
  return values as OptionValues<S>;
}

/** One line per option: name, default and help. */
export function formatOptions(specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => [
    s.kind === 'flag' ? `--${name}` : `--${name} <${s.kind === 'choice' ? (s.choices ?? []).join('|') : s.kind}>`,
    s.kind === 'flag' ? s.help : `${s.help} (default ${s.default})`,
  ]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`).join('\n') + '\n';
}
