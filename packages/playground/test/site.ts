// Test harness of the playground: the built site (vite build into a temp folder, once), served by the
// browser tests' static server on 127.0.0.1 (isolated: COOP/COEP, or not) and opened in their headless
// Chromium. A page's console errors, uncaught errors and failed requests are collected.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { recordConsole } from '../../browser-tests/src/run-page.ts';
import { serveStatic, type StaticServer } from '../../browser-tests/src/serve.ts';
import { buildAndLaunch } from '../../browser-tests/src/session.ts';

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
  const { dir, browser: b } = await buildAndLaunch('convgrad-playground-', buildSite);
  const servers: StaticServer[] = [];
  const serverFor: Record<string, StaticServer> = {};
  return {
    dir,
    async open(query, { isolated, viewport, acceptDownloads }) {
      const key = isolated ? 'iso' : 'plain';
      if (!serverFor[key]) servers.push((serverFor[key] = await serveStatic(dir, { isolated })));
      const context = await b.newContext({ viewport: viewport ?? { width: 1280, height: 800 }, acceptDownloads: acceptDownloads ?? false });
      const page = await context.newPage();
      const con = recordConsole(page);
      await page.goto(`${serverFor[key].origin}/index.html${query}`, { waitUntil: 'load' });
      return { page, context, errors: con.errors, logs: con.log };
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
