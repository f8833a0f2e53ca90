// Regenerates the README's screenshots (docs/*.png) from the built site in headless Chromium:
//   pnpm build && npx tsx scripts/screenshots.ts     (in packages/playground)
import { resultOf, startSite } from '../test/site.ts';

const out = (name: string) => new URL(`../docs/${name}.png`, import.meta.url).pathname;
const site = await startSite();
try {
  const edge = await site.open('?run=edge', { isolated: true });
  await resultOf(edge.page, 120_000);
  await edge.page.locator('#edge').screenshot({ path: out('experiment') });

  const bw = await site.open('', { isolated: true });
  await bw.page.waitForFunction(() => document.body.dataset.ready === 'true');
  await bw.page.hover('#bw-dx td[data-key="dx:0:0:2:2"]');
  await bw.page.locator('#backward').screenshot({ path: out('backward') });

  const mn = await site.open('?run=mnist&images=6000&epochs=1', { isolated: true });
  await resultOf(mn.page, 600_000);
  const box = (await mn.page.locator('#mn-draw').boundingBox())!;
  await mn.page.mouse.move(box.x + 90, box.y + 70);
  await mn.page.mouse.down();
  for (const [x, y] of [[190, 70], [120, 230]]) await mn.page.mouse.move(box.x + x, box.y + y, { steps: 12 });
  await mn.page.mouse.up();
  await mn.page.waitForTimeout(300);
  await mn.page.locator('#mnist').screenshot({ path: out('mnist') });

  const phone = await site.open('?run=edge', { isolated: true, viewport: { width: 390, height: 844 } });
  await resultOf(phone.page, 120_000);
  await phone.page.evaluate(() => window.scrollTo(0, 0));
  await phone.page.screenshot({ path: out('phone') });
  const errors = [edge, bw, mn, phone].flatMap((p) => p.errors);
  if (errors.length) throw new Error(`console errors: ${errors.join('\n')}`);
} finally {
  await site.close();
}
