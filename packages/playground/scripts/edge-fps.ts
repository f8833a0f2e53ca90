// Measures the experiment panel's redraw rate while it trains (?run=edge in headless Chromium, the built site):
//   pnpm build && npx tsx scripts/edge-fps.ts [runs] [query]     (in packages/playground)
// Prints the page's own figure (drawn frames / s while training) and an independent count: the gaps between
// requestAnimationFrame timestamps over the whole run (mean fps, and the longest gap).
import { resultOf, startSite } from '../test/site.ts';

const runs = Number(process.argv[2] ?? 3);
const query = process.argv[3] ?? '?run=edge';
const site = await startSite();
try {
  for (let i = 0; i < runs; i++) {
    const { page, context } = await site.open(query, { isolated: true });
    // a string, not a function: tsx's keepNames would wrap the inner named function in a helper the page lacks
    await page.evaluate(`window.__ts = []; (function tick(t) { window.__ts.push(t); if (!document.body.dataset.result) requestAnimationFrame(tick); })(performance.now());`);
    const r = await resultOf<{ fps: number; longestFrameMs: number; seconds: number; iterations: number; wAllclose: boolean }>(page, 300_000);
    const ts = await page.evaluate(() => (window as unknown as { __ts: number[] }).__ts);
    const span = (ts[ts.length - 1] - ts[0]) / 1000;
    let gap = 0;
    for (let k = 1; k < ts.length; k++) gap = Math.max(gap, ts[k] - ts[k - 1]);
    console.log(`run ${i + 1}: page fps ${r.fps.toFixed(1)} (longest ${r.longestFrameMs.toFixed(0)} ms) over ${r.seconds.toFixed(2)} s (${r.iterations} iterations, w allclose ${r.wAllclose}); rAF ${((ts.length - 1) / span).toFixed(1)} fps over ${span.toFixed(2)} s, longest gap ${gap.toFixed(0)} ms`);
    await context.close();
  }
} finally {
  await site.close();
}
