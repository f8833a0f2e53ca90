import { describe, expect, it } from 'vitest';
import { formatOptions, parseOptions, UsageError, type OptionSpecs } from '../src/shared/args.ts';

const SPECS = {
  seed: { kind: 'int', default: 0, min: 0, help: 'seed' },
  lr: { kind: 'number', default: 0.5, min: 0, minInclusive: false, help: 'learning rate' },
  tol: { kind: 'number', default: 1e-7, min: 0, max: 1, help: 'tolerance' },
  out: { kind: 'string', default: 'out', help: 'dir' },
  dtype: { kind: 'choice', default: 'float32', choices: ['float32', 'float64'], help: 'dtype' },
} satisfies OptionSpecs;

function usage(argv: string[]): string {
  try {
    parseOptions(argv, SPECS);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe('parseOptions', () => {
  it('returns the defaults, and parses both --name value and --name=value', () => {
    expect(parseOptions([], SPECS)).toEqual({ seed: 0, lr: 0.5, tol: 1e-7, out: 'out', dtype: 'float32' });
    expect(parseOptions(['--tol', '-0'], { tol: { kind: 'number', default: 1, help: '' } })).toEqual({ tol: -0 });
    expect(parseOptions(['--seed', '7', '--lr=0.25', '--tol', '1e-9', '--out=a=b', '--dtype', 'float64'], SPECS))
      .toEqual({ seed: 7, lr: 0.25, tol: 1e-9, out: 'a=b', dtype: 'float64' });
  });

  it('returns null for --help / -h', () => {
    expect(parseOptions(['--seed', '1', '--help'], SPECS)).toBeNull();
    expect(parseOptions(['-h'], SPECS)).toBeNull();
  });

  it.each([
    [['--lr', '-0.5'], /--lr must be > 0/],
    [['--lr', '0'], /--lr must be > 0/],
    [['--lr', 'abc'], /--lr must be a number, got 'abc'/],
    [['--lr', ''], /--lr must be a number/],
    [['--lr', 'NaN'], /--lr must be a number/],
    [['--lr', 'Infinity'], /--lr must be a number/],
    [['--lr', '0x10'], /--lr must be a number/],
    [['--lr', '1e'], /--lr must be a number/],
    [['--lr=1e999'], /--lr must be a finite number/],
    [['--seed', '1.5'], /--seed must be an integer/],
    [['--seed', '-1'], /--seed must be >= 0/],
    [['--tol', '2'], /--tol must be <= 1/],
    [['--dtype', 'float16'], /--dtype must be one of float32, float64/],
    [['--out', ''], /--out must not be empty/],
    [['--bogus', '1'], /unknown option '--bogus'/],
    [['--seed'], /--seed needs a value/],
    [['--seed', '--lr', '1'], /--seed needs a value/],
    [['--seed', '1', '--seed', '2'], /--seed given more than once/],
    [['seed', '1'], /unexpected argument 'seed'/],
  ])('rejects %j', (argv, message) => {
    expect(usage(argv as string[])).toMatch(message);
  });

  it('does not treat Object.prototype keys as options', () => {
    expect(usage(['--constructor', '1'])).toMatch(/unknown option '--constructor'/);
  });

  it('lists every option with its default in the help text', () => {
    const text = formatOptions(SPECS);
    for (const name of Object.keys(SPECS)) expect(text).toContain(`--${name}`);
    expect(text).toContain('float32|float64');
    expect(text).toContain('(default 0.5)');
  });
});
