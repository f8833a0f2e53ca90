// Issue 14's browser test: the built playground (vite build of packages/playground from the BUILT packages),
// served on 127.0.0.1 by the browser tests' static server and driven in headless Chromium. Needs `pnpm build`
// first (the root `pnpm test` runs it). A missing Chromium is a failure under CI=true, a loud skip otherwise.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingChromium } from '../../browser-tests/src/chromium.ts';
import { resultOf, startSite, type OpenedPage, type Site } from './site.ts';

const missing = missingChromium();
const onCi = process.env.CI === 'true';
if (missing && !onCi) console.warn(`\n*** SKIPPING the playground browser tests: ${missing} ***\n`);

describe.runIf(missing !== null && onCi)('playground tests on CI', () => {
  it('have a Chromium to run in', () => {
    throw new Error(`playground tests: ${missing}. CI requires Chromium (.ci/run installs it with apt-get).`);
  });
});

/** dX by the definition of the forward: y[o,a,b] = Σ x_pad[c, aS+u, bS+v]·w[o,c,u,v], so dX[c,i,j] = Σ δ[o,a,b]·w[o,c,u,v] over aS+u−P = i, bS+v−P = j. */
function dxByDefinition(c: { h: number; w: number; k: number; s: number; p: number; cin: number; cout: number }, inp: { w: number[]; delta: number[]; oh: number; ow: number }): number[] {
  const dx = new Array<number>(c.cin * c.h * c.w).fill(0);
  for (let o = 0; o < c.cout; o++) for (let a = 0; a < inp.oh; a++) for (let b = 0; b < inp.ow; b++) {
    const d = inp.delta[(o * inp.oh + a) * inp.ow + b];
    for (let ch = 0; ch < c.cin; ch++) for (let u = 0; u < c.k; u++) for (let v = 0; v < c.k; v++) {
      const i = a * c.s + u - c.p, j = b * c.s + v - c.p;
      if (i < 0 || j < 0 || i >= c.h || j >= c.w) continue;
      dx[(ch * c.h + i) * c.w + j] += d * inp.w[((o * c.cin + ch) * c.k + u) * c.k + v];
    }
  }
  return dx;
}

/** Draws a polyline on the digit canvas with the mouse (points in canvas pixels, 280×280), then reads the prediction. */
async function drawDigit(page: Page, points: [number, number][]): Promise<{ prediction: string; probabilities: number[] }> {
  await page.click('#mn-clear');
  const box = (await page.locator('#mn-draw').boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 2 });
  await page.mouse.up();
  await page.waitForTimeout(200); // the prediction follows on the next animation frame
  const ds = await page.$eval('#mnist', (el) => ({ ...(el as HTMLElement).dataset }));
  return { prediction: ds.prediction ?? '', probabilities: JSON.parse(ds.probabilities ?? '[]') };
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe.skipIf(missing !== null)('the playground in Chromium', () => {
  let site: Site;
  const opened: OpenedPage[] = [];
  const open = async (query: string, options: Parameters<Site['open']>[1]) => {
    const p = await site.open(query, options);
    opened.push(p);
    return p;
  };
  let tmp: string;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'convgrad-playground-test-'));
    site = await startSite();
  }, 240_000);
  afterAll(async () => {
    for (const p of opened) await p.context.close().catch(() => {});
    await site?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('loads cross-origin isolated on the wasm kernels with threads, and without the headers on one thread; no console errors', async () => {
    for (const isolated of [true, false]) {
      const { page, errors, context } = await open('', { isolated });
      await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 60_000 });
      const runtime = await page.textContent('#runtime');
      expect(runtime).toContain('kernels: wasm');
      expect(runtime).toContain(`cross-origin isolated: ${isolated}`);
      if (!isolated) expect(runtime).toContain('1 thread)');
      else expect(runtime).not.toContain('1 thread)');
      await page.waitForTimeout(300);
      expect(errors).toEqual([]);
      await context.close();
    }
  }, 120_000);

  it('the experiment panel reaches "w allclose: true" from its Train button, redrawing at ≥ 20 frames/s while it trains', async () => {
    const { page, errors } = await open('', { isolated: true });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 60_000 });
    await expect.poll(() => page.textContent('#edge-wclose')).toBe('w allclose: false');
    // lr 0.07 (≈ 15,700 iterations, 7× the default's 2,191; the cap is 20,000) so that the run outlasts a 2.5 s measuring window
    // (≥ 2 s of it) even on a machine twice as fast as the shared 2-core box (2,300–3,800 iterations/s here)
    await page.fill('#edge-lr', '0.07');
    await page.dispatchEvent('#edge-lr', 'change');
    await page.click('#edge-train');
    // the redraw rate, counted independently of the page: requestAnimationFrame timestamps
    // (counted while the panel says 'training…', for 2.5 s or until training ends; a string: the page runs it as written)
    const win = await page.evaluate<{ frames: number; ms: number; iterFrom: number; iterTo: number }>(`new Promise((resolve) => {
      const ts = [], iter = () => Number(document.getElementById('edge-iter').value), iterFrom = iter();
      const training = () => document.getElementById('edge-state').textContent === 'training…';
      const tick = (t) => {
        if (training()) ts.push(t);
        if (ts.length === 0 || (t - ts[0] < 2500 && training())) requestAnimationFrame(tick);
        else resolve({ frames: ts.length - 1, ms: ts[ts.length - 1] - ts[0], iterFrom, iterTo: iter() });
      };
      requestAnimationFrame(tick);
    })`);
    const windowFps = (1000 * win.frames) / win.ms;
    console.log(`experiment panel while training: ${windowFps.toFixed(1)} frames/s over ${(win.ms / 1000).toFixed(2)} s (iterations ${win.iterFrom} → ${win.iterTo})`);
    expect(win.ms).toBeGreaterThanOrEqual(2000); // frames counted only while training, over ≥ 2 s of it
    expect(win.iterTo - win.iterFrom).toBeGreaterThan(500); // and training progressed
    expect(windowFps).toBeGreaterThanOrEqual(20);
    await page.waitForFunction(() => document.getElementById('edge-wclose')?.textContent === 'w allclose: true' && !document.getElementById('edge-train')!.hasAttribute('disabled'), undefined, { timeout: 120_000 });
    expect(await page.textContent('#edge-yclose')).toBe('y allclose: true');
    expect(await page.textContent('#edge-state')).toMatch(/^converged/);
    expect(Number(await page.textContent('#edge-iter'))).toBeGreaterThan(5000);
    const fps = Number(await page.getAttribute('#edge', 'data-fps'));
    console.log(`experiment panel: drew ${fps} frames/s over the whole run`);
    expect(fps).toBeGreaterThanOrEqual(20);
    // an uploaded picture becomes the (grayscale, 80×80) input and resets the run
    await page.setInputFiles('#edge-upload', fileURLToPath(new URL('../docs/phone.png', import.meta.url)));
    await expect.poll(() => page.$eval('#edge-image', (s) => (s as HTMLSelectElement).value)).toBe('upload');
    // (the counter is redrawn on the next animation frame after the reset, so it is polled too)
    await expect.poll(() => page.textContent('#edge-iter')).toBe('0');
    const px = await page.$eval('#edge-x', (c) => {
      const cv = c as HTMLCanvasElement;
      const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      let gray = true;
      for (let i = 0; i < d.length; i += 4) gray &&= d[i] === d[i + 1] && d[i + 1] === d[i + 2];
      return { w: cv.width, h: cv.height, gray, distinct: new Set(Array.from({ length: d.length / 4 }, (_, i) => d[4 * i])).size };
    });
    expect(px).toMatchObject({ w: 80, h: 80, gray: true });
    expect(px.distinct).toBeGreaterThan(3);
    expect(errors).toEqual([]);
  }, 180_000);

  it('?run=edge runs the experiment with its defaults on load (no headers: one thread), and ?kernel=sobel-x a preset', async () => {
    const { page, errors } = await open('?run=edge', { isolated: false });
    const r = await resultOf<{ wAllclose: boolean; yAllclose: boolean; iterations: number }>(page, 120_000);
    expect(r).toMatchObject({ wAllclose: true, yAllclose: true });
    expect(r.iterations).toBeGreaterThan(1000); // the Node example stops at 2191
    expect(r.iterations).toBeLessThan(5000);
    const sobel = await open('?run=edge&kernel=sobel-x&stride=2&padding=1', { isolated: true });
    const s = await resultOf<{ wAllclose: boolean; yAllclose: boolean; iterations: number }>(sobel.page, 120_000);
    expect(s).toMatchObject({ wAllclose: true, yAllclose: true });
    expect(await sobel.page.$eval('#edge-wtrue', (el) => el.textContent)).toContain('-2.000');
    expect([...errors, ...sobel.errors]).toEqual([]);
  }, 240_000);

  it("the backward panel's dX equals autograd's dX (and the definition) for 3 configurations, one with a remainder", async () => {
    const { page, errors } = await open('', { isolated: true });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 60_000 });
    const configs = [
      { h: 5, w: 5, k: 3, s: 1, p: 0, cin: 1, cout: 1, seed: 3 },
      { h: 7, w: 6, k: 3, s: 2, p: 1, cin: 2, cout: 2, seed: 4 }, // (7+2−3) mod 2 = 0, (6+2−3) mod 2 = 1
      { h: 8, w: 8, k: 2, s: 3, p: 2, cin: 1, cout: 2, seed: 5 }, // (8+4−2) mod 3 = 1; K−1−P < 0: a crop
    ];
    let remainders = 0;
    for (const c of configs) {
      for (const [id, v] of Object.entries({ h: c.h, w: c.w, k: c.k, s: c.s, p: c.p, cin: c.cin, cout: c.cout })) await page.selectOption(`#bw-${id}`, String(v));
      await page.fill('#bw-seed', String(c.seed));
      await page.dispatchEvent('#bw-seed', 'change');
      const ds = await page.$eval('#backward', (el) => ({ ...(el as HTMLElement).dataset }));
      expect(JSON.parse(ds.case!)).toEqual(c);
      const manual = JSON.parse(ds.dxManual!) as number[], auto = JSON.parse(ds.dxAutograd!) as number[];
      expect(manual.length).toBe(c.cin * c.h * c.w);
      expect(manual).toEqual(auto);
      expect(manual).toEqual(dxByDefinition(c, JSON.parse(ds.inputs!)));
      expect(manual.some((v) => v !== 0)).toBe(true);
      expect(JSON.parse(ds.dwManual!)).toEqual(JSON.parse(ds.dwAutograd!));
      if (ds.remainder === 'true') remainders++;
      // the page shows the same numbers it publishes
      const shown = await page.$$eval('#bw-dx td', (tds) => tds.map((td) => Number(td.textContent)));
      expect(shown).toEqual(manual.map((v) => Number(Number.isInteger(v) ? v : v.toFixed(2))));
    }
    expect(remainders).toBe(2);
    expect(await page.textContent('#bw-sizes')).toContain('(M·S)×(N·S)');
    // hovering a dX cell marks the δ entries and kernel taps that produce it
    await page.hover('#bw-dx td[data-key="dx:0:0:4:4"]');
    expect(await page.$$eval('#bw-delta td.src', (t) => t.length)).toBeGreaterThan(0);
    expect(await page.$$eval('#bw-wrot td.hl', (t) => t.length)).toBeGreaterThan(0);
    await page.hover('#bw-delta td[data-key="delta:0:1:1:1"]');
    expect(await page.$$eval('#bw-dx td.hl', (t) => t.length)).toBeGreaterThan(0);
    // the graph picture has the backward rule's ops
    const ops = await page.$$eval('#bw-graph svg text', (t) => t.map((x) => x.textContent ?? ''));
    for (const op of ['dilate2d', 'pad2d', 'rot180', 'conv2d']) expect(ops.some((t) => t.startsWith(op)), op).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);

  it('every control is reachable with Tab and has an accessible name', async () => {
    const { page, context, errors } = await open('', { isolated: false });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 60_000 });
    // the controls a keyboard user must reach: enabled, rendered inputs, selects, buttons and the drawing canvas
    const wanted = await page.$$eval('input, select, button, #mn-draw', (els) => els.flatMap((el, i) => {
      (el as HTMLElement).dataset.a11y = String(i);
      const off = (el as HTMLButtonElement).disabled === true || !(el as HTMLElement).checkVisibility();
      return off ? [] : [`${el.tagName.toLowerCase()}#${el.id || (el.getAttribute('aria-label') ?? '?')}|${i}`];
    }));
    expect(wanted.length).toBeGreaterThan(20);
    const reached = new Set<string>();
    for (let n = 0; n < 600; n++) {
      await page.keyboard.press('Tab');
      const a = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.a11y ?? null);
      if (a !== null && reached.has(a)) break; // wrapped around
      if (a !== null) reached.add(a);
    }
    expect(wanted.filter((w) => !reached.has(w.split('|')[1]))).toEqual([]);
    // accessible names as Chromium computes them (labels, aria-label, aria-labelledby, button text)
    const cdp = await context.newCDPSession(page);
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: 'input, select, button, canvas, [tabindex]' });
    const unnamed: string[] = [];
    let named = 0;
    for (const nodeId of nodeIds) {
      const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
      const ax = nodes[0];
      if (ax.ignored) continue; // not rendered (e.g. the custom kernel grid while another preset is chosen)
      if (String(ax.name?.value ?? '').trim() === '') {
        const { node } = await cdp.send('DOM.describeNode', { nodeId });
        unnamed.push(`${node.nodeName} ${JSON.stringify(node.attributes)}`);
      } else named++;
    }
    expect(unnamed).toEqual([]);
    expect(named).toBeGreaterThan(wanted.length - 1);
    expect(errors).toEqual([]);
  }, 120_000);

  describe('MNIST', () => {
    let checkpoint = '';
    it('?run=mnist&images=12000&epochs=1 reaches ≥ 97 % on the official 10,000 test images; the model downloads as safetensors', async () => {
      const { page, errors } = await open('?run=mnist&images=12000&epochs=1', { isolated: true, acceptDownloads: true });
      const r = await resultOf<{ testAccuracy: number; seconds: number; imagesPerSecond: number; evalSeconds: number }>(page, 900_000);
      console.log(`in-page MNIST (isolated, threads): 12,000 images × 1 epoch in ${r.seconds.toFixed(1)} s (${r.imagesPerSecond.toFixed(0)} images/s), ` +
        `test accuracy ${(100 * r.testAccuracy).toFixed(2)} % on 10,000, evaluation ${r.evalSeconds.toFixed(1)} s`);
      expect(r.testAccuracy).toBeGreaterThanOrEqual(0.97);
      expect(r.testAccuracy).toBeLessThanOrEqual(1);
      expect(await page.textContent('#mn-status')).toContain(`${(100 * r.testAccuracy).toFixed(2)} % (${Math.round(r.testAccuracy * 10000)}/10000)`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#mn-download')]);
      expect(download.suggestedFilename()).toBe('lenet.safetensors');
      checkpoint = path.join(tmp, 'in-page.safetensors');
      await download.saveAs(checkpoint);
      expect(errors).toEqual([]);
    }, 900_000);

    it('digits drawn with the mouse (a vertical stroke, an ellipse) and with the keyboard (a 1) are classified correctly with a loaded checkpoint', async () => {
      expect(existsSync(checkpoint)).toBe(true);
      const { page, errors } = await open('', { isolated: true });
      await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 60_000 });
      await page.setInputFiles('#mn-file', checkpoint);
      await page.waitForFunction(() => document.getElementById('mnist')!.dataset.loaded === 'in-page.safetensors', undefined, { timeout: 30_000 });
      const one = await drawDigit(page, Array.from({ length: 12 }, (_, i) => [142 + i * 0.8, 40 + i * 18] as [number, number]));
      expect(one.prediction).toBe('1');
      expect(Math.max(...one.probabilities)).toBeGreaterThan(0.5);
      const zero = await drawDigit(page, Array.from({ length: 41 }, (_, i) => {
        const t = (2 * Math.PI * i) / 40;
        return [140 + 62 * Math.sin(t), 140 - 95 * Math.cos(t)] as [number, number];
      }));
      expect(zero.prediction).toBe('0');
      expect(Math.max(...zero.probabilities)).toBeGreaterThan(0.5);
      expect(await page.$eval('#mn-seen', (c) => (c as HTMLCanvasElement).width)).toBe(28);
      // the keyboard only: Shift+Tab from Clear reaches the canvas; Delete clears; a '1' drawn with the pen
      await page.focus('#mn-clear');
      await page.keyboard.press('Shift+Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('mn-draw');
      await page.keyboard.press('Delete');
      await expect.poll(() => page.$eval('#mnist', (el) => (el as HTMLElement).dataset.prediction)).toBe('');
      for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowUp'); // pen from the center (row 15) to row 5
      await page.keyboard.press('Space'); // pen down
      for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowDown'); // ink down to row 25
      await page.keyboard.press('Space'); // pen up
      expect(await page.textContent('#mn-pen')).toBe('pen up at column 15, row 25 of 28');
      expect(await page.isVisible('#mn-pen-cursor')).toBe(true);
      await page.waitForTimeout(200);
      const kb = await page.$eval('#mnist', (el) => ({ ...(el as HTMLElement).dataset }));
      expect(kb.prediction).toBe('1');
      expect(Math.max(...(JSON.parse(kb.probabilities!) as number[]))).toBeGreaterThan(0.5);
      expect(errors).toEqual([]);
    }, 120_000);

    it('loads a checkpoint written by `pnpm example mnist` (safetensors from Node) dropped on the page, and refuses a file that is not one', async () => {
      const out = path.join(tmp, 'node-mnist');
      execFileSync('npx', ['tsx', '--conditions=source', 'packages/examples/src/cli.ts', 'mnist', '--limit', '640', '--epochs', '1', '--test-limit', '100', '--out', out], { cwd: ROOT, stdio: 'pipe' });
      const { page, errors } = await open('', { isolated: false });
      await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 60_000 });
      await page.setInputFiles('#mn-file', { name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a checkpoint') });
      await page.waitForFunction(() => document.getElementById('mnist')!.dataset.loadError, undefined, { timeout: 30_000 });
      expect(await page.textContent('#mn-status')).toMatch(/^could not load broken\.safetensors: /);
      // dropped on the drop zone (a synthetic drop event carrying the file, as a drag from the desktop delivers it)
      const bytes = [...readFileSync(path.join(out, 'lenet.safetensors'))];
      await page.evaluate((b) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(b)], 'lenet.safetensors'));
        document.getElementById('mn-drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, bytes);
      await page.waitForFunction(() => document.getElementById('mnist')!.dataset.loaded === 'lenet.safetensors', undefined, { timeout: 30_000 });
      expect(await page.textContent('#mn-status')).toMatch(/^loaded lenet\.safetensors/);
      expect(errors).toEqual([]);
    }, 180_000);
  });
});
