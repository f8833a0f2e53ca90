// The Node platform's first uninitializedBuffer call raises glibc malloc's mmap and trim thresholds
// (platform/node.ts), so that arrays of a few MiB, which V8 frees together at a collection, are reused
// instead of returned to the system and faulted in again page by page. glibc only (Linux, not musl).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { platform } from '../src/platform/node.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;

describe.runIf(glibc !== undefined)('malloc thresholds (Node on glibc)', () => {
  it('16 arrays of 2 MiB freed together at a collection are reused by the next 16: not one fault in ten pages', () => {
    platform.uninitializedBuffer(8);
    gc(); // collects the 31 MiB block: glibc raises its thresholds
    const round = (): number => {
      const keep: Float32Array[] = [];
      for (let i = 0; i < 16; i++) {
        const a = new Float32Array(platform.uninitializedBuffer(2 << 20));
        for (let j = 0; j < a.length; j += 1024) a[j] = i; // every 4 KiB page
        keep.push(a);
      }
      return keep.length;
    };
    round();
    gc(); // the first round's 32 MiB are freed together
    const f0 = process.resourceUsage().minorPageFault;
    round();
    const faults = process.resourceUsage().minorPageFault - f0;
    expect(faults).toBeLessThan((16 * 512) / 10); // 512 pages per array: 8,192 when none are reused
  });
});
