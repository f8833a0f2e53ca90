// The shared option parser's value-less flags (`--resume`).
import { expect, it } from 'vitest';
import { formatOptions, parseOptions, UsageError } from '../src/shared/args.ts';

const specs = { resume: { kind: 'flag', default: false, help: 'continue' }, epochs: { kind: 'int', default: 3, help: 'passes' } } as const;

it('a flag is false unless given, true when given, and takes no value', () => {
  expect(parseOptions([], specs)).toEqual({ resume: false, epochs: 3 });
  expect(parseOptions(['--resume', '--epochs', '2'], specs)).toEqual({ resume: true, epochs: 2 });
  expect(parseOptions(['--epochs', '2', '--resume'], specs)).toEqual({ resume: true, epochs: 2 });
  expect(() => parseOptions(['--resume=yes'], specs)).toThrow(UsageError);
  expect(() => parseOptions(['--resume', '--resume'], specs)).toThrow(/--resume given more than once/);
  expect(() => parseOptions(['--resume', 'yes'], specs)).toThrow(/unexpected argument 'yes'/);
  expect(formatOptions(specs)).toMatch(/ {2}--resume {2,}continue\n/);
});
