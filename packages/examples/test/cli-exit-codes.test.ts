// The CLI contract: the `--` separator, the output folder created only when something is written,
// and the exit codes 2 (usage), 1 (run failure) and 130 (SIGINT), run directly and through pnpm.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';
import { runEdgeKernelCli } from '../src/edge-kernel/index.ts';
import { runMnistCli } from '../src/mnist/index.ts';
import type { Example } from '../src/registry.ts';
import { parseOptions } from '../src/shared/args.ts';
import { bufferIO } from '../src/shared/io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'convgrad-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const root = new URL('../../../', import.meta.url).pathname;
const cli = new URL('../src/cli.ts', import.meta.url).pathname;
const pnpm = (args: string[]) => spawnSync('npx', ['-y', 'pnpm@12.4.2', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, INIT_CWD: root } });

describe('the -- separator', () => {
  it('is skipped by the option parser and before the example name', async () => {
    const specs = { 'max-iter': { kind: 'int', default: 10, help: '' } } as const;
    expect(parseOptions(['--', '--max-iter', '5'], specs)).toEqual({ 'max-iter': 5 });
    expect(parseOptions(['--max-iter', '5', '--'], specs)).toEqual({ 'max-iter': 5 });
    const calls: string[][] = [];
    const fake: Example = { name: 'fake', summary: '', run: async (argv) => { calls.push(argv); return 0; } };
    expect(await main(['--', 'fake', '--', '--seed', '3'], [fake], bufferIO())).toBe(0);
    expect(calls).toEqual([['--', '--seed', '3']]);
  });

  it('`pnpm start -- --max-iter 5` runs (and exits 1: not converged), `pnpm start -- --bogus` exits 2', () => {
    const out = join(tmp, 'pnpm-run');
    const run = pnpm(['start', '--', '--max-iter', '5', '--size', '24', '--out', out]);
    expect(run.stdout, run.stderr).toMatch(/not converged after 5 iterations/);
    expect(run.status).toBe(1);
    expect(readdirSync(out)).toContain('edge-loss.png');
    const bad = pnpm(['start', '--', '--bogus']);
    expect(bad.stderr).toMatch(/edge-kernel: error: unknown option '--bogus'/);
    expect(bad.status).toBe(2);
  }, 240_000);
});

describe('the output folder', () => {
  it('is not created by a run that fails before writing (missing MNIST data: exit 1)', async () => {
    const out = join(tmp, 'mnist-out', 'nested');
    const code = await runMnistCli(['--data-dir', join(tmp, 'no-data'), '--out', out, '--epochs', '1']);
    expect(code).toBe(1);
    expect(existsSync(join(tmp, 'mnist-out'))).toBe(false);
  });

  it('is created (with parents) when the figures are written', async () => {
    const out = join(tmp, 'deep', 'er', 'figs');
    expect(await runEdgeKernelCli(['--size', '24', '--max-iter', '3', '--out', out], bufferIO())).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['edge-abs-diff.png', 'edge-image.png', 'edge-loss.png', 'edge-prediction.png', 'edge-target.png']);
  });
});

describe('SIGINT', () => {
  // a run the test gave up on (a timeout on a loaded machine) must not outlive it: it would loop for hours
  const groups = new Set<number>();
  afterAll(() => {
    for (const pid of groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // the group has already ended
      }
    }
  });
  /** Starts a long run in its own process group, sends SIGINT to the group after its first loss line. */
  async function interrupt(command: string, args: string[], out: string) {
    const child = spawn(command, args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, INIT_CWD: root } });
    groups.add(child.pid!);
    let text = '';
    child.stderr!.on('data', (d) => { text += d; });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d) => {
      text += d;
      if (/iter +0 +loss/.test(text)) resolve();
    }));
    process.kill(-child.pid!, 'SIGINT');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
    expect(existsSync(out), 'an interrupted run leaves no output folder').toBe(false);
    return { code, signal, text };
  }
  const longRun = (out: string) => ['--max-iter', '100000000', '--tol', '0', '--out', out];

  it('ends the run at once with the signal (the shell reports 128 + 2 = 130), directly and through pnpm', async () => {
    const direct = await interrupt(process.execPath, ['--import', 'tsx', cli, 'edge-kernel', ...longRun(join(tmp, 'sig-direct'))], join(tmp, 'sig-direct'));
    expect([direct.code, direct.signal], direct.text).toEqual([null, 'SIGINT']);
    const viaPnpm = await interrupt('npx', ['-y', 'pnpm@12.4.2', 'start', '--', ...longRun(join(tmp, 'sig-pnpm'))], join(tmp, 'sig-pnpm'));
    expect(viaPnpm.signal === 'SIGINT' || viaPnpm.code === 130, `${viaPnpm.code} ${viaPnpm.signal} ${viaPnpm.text}`).toBe(true);
  }, 240_000);
});
