import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';
import { examples } from '../src/examples.ts';
import type { Example } from '../src/registry.ts';
import { bufferIO } from '../src/shared/io.ts';

describe('pnpm example <name>', () => {
  it('registers the chapter\'s examples', () => {
    const names = examples.map((e) => e.name);
    expect(names).toContain('edge-kernel');
    expect(names).toContain('recover-multi');
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists the examples (name and summary) on stdout and exits 0 when the name is missing', async () => {
    const io = bufferIO();
    expect(await main([], examples, io)).toBe(0);
    for (const e of examples) expect(io.stdout).toMatch(new RegExp(`^  ${e.name} +${e.summary.replace(/[()[\]*+?.\\^$|]/g, '\\$&')}$`, 'm'));
    expect(io.stderr).toBe('');
  });

  it('names an unknown example on stderr, lists the examples and exits 2', async () => {
    const io = bufferIO();
    expect(await main(['edge-kernal'], examples, io)).toBe(2);
    expect(io.stderr).toMatch(/^error: unknown example 'edge-kernal'/);
    expect(io.stderr).toContain('edge-kernel');
    expect(io.stdout).toBe('');
  });

  it('passes the remaining arguments to the example and returns its exit code', async () => {
    const calls: string[][] = [];
    const fake: Example = { name: 'fake', summary: 'a test double', run: async (argv) => { calls.push(argv); return 7; } };
    expect(await main(['fake', '--seed', '3'], [fake], bufferIO())).toBe(7);
    expect(calls).toEqual([['--seed', '3']]);
  });
});
