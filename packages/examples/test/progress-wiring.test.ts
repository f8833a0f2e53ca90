// The examples' progress wiring: mnist's per-epoch display and the iteration display of edge-kernel/recover-multi.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEdgeKernelCli } from '../src/edge-kernel/index.ts';
import { epochProgress } from '../src/mnist/progress.ts';
import { runRecoverMultiCli } from '../src/recover-multi/index.ts';
import { bufferIO } from '../src/shared/io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'convgrad-progress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, write: (t: string) => { chunks.push(t); }, isTTY };
}

describe('mnist epochProgress', () => {
  it('plain lines with loss and accuracy when stderr is not a TTY', () => {
    const s = stream(false);
    const bar = epochProgress(2, 3, 20, true, s, {});
    for (let i = 1; i <= 20; i++) bar.update(i, 0.5, 0.9);
    bar.stop();
    expect(s.chunks.length).toBe(10);
    expect(s.chunks[9]).toMatch(/^epoch 2\/3 20\/20 \(100%\) loss 0\.5000 acc 90\.00% \| [\d.]+ batch\/s, ETA 0:00\n$/);
  });

  it('a bar on a TTY, plain lines under CI, nothing when disabled', () => {
    const tty = stream(true);
    const bar = epochProgress(1, 1, 5, true, tty, {});
    bar.update(5, 0.25, 1);
    bar.stop();
    expect(tty.chunks[0]).toMatch(/^\r\x1b\[Kepoch 1\/1 \[#+\] 100% 5\/5 \| loss 0\.2500 acc 100\.00%/);
    expect(tty.chunks.at(-1)).toBe('\n');
    const ci = stream(true);
    const inCi = epochProgress(1, 1, 5, true, ci, { CI: 'true' });
    inCi.update(5, 0.25, 1);
    expect(ci.chunks[0]).toMatch(/^epoch 1\/1 5\/5 \(100%\)/);
    const quiet = stream(true);
    const off = epochProgress(1, 1, 5, false, quiet, {});
    off.update(5, 0.25, 1);
    off.stop();
    expect(quiet.chunks).toEqual([]);
  });
});

describe('edge-kernel and recover-multi', () => {
  it('on a terminal: a bar on stderr, the same iter lines on stdout; without one: no stderr at all', async () => {
    const args = ['--size', '24', '--max-iter', '30', '--log-every', '10', '--out', join(tmp, 'ek')];
    const plain = bufferIO();
    await runEdgeKernelCli(args, plain);
    const io = bufferIO({ errIsTTY: true });
    await runEdgeKernelCli(args, io);
    expect(plain.stderr).toBe('');
    const iterLines = (s: string) => s.split('\n').filter((l) => l.startsWith('iter '));
    expect(iterLines(plain.stdout)[0]).toMatch(/^iter  0  loss \d\.\d{5}e[-+]\d+$/);
    expect(iterLines(io.stdout)).toEqual(iterLines(plain.stdout));
    expect(iterLines(plain.stdout).length).toBe(3); // 0, 10, 20 (not converged at 30)
    expect(io.stderr).toMatch(/^\r\x1b\[Kedge-kernel \[#*-*\] +\d+% \d+\/30 \| loss \d\.\d{5}e[-+]\d+ \| [\d.]+ it\/s, ETA /);
    expect(io.stderr).toMatch(/edge-kernel \[#{24}\] 100% 30\/30 \| loss [^|]+\| [\d.]+ it\/s, [\d:]+ elapsed\n$/);
  });

  it('recover-multi draws the same bar under its own label; CI turns it off', async () => {
    const tty = bufferIO({ errIsTTY: true }), ci = bufferIO({ errIsTTY: true, ci: true });
    await runRecoverMultiCli(['--max-iter', '5'], tty);
    await runRecoverMultiCli(['--max-iter', '5'], ci);
    expect(tty.stderr).toMatch(/recover-multi \[#{24}\] 100% 5\/5 /);
    expect(ci.stderr).toBe('');
    expect(ci.stdout).toMatch(/^iter 0  loss /m);
  });
});
