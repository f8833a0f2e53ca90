// Test harness of the playground: the built site (vite build into a temp folder, once), served by the
// browser tests' static server on 127.0.0.1 (isolated: COOP/COEP, or not) and opened in their headless
// Chromium. A page's console errors, uncaught errors and failed requests are collected.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium } from '../../browser-tests/src/chromium.ts';
import { serveStatic, type StaticServer } from '../../browser-tests/src/serve.ts';

export const CONFIG_FILE = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

export interface OpenedPage { page: Page; context: BrowserContext; errors: string[]; logs: string[] }

export interface Site {
  readonly dir: string;
  /** Opens `query` (e.g. '?run=edge') of the site served isolated or not. */
  open(query: string, options: { isolated: boolean; viewport?: { width: number; height: number }; acceptDownloads?: boolean }): Promise<OpenedPage>;
  close(): Promise<void>;
}

export async function buildSite(outDir: string): Promise<void> {
  await build({ configFile: CONFIG_FILE, mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

export async function startSite(): Promise<Site> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convgrad-playground-'));
  let browser: Browser | null = null;
  const servers: StaticServer[] = [];
  try {
    await buildSite(dir);
    browser = await launchChromium();
  } catch (e) {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const b = browser;
  const serverFor: Record<string, StaticServer> = {};
  return {
    dir,
    async open(query, { isolated, viewport, acceptDownloads }) {
      const key = isolated ? 'iso' : 'plain';
      if (!serverFor[key]) servers.push((serverFor[key] = await serveStatic(dir, { isolated })));
      const context = await b.newContext({ viewport: viewport ?? { width: 1280, height: 800 }, acceptDownloads: acceptDownloads ?? false });
      const page = await context.newPage();
      const errors: string[] = [], logs: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'assert') errors.push(m.text());
        else logs.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.stack ?? e.message}`));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
      page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
      await page.goto(`${serverFor[key].origin}/index.html${query}`, { waitUntil: 'load' });
      return { page, context, errors, logs };
    },
    async close() {
      for (const s of servers) await s.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits for document.body.dataset.result and parses it. */
export async function resultOf<T>(page: Page, timeoutMs: number): Promise<T> {
  const handle = await page.waitForFunction(() => document.body.dataset.result, undefined, { timeout: timeoutMs, polling: 200 });
  return JSON.parse((await handle.jsonValue()) as string) as T;
}
