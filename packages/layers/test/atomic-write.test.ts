// Atomic writes: a write that fails part-way (simulated ENOSPC) leaves the previous file intact and
// no temp file behind; a successful write replaces the file.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Linear, loadCheckpoint, saveCheckpoint, writeFileAtomic } from '../src/index.ts';

// node:fs with a writeSync that can be told to fail after writing some bytes, and an openSync that
// records the paths it creates (to see where the temp file goes).
const failure = vi.hoisted(() => ({ afterBytes: -1, plain: false, created: [] as string[] }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, buf: Uint8Array, off: number, len: number) => {
    if (failure.afterBytes >= 0) {
      const n = Math.min(len, failure.afterBytes);
      if (n > 0) fs.writeSync(fd, buf, off, n);
      if (failure.plain) throw new Error('disk on fire');
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    }
    return fs.writeSync(fd, buf, off, len);
  }) as typeof fs.writeSync;
  const openSync = ((path: string, flags: string | number, mode?: number) => {
    if (flags === 'wx' || flags === 'w') failure.created.push(String(path));
    return fs.openSync(path, flags, mode);
  }) as typeof fs.openSync;
  return { ...fs, default: { ...fs, writeSync, openSync }, writeSync, openSync };
});

const dir = mkdtempSync(join(tmpdir(), 'convgrad-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  failure.afterBytes = -1;
  failure.plain = false;
  failure.created.length = 0;
});

describe('writeFileAtomic', () => {
  it('replaces the file on success', () => {
    const path = join(dir, 'a.txt');
    writeFileSync(path, 'old contents');
    writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the old file intact and removes the temp file when the write fails part-way', () => {
    const path = join(dir, 'b.txt');
    writeFileSync(path, 'old contents');
    failure.afterBytes = 3;
    expect(() => writeFileAtomic(path, 'a much longer new content')).toThrow(/^writeFileAtomic: cannot write '.*' \(ENOSPC from write\); the previous file, if any, is unchanged$/);
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an error without an errno code is reported by its message, and the temp file is still removed', () => {
    const path = join(dir, 'c.txt');
    failure.afterBytes = 2;
    failure.plain = true;
    expect(() => writeFileAtomic(path, 'contents', 'myOp')).toThrow(`myOp: cannot write '${path}' (disk on fire); the previous file, if any, is unchanged`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a checkpoint save that fails keeps the previous checkpoint loadable', () => {
    const path = join(dir, 'model.safetensors');
    const first = new Linear(8, 4, { seed: 1 });
    saveCheckpoint(path, first);
    failure.afterBytes = 100; // dies inside the tensor data
    expect(() => saveCheckpoint(path, new Linear(8, 4, { seed: 2 }))).toThrow(/^saveCheckpoint: cannot write '.*' \(ENOSPC from write\); the previous file, if any, is unchanged$/);
    failure.afterBytes = -1;
    const restored = new Linear(8, 4, { seed: 3 });
    loadCheckpoint(path, restored);
    expect(Array.from(restored.weight.data)).toEqual(Array.from(first.weight.data));
  });

  it('writes the temp file beside the target (same file system), never in the OS temp folder', () => {
    const sub = join(dir, 'nested');
    mkdirSync(sub);
    const path = join(sub, 'model.safetensors');
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(dir, 'no-such-tmpdir'); // os.tmpdir() now names a folder that does not exist
    try {
      saveCheckpoint(path, new Linear(3, 2, { seed: 1 }));
      saveCheckpoint(path, new Linear(3, 2, { seed: 2 }));
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(failure.created).toHaveLength(2);
    for (const tmp of failure.created) {
      expect(dirname(tmp)).toBe(sub);
      // unique per process and thread, plus 12 random hex digits
      expect(tmp.slice(sub.length + 1)).toMatch(new RegExp(`^\\.model\\.safetensors\\.${process.pid}\\.${threadId}\\.[0-9a-f]{12}\\.tmp$`));
    }
    expect(failure.created[0]).not.toBe(failure.created[1]);
    expect(readdirSync(sub)).toEqual(['model.safetensors']);
  });
});
