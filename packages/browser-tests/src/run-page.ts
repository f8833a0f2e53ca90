// Opens one built page in Chromium and collects what it reports. A page publishes its JSON result by
// setting `window.__convgradResult` (see pages/report.ts); every console message, uncaught error and
// failed request is recorded so the test can assert the console stayed clean.
import type { Browser, Page } from 'playwright-core';

export interface PageConsole {
  /** console.error / console.assert failures, uncaught exceptions, unhandled rejections, failed requests. */
  readonly errors: string[];
  /** console.warn messages. */
  readonly warnings: string[];
  /** Everything else the page logged, in order. */
  readonly log: string[];
}

export interface PageRun<T> {
  readonly result: T;
  readonly console: PageConsole;
}

/**
 * Loads url, waits up to timeoutMs for the page's result, and returns it with the console;
 * `onLog` sees each console.log line as it comes (the bench prints its progress).
 */
export async function runPage<T>(browser: Browser, url: string, timeoutMs: number, onLog?: (line: string) => void): Promise<PageRun<T>> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const con = recordConsole(page, onLog);
  try {
    await page.goto(url, { waitUntil: 'load' });
    const handle = await page.waitForFunction(() => (window as { __convgradResult?: unknown }).__convgradResult, undefined, { timeout: timeoutMs, polling: 100 });
    const result = (await handle.jsonValue()) as T;
    return { result, console: con };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`page ${url} gave no result: ${msg}\nconsole errors:\n${con.errors.join('\n')}\nlog:\n${con.log.join('\n')}`);
  } finally {
    await context.close();
  }
}

/** Records the page's console messages, uncaught errors, failed requests and HTTP errors from now on. */
export function recordConsole(page: Page, onLog?: (line: string) => void): PageConsole {
  const con: PageConsole = { errors: [], warnings: [], log: [] };
  page.on('console', (m) => {
    const text = `${m.text()}${m.location().url ? ` (${m.location().url}:${m.location().lineNumber})` : ''}`;
    if (m.type() === 'error' || m.type() === 'assert') con.errors.push(text);
    else if (m.type() === 'warning') con.warnings.push(text);
    else {
      con.log.push(m.text());
      onLog?.(m.text());
    }
  });
  page.on('pageerror', (e) => con.errors.push(`uncaught: ${e.stack ?? e.message}`));
  page.on('requestfailed', (r) => con.errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  page.on('response', (r) => {
    if (r.status() >= 400) con.errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return con;
}
