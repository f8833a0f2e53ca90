// One browser-test session: the pages built once into a temp folder, one Chromium, and a server per
// run (isolated or not) opened on demand. Shared by the test file and the bench command.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildPages } from './build-pages.ts';
import { launchChromium } from './chromium.ts';
import { runPage, type PageRun } from './run-page.ts';
import { serveStatic, type StaticServer } from './serve.ts';

export interface OpenOptions {
  isolated: boolean;
  timeoutMs: number;
  /** Each console.log line of the page, as it comes. */
  onLog?: (line: string) => void;
}

export interface Session {
  readonly dir: string;
  /** The browser's version string. */
  readonly browserVersion: string;
  /** Serves the built pages (isolated: COOP/COEP), loads `page` (e.g. 'check/index.html?x=1') and returns its report. */
  open<T>(page: string, options: OpenOptions): Promise<PageRun<T> & { requests: readonly string[]; headers: Headers }>;
  close(): Promise<void>;
}

/** A fresh temp folder filled by `build`, and Chromium launched; on failure neither is left behind. */
export async function buildAndLaunch(prefix: string, build: (dir: string) => Promise<void>): Promise<{ dir: string; browser: Browser }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  let browser: Browser | null = null;
  try {
    await build(dir);
    browser = await launchChromium();
    return { dir, browser };
  } catch (e) {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export async function startSession(): Promise<Session> {
  const { dir, browser: b } = await buildAndLaunch('convgrad-pages-', buildPages);
  return {
    dir,
    browserVersion: b.version(),
    async open<T>(page: string, { isolated, timeoutMs, onLog }: OpenOptions) {
      const server: StaticServer = await serveStatic(dir, { isolated });
      try {
        const url = `${server.origin}/${page}`;
        const { headers } = await fetch(url, { method: 'HEAD' });
        const run = await runPage<T>(b, url, timeoutMs, onLog);
        return { ...run, requests: server.requests, headers };
      } finally {
        await server.close();
      }
    },
    async close() {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
