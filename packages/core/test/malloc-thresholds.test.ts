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
  it('16 arrays of 2 MiB freed together at a collection are reused by the next 16: not one fault in ten pages', async () => {
    // V8 frees array buffers on a background thread after a collection: give it time before measuring
    const collect = async () => {
      for (let i = 0; i < 2; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    platform.uninitializedBuffer(8);
    await collect(); // the 31 MiB block is freed: glibc raises its thresholds
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
    await collect(); // the first round's 32 MiB are freed together
    // the fewest faults of 3 rounds (another thread of the process may fault meanwhile)
    const faults: number[] = [];
    for (let r = 0; r < 3; r++) {
      const f0 = process.resourceUsage().minorPageFault;
      round();
      faults.push(process.resourceUsage().minorPageFault - f0);
      await collect();
    }
    expect(Math.min(...faults)).toBeLessThan((16 * 512) / 10); // 512 pages per array: 8,192 when none are reused
  });
});
