import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runRecoverMultiCli } from '../src/recover-multi/index.ts';
import { LAYER, runRecoverMulti, strideRemainder } from '../src/recover-multi/experiment.ts';
import { allclose } from '../src/shared/allclose.ts';
import { bufferIO } from '../src/shared/io.ts';

describe('recover-multi experiment', () => {
  it('uses sizes where (H + 2P − K) is not a multiple of the stride', () => {
    expect(strideRemainder(12)).not.toBe(0);
    expect(strideRemainder(10)).not.toBe(0);
    const r = runRecoverMulti({ seed: 0, lr: 0.5, momentum: 0.9, maxIter: 1, tol: 0, batch: 2 });
    expect(r.x.shape).toEqual([2, LAYER.cin, 12, 10]);
    expect(r.y.shape).toEqual([2, LAYER.cout, 6, 5]); // floor((12 + 2 − 3)/2) + 1, floor((10 + 2 − 3)/2) + 1
  });

  it('property: from any seed, recovers W and b to allclose (atol 1e-3) from (x, y) alone', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
      const r = runRecoverMulti({ seed, lr: 0.5, momentum: 0.9, maxIter: 3000, tol: 1e-10, batch: 4 });
      expect(r.fit.converged).toBe(true);
      expect(allclose(r.fit.w.data, r.wTrue.data, { atol: 1e-3 })).toBe(true);
      expect(allclose(r.fit.b!.data, r.bTrue.data, { atol: 1e-3 })).toBe(true);
      expect(r.wClose && r.bClose).toBe(true);
      // the start really was far from the answer: the actual initial guess, not zeros
      expect(r.w0.shape).toEqual(r.wTrue.shape);
      expect(allclose(r.w0.data, r.wTrue.data, { atol: 0.1 })).toBe(false);
      expect(allclose(r.b0.data, r.bTrue.data, { atol: 1e-3 })).toBe(false);
      expect(Math.max(...Array.from(r.w0.data, (v, i) => Math.abs(v - r.wTrue.data[i])))).toBeGreaterThan(1000 * r.wMaxDiff);
    }), { numRuns: 3 });
  });

  it('works in float64 too (the js kernels)', () => {
    const r = runRecoverMulti({ seed: 11, lr: 0.5, momentum: 0.9, maxIter: 3000, tol: 1e-10, batch: 4, dtype: 'float64' });
    expect(r.fit.w.dtype).toBe('float64');
    expect(r.fit.converged).toBe(true);
    expect(r.wClose && r.bClose).toBe(true);
  });
});

describe('recover-multi CLI', () => {
  it('prints the truth beside the recovered values and exits 0', async () => {
    const io = bufferIO();
    const code = await runRecoverMultiCli(['--seed', '4', '--log-every', '100'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(io.stdout).toMatch(/^iter +0 +loss /m);
    expect(io.stdout).toContain('(H + 2P − K) mod S = 1');
    expect(io.stdout.match(/^ {2}W\[\d,\d\]/gm)).toHaveLength(LAYER.cout * LAYER.cin);
    expect(io.stdout).toMatch(/^bias: /m);
    expect(io.stdout).toMatch(/^W allclose: true/m);
    expect(io.stdout).toMatch(/^b allclose: true/m);
    expect(io.stdout).toMatch(/^recovered W and b after \d+ iterations/m);
  });

  it('exits 1 when it did not recover (too few iterations)', async () => {
    const io = bufferIO();
    expect(await runRecoverMultiCli(['--max-iter', '3'], io)).toBe(1);
    expect(io.stdout).toMatch(/not converged after 3 iterations/);
    expect(io.stdout).toMatch(/did NOT recover W and b/);
  });

  it.each([
    [['--momentum', '1'], /--momentum must be <= 0.999/],
    [['--lr', '-1'], /--lr must be > 0/],
    [['--max-iter', 'many'], /--max-iter must be a number/],
    [['--out', 'x'], /unknown option '--out'/],
  ])('rejects %j with exit code 2 and a message', async (argv, message) => {
    const io = bufferIO();
    expect(await runRecoverMultiCli(argv as string[], io)).toBe(2);
    expect(io.stderr).toMatch(/^recover-multi: error: /);
    expect(io.stderr).toMatch(message);
    expect(io.stdout).toBe('');
  });
});
