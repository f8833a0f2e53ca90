// The harness's own check: the page loads, reports, and sees the isolation the server asked for.
import { report } from '../report.ts';

void report(async () => ({
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
  hardwareConcurrency: navigator.hardwareConcurrency,
}));
