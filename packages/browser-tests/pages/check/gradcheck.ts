// gradcheck of conv2d in float64 (central differences against the backward rule) on seeded random
// configurations with strides, paddings and dilations, run in the page.
import fc from 'fast-check';
import { conv2d } from '@convgrad/core';
import { convCaseArb, gradcheck, makeTensor } from '@convgrad/core/testing';
import type { GradcheckSummary } from './result.ts';

export function conv2dGradcheck(count: number, seed: number): GradcheckSummary {
  const cases = fc.sample(convCaseArb({ maxOut: 3 }), { seed, numRuns: count });
  const failures: string[] = [];
  let passed = 0, maxAbsError = 0;
  for (const c of cases) {
    const x = makeTensor({ shape: [c.n, c.cin, c.h, c.w], seed: c.seed });
    const w = makeTensor({ shape: [c.cout, c.cin, c.kh, c.kw], seed: c.seed + 1 });
    const inputs = c.bias ? [x, w, makeTensor({ shape: [c.cout], seed: c.seed + 2 })] : [x, w];
    const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation };
    const report = gradcheck((...t) => conv2d(t[0], t[1], t[2] ?? null, opts), inputs);
    maxAbsError = Math.max(maxAbsError, report.maxAbsError);
    if (report.ok) passed++;
    else failures.push(`${JSON.stringify(c)}: ${report.message}`);
  }
  return { cases: cases.length, passed, maxAbsError, failures };
}
