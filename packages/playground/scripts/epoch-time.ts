// Measures the in-page MNIST epoch (60,000 training images, the default batch and learning rate) in headless
// Chromium, cross-origin isolated (wasm kernels on Web Workers) and not (one thread):
//   pnpm build && npx tsx scripts/epoch-time.ts [images] [plain-first]     (in packages/playground)
import { resultOf, startSite } from '../test/site.ts';

const images = Number(process.argv[2] ?? 60_000);
const site = await startSite();
try {
  for (const isolated of process.argv[3] === 'plain-first' ? [false, true] : [true, false]) {
    const { page, errors } = await site.open(`?run=mnist&images=${images}&epochs=1`, { isolated });
    const r = await resultOf<{ testAccuracy: number; seconds: number; imagesPerSecond: number; evalSeconds: number }>(page, 1_800_000);
    const info = await page.textContent('#runtime');
    console.log(`${isolated ? 'isolated' : 'not isolated'} (${info}): ${images} images in ${r.seconds.toFixed(1)} s ` +
      `(${r.imagesPerSecond.toFixed(0)} images/s), test accuracy ${(100 * r.testAccuracy).toFixed(2)} %, evaluation of 10,000 ${r.evalSeconds.toFixed(1)} s${errors.length ? `; errors: ${errors.join(' | ')}` : ''}`);
  }
} finally {
  await site.close();
}
