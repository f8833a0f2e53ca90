import { resultOf, startSite } from './test/site.ts';
const site = await startSite();
try {
  for (const q of process.argv.slice(2)) {
    const { page, errors } = await site.open(`?run=mnist&images=12000&epochs=1&${q}`, { isolated: true });
    const r = await resultOf<any>(page, 600_000);
    console.log(q, r.testAccuracy, r.seconds.toFixed(1), errors);
  }
} finally { await site.close(); }
