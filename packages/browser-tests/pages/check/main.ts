// The browser check page: every acceptance check of issue 9's browser test, run in this page on the
// built packages; the JSON result goes to window.__convgradResult for the test to assert.
import { configure, ready } from '@convgrad/core';
import { report } from '../report.ts';
import { backendState } from './backend-state.ts';
import { beforeReady } from './before-ready.ts';
import { trainCnn } from './cnn.ts';
import { convVsJs } from './conv-vs-js.ts';
import { edgeKernel } from './edge-kernel.ts';
import { conv2dGradcheck } from './gradcheck.ts';
import type { CheckResult } from './result.ts';

void report(async (): Promise<CheckResult> => {
  const t0 = performance.now();
  const early = beforeReady(); // nothing awaited yet: the kernels are still loading
  const threads = new URLSearchParams(location.search).get('threads');
  if (threads !== null) configure({ threads: Number(threads) });
  await ready();
  const before = backendState();
  const earlyResult = early.finish();
  const conv = convVsJs(24, 2026);
  const gradcheck = conv2dGradcheck(6, 17);
  const edge = edgeKernel();
  const cnn = await trainCnn(40);
  return { early: earlyResult, before, conv, gradcheck, edge, cnn, after: backendState(), ms: performance.now() - t0 };
});
