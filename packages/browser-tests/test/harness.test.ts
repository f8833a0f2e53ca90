// The harness itself: Vite's bundle served on 127.0.0.1 with and without COOP/COEP, in Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildPages } from '../src/build-pages.ts';
import { launchChromium, missingChromium } from '../src/chromium.ts';
import { runPage } from '../src/run-page.ts';
import { serveStatic } from '../src/serve.ts';

const missing = missingChromium();
if (missing && process.env.CI === 'true') throw new Error(`browser tests: ${missing}. On CI Chromium is required (.ci/run installs it).`);
if (missing) console.warn(`\n*** SKIPPING the browser tests: ${missing} ***\n`);

describe.skipIf(missing !== null)('browser harness', () => {
  let dir = '';
  let browser: Browser;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'convgrad-pages-'));
    await buildPages(dir);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const isolated of [true, false]) {
    it(`serves the smoke page ${isolated ? 'with' : 'without'} COOP/COEP and the page sees it`, async () => {
      const server = await serveStatic(dir, { isolated });
      try {
        const res = await fetch(`${server.origin}/smoke/index.html`);
        expect(res.headers.get('cross-origin-opener-policy')).toBe(isolated ? 'same-origin' : null);
        expect(res.headers.get('cross-origin-embedder-policy')).toBe(isolated ? 'require-corp' : null);
        const { result, console: con } = await runPage<{ crossOriginIsolated: boolean; sharedArrayBuffer: boolean }>(browser, `${server.origin}/smoke/index.html`, 20_000);
        expect(result.crossOriginIsolated).toBe(isolated);
        expect(result.sharedArrayBuffer).toBe(isolated);
        expect(con.errors).toEqual([]);
      } finally {
        await server.close();
      }
    });
  }
});
