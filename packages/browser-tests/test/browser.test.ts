// Issue 9's browser test: the built packages, bundled by Vite (vite.config.ts: no `source` condition),
// served on 127.0.0.1 and run in Debian's headless Chromium twice — cross-origin isolated (wasm kernels on
// Web Workers) and not (wasm on one thread). The check page (pages/check/) reports JSON; this file asserts
// it field by field. Needs `pnpm build` first (the root `pnpm test` runs it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingChromium } from '../src/chromium.ts';
import { startSession, type Session } from '../src/session.ts';
import type { CheckResult } from '../pages/check/result.ts';

const missing = missingChromium();
const onCi = process.env.CI === 'true';
if (missing && !onCi) console.warn(`\n*** SKIPPING the browser tests: ${missing} ***\n`);

describe.runIf(missing !== null && onCi)('browser tests on CI', () => {
  it('have a Chromium to run in', () => {
    throw new Error(`browser tests: ${missing}. CI requires Chromium (.ci/run installs it with apt-get).`);
  });
});

/** Threads the page asks for (configure): more than this 2-core machine has, so that ≥ 2 workers exist. */
const THREADS = 3;

describe.skipIf(missing !== null)('the built packages in Chromium', () => {
  let session: Session;
  beforeAll(async () => {
    session = await startSession();
  }, 180_000);
  afterAll(async () => {
    await session?.close();
  });

  for (const isolated of [true, false]) {
    it(`smoke page: COOP/COEP ${isolated ? 'sent' : 'absent'}, crossOriginIsolated ${isolated}`, async () => {
      const run = await session.open<{ crossOriginIsolated: boolean; sharedArrayBuffer: boolean }>('smoke/index.html', { isolated, timeoutMs: 20_000 });
      expect(run.headers.get('cross-origin-opener-policy')).toBe(isolated ? 'same-origin' : null);
      expect(run.headers.get('cross-origin-embedder-policy')).toBe(isolated ? 'require-corp' : null);
      expect(run.result).toMatchObject({ crossOriginIsolated: isolated, sharedArrayBuffer: isolated });
      expect(run.console.errors).toEqual([]);
    });
  }

  describe.each([
    { isolated: true, name: 'cross-origin isolated (wasm kernels on Web Workers)' },
    { isolated: false, name: 'not isolated (wasm kernels on one thread)' },
  ])('check page, $name', ({ isolated }) => {
    let r: CheckResult;
    let errors: string[] = [];
    let warnings: string[] = [];
    let requests: readonly string[] = [];
    beforeAll(async () => {
      const run = await session.open<CheckResult>(`check/index.html?threads=${THREADS}`, { isolated, timeoutMs: 240_000 });
      r = run.result;
      errors = run.console.errors;
      warnings = run.console.warnings;
      requests = run.requests;
      if (r.error) throw new Error(`the check page failed: ${r.error}`);
    }, 300_000);

    it('runs ops on the js kernels while the wasm loads, and the same values on wasm after ready()', () => {
      expect(r.early).toEqual({ backend: 'js', wasm: 'loading', backendAfter: 'wasm', maxRelError: r.early.maxRelError });
      expect(r.early.maxRelError).toBeLessThanOrEqual(1e-4);
    });

    it('runs on the wasm kernels (relaxed SIMD) once ready() resolves, fetched as .wasm', () => {
      expect(r.before.crossOriginIsolated).toBe(isolated);
      expect(r.before.backend).toBe('wasm');
      expect(r.after.backend).toBe('wasm');
      expect(r.before.variant).toBe('relaxed-simd'); // Chromium validates relaxed SIMD without flags
      expect(requests.filter((p) => p.endsWith('.wasm')).length).toBeGreaterThanOrEqual(1);
    });

    if (isolated) {
      it(`uses ${THREADS} threads, and at least 2 Web Workers really ran kernel work`, () => {
        expect(r.before.threads).toBe(THREADS);
        expect(r.after.workersUsed).toBeGreaterThanOrEqual(2);
      });
    } else {
      it(`runs one thread although ${THREADS} were asked for, and no worker ran`, () => {
        expect(r.before.threads).toBe(1);
        expect(r.after.threads).toBe(1);
        expect(r.after.workersUsed).toBe(0);
      });
    }

    it('conv2d forward and backward on random shapes, strides, paddings and dilations equal the js backend', () => {
      const c = r.conv;
      expect(c.failures).toEqual([]);
      expect(c.cases).toBeGreaterThanOrEqual(24);
      expect(c.stridedCases).toBeGreaterThan(0);
      expect(c.paddedCases).toBeGreaterThan(0);
      expect(c.dilatedCases).toBeGreaterThan(0);
      for (const k of ['y', 'dx', 'dw', 'db'] as const) expect(c.maxRelError[k], k).toBeLessThanOrEqual(1e-4);
      expect(c.wasmConvCalls).toBeGreaterThanOrEqual(2 * c.cases); // the wasm side really ran wasm kernels
      expect(c.jsFallbacks).toBe(0);
      expect(c.maxAbsJs).toBeGreaterThan(1); // real values were compared, not zeros
      expect(c.planted).toBeGreaterThan(1e-2); // and the comparison does see a wrong answer
    });

    it('gradcheck of conv2d in float64 passes', () => {
      expect(r.gradcheck.failures).toEqual([]);
      expect(r.gradcheck.cases).toBeGreaterThanOrEqual(6);
      expect(r.gradcheck.passed).toBe(r.gradcheck.cases);
    });

    it("the chapter's experiment converges with w allclose", () => {
      expect(r.edge.converged).toBe(true);
      expect(r.edge.finalLoss).toBeLessThan(1e-7);
      expect(r.edge.iterations).toBeGreaterThan(100);
      expect(r.edge.wClose).toBe(true);
      expect(r.edge.wMaxDiff).toBeLessThan(1e-2);
      expect(r.edge.yClose).toBe(true);
    });

    it('a small CNN trains and its state dict round-trips through bytes and a Blob', () => {
      const c = r.cnn;
      expect(c.meanLast5).toBeLessThan(c.meanFirst5 / 2);
      expect(c.accuracy).toBeGreaterThanOrEqual(0.9);
      expect(c.bytes).toBeGreaterThan(100);
      expect(c.tensors).toBeGreaterThanOrEqual(6);
      expect(c.tensorsEqual).toBe(c.tensors);
      expect(c.predictionsEqual).toBe(true);
      expect(c.viaBlob).toBe(true);
      expect(c.saveCheckpointError).toMatch(/^ConvgradError: saveCheckpoint.*node/i);
    });

    it('the console shows no errors (nor warnings: a worker or kernel fallback warns)', () => {
      expect(errors).toEqual([]);
      expect(warnings).toEqual([]);
    });
  });
});
