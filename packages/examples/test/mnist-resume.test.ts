// `pnpm example mnist --resume`: a run stopped after epoch 1 and continued writes byte-identical
// checkpoints to the run that never stopped (same --out). The acceptance command is
// `--limit 6000 --epochs 2`; the suite uses fewer images (same code path, seconds instead of a minute).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMnistCli } from '../src/mnist/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'convgrad-mnist-resume-'));

/** Runs the CLI with stdout and stderr captured; returns the exit code and the output. */
async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const out = process.stdout.write, err = process.stderr.write;
  const capture = ((s: string) => { chunks.push(String(s)); return true; }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return { code: await runMnistCli(argv), out: chunks.join('') };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

const base = ['--limit', '320', '--test-limit', '100', '--batch-size', '32'];
const files = ['training.safetensors', 'lenet.safetensors'];
const read = (dir: string, f: string) => readFileSync(join(dir, f));

describe('mnist --resume', () => {
  it('2 epochs straight and 1 epoch + --resume write byte-identical checkpoints', async () => {
    const straight = join(tmp, 'straight'), stopped = join(tmp, 'stopped');
    expect((await cli([...base, '--epochs', '2', '--out', straight])).code).toBe(0);
    const one = await cli([...base, '--epochs', '1', '--out', stopped]);
    expect(one.code).toBe(0);
    const afterOne = read(stopped, 'training.safetensors');
    const resumed = await cli([...base, '--epochs', '2', '--out', stopped, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/resumed from .*training\.safetensors: 1 epoch\(s\), 10 steps done; lr 0\.000600/);
    expect(resumed.out).not.toMatch(/epoch 1\/2:/);
    for (const f of files) expect(read(stopped, f).equals(read(straight, f)), f).toBe(true);
    // the second epoch changed the training checkpoint (so the comparison is of real progress)
    expect(afterOne.equals(read(straight, 'training.safetensors'))).toBe(false);
  }, 120_000);

  it('--resume with other settings or without a checkpoint exits 1 with a clear message', async () => {
    const dir = join(tmp, 'other');
    expect((await cli([...base, '--epochs', '1', '--out', dir])).code).toBe(0);
    const other = await cli([...base, '--epochs', '2', '--out', dir, '--resume', '--lr', '0.01']);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/mnist: --resume: .*training\.safetensors was written with other settings/);
    const none = await cli([...base, '--epochs', '2', '--out', join(tmp, 'empty'), '--resume']);
    expect(none.code).toBe(1);
    expect(none.out).toMatch(/mnist: --resume: no training checkpoint .*empty\/training\.safetensors/);
    expect((await cli([...base, '--resume=1'])).code).toBe(2);
  }, 120_000);
});
