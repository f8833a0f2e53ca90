import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { runEdgeKernelCli } from '../src/edge-kernel/index.ts';
import { FIGURE_FILES, FIGURE_SCALE } from '../src/edge-kernel/figures.ts';
import { runEdgeKernel, W_TRUE } from '../src/edge-kernel/experiment.ts';
import { makeSampleImage } from '../src/edge-kernel/sample-image.ts';
import { allclose } from '../src/shared/allclose.ts';
import { bufferIO } from '../src/shared/io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'convgrad-edge-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the sample image', () => {
  it('is size×size, values in {0, 1}, mostly dark with a ring and a cross', () => {
    const img = makeSampleImage(80);
    expect(img.length).toBe(6400);
    expect(img.every((v) => v === 0 || v === 1)).toBe(true);
    const lit = img.reduce((s, v) => s + v, 0) / img.length;
    expect(lit).toBeGreaterThan(0.05);
    expect(lit).toBeLessThan(0.3); // keeps lr 0.5 stable: λmax ≈ 9·mean(x²) < 2/lr
    expect(img[40 * 80 + 24]).toBe(0); // the ring's centre is empty
    expect(img[40 * 80 + 59]).toBe(1); // the cross's centre is lit
  });
});

describe('edge-kernel experiment (small image)', () => {
  it('property: from any seed, converges below 1e-7 with w and y allclose (atol 1e-2) to the truth', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
      const r = runEdgeKernel({ seed, lr: 0.5, maxIter: 10000, tol: 1e-7, size: 24 });
      expect(r.fit.converged).toBe(true);
      expect(r.fit.losses[r.fit.iterations]).toBeLessThan(1e-7);
      expect(r.fit.losses.slice(0, -1).every((l) => l >= 1e-7)).toBe(true); // stopped at the first one below
      expect(allclose(r.fit.w.data, W_TRUE.flat(), { atol: 1e-2 })).toBe(true);
      expect(r.wClose && r.yClose).toBe(true);
      expect(r.z.shape).toEqual([1, 1, 22, 22]);
    }), { numRuns: 3 });
  });

  it('float32 and float64 stop at the same iteration with the same kernel to 1e-4', () => {
    const a = runEdgeKernel({ seed: 5, lr: 0.5, maxIter: 10000, tol: 1e-7, size: 24, dtype: 'float32' });
    const b = runEdgeKernel({ seed: 5, lr: 0.5, maxIter: 10000, tol: 1e-7, size: 24, dtype: 'float64' });
    expect(a.fit.w.dtype).toBe('float32');
    expect(b.fit.w.dtype).toBe('float64');
    expect(Math.abs(a.fit.iterations - b.fit.iterations)).toBeLessThanOrEqual(1);
    expect(allclose(a.fit.w.data, b.fit.w.data, { atol: 1e-4 })).toBe(true);
  });
});

describe('edge-kernel CLI', () => {
  it('runs, prints the chapter\'s report and writes five decodable PNGs', async () => {
    const out = join(tmp, 'figs');
    const io = bufferIO();
    const code = await runEdgeKernelCli(['--size', '24', '--out', out, '--log-every', '100', '--seed', '3'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(io.stdout).toMatch(/^iter +0 +loss /m);
    expect(io.stdout).toMatch(/^iter +100 +loss /m);
    expect(io.stdout).toContain('w_true:\n[[ 0 -1  0]\n [ 0  2  0]\n [ 0 -1  0]]');
    expect(io.stdout).toMatch(/w_result:\n\[\[/);
    expect(io.stdout).toMatch(/^w allclose: true/m);
    expect(io.stdout).toMatch(/^y allclose: true/m);
    expect(io.stdout).toMatch(/^stopped at iteration \d+ \(the chapter: 3460\)$/m);
    expect(io.stdout).toMatch(/^time: [\d.]+ s training/m);
    const sizes: Record<string, [number, number]> = {
      [FIGURE_FILES.image]: [24 * FIGURE_SCALE, 24 * FIGURE_SCALE],
      [FIGURE_FILES.target]: [22 * FIGURE_SCALE, 22 * FIGURE_SCALE],
      [FIGURE_FILES.prediction]: [22 * FIGURE_SCALE, 22 * FIGURE_SCALE],
      [FIGURE_FILES.absDiff]: [22 * FIGURE_SCALE, 22 * FIGURE_SCALE],
      [FIGURE_FILES.loss]: [640, 400],
    };
    expect(readdirSync(out).sort()).toEqual(Object.keys(sizes).sort()); // no temp or probe files left
    for (const [file, [w, h]] of Object.entries(sizes)) {
      const png = PNG.sync.read(readFileSync(join(out, file)));
      expect([file, png.width, png.height]).toEqual([file, w, h]);
    }
  });

  it('exits 1 and says so when the loss diverges', async () => {
    const io = bufferIO();
    const code = await runEdgeKernelCli(['--size', '24', '--lr', '100', '--out', join(tmp, 'diverged')], io);
    expect(code).toBe(1);
    expect(io.stdout).toMatch(/diverged at iteration \d+/);
    expect(io.stdout).toMatch(/^w allclose: false/m);
  });

  it('exits 1 when it runs out of iterations', async () => {
    const io = bufferIO();
    const code = await runEdgeKernelCli(['--size', '24', '--max-iter', '5', '--out', join(tmp, 'short')], io);
    expect(code).toBe(1);
    expect(io.stdout).toMatch(/not converged after 5 iterations/);
  });

  it.each([
    [['--lr', '-0.5'], /--lr must be > 0, got -0.5/],
    [['--lr', 'fast'], /--lr must be a number, got 'fast'/],
    [['--seed', '1.5'], /--seed must be an integer/],
    [['--max-iter', '0'], /--max-iter must be >= 1/],
    [['--tol', '-1'], /--tol must be >= 0/],
    [['--dtype', 'int8'], /--dtype must be one of float32, float64/],
    [['--learning-rate', '1'], /unknown option '--learning-rate'/],
    [['--size', '8'], /--size must be >= 16/],
    [['--lr'], /--lr needs a value/],
  ])('rejects %j with exit code 2, a message, and no files', async (argv, message) => {
    const out = join(tmp, 'never');
    const io = bufferIO();
    const code = await runEdgeKernelCli([...(argv as string[]), '--out', out], io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/^edge-kernel: error: /);
    expect(io.stderr).toMatch(message);
    expect(io.stdout).toBe('');
    expect(existsSync(out)).toBe(false); // validated before the out dir is created
  });

  it('rejects an out dir that cannot be created (a path through a file) before training', async () => {
    const io = bufferIO();
    const file = join(tmp, 'a-file');
    await import('node:fs').then((fs) => fs.writeFileSync(file, 'x'));
    const code = await runEdgeKernelCli(['--out', join(file, 'sub')], io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/--out '.*a-file\/sub': cannot create the directory \(ENOTDIR: '.*a-file' is a file\)/);
    expect(io.stdout).toBe(''); // nothing ran
    expect(readFileSync(file, 'utf8')).toBe('x');
    const io2 = bufferIO();
    expect(await runEdgeKernelCli(['--out', file], io2)).toBe(2); // an existing file is not a directory
    expect(io2.stderr).toMatch(/--out '.*a-file': cannot create the directory \(EEXIST: '.*a-file' is a file\)/);
  });

  it('prints its options for --help and exits 0', async () => {
    const io = bufferIO();
    expect(await runEdgeKernelCli(['--help'], io)).toBe(0);
    for (const o of ['--seed', '--lr', '--max-iter', '--tol', '--out']) expect(io.stdout).toContain(o);
  });
});
