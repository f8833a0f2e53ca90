// Debian's Chromium (apt-get install chromium), driven headless by playwright-core. Playwright never
// downloads a browser here: it is pointed at the system binary. As root Chromium needs --no-sandbox;
// the background-networking flags keep it from dialling out of this offline machine. Playwright gives
// every launch a fresh, empty profile directory (its own temporary --user-data-dir) and removes it on close.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium binary: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** Why the browser tests cannot run here, or null when the binary exists. */
export function missingChromium(): string | null {
  const bin = chromiumPath();
  if (existsSync(bin)) return null;
  return `Chromium not found at ${bin}: install it with \`apt-get update && apt-get install -y chromium\` ` +
    '(or set CHROMIUM_PATH to a Chromium/Chrome binary)';
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  const missing = missingChromium();
  if (missing) throw new Error(missing);
  return chromium.launch({ executablePath: chromiumPath(), headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS });
}
