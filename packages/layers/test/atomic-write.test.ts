// Atomic writes: a write that fails part-way (simulated ENOSPC) leaves the previous file intact and
// no temp file behind; a successful write replaces the file.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Linear, loadCheckpoint, saveCheckpoint, writeFileAtomic } from '../src/index.ts';

// node:fs with a writeSync that can be told to fail after writing some bytes.
const failure = vi.hoisted(() => ({ afterBytes: -1 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, buf: Uint8Array, off: number, len: number) => {
    if (failure.afterBytes >= 0) {
      const n = Math.min(len, failure.afterBytes);
      if (n > 0) fs.writeSync(fd, buf, off, n);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    return fs.writeSync(fd, buf, off, len);
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const dir = mkdtempSync(join(tmpdir(), 'convgrad-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  failure.afterBytes = -1;
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
    expect(() => writeFileAtomic(path, 'a much longer new content')).toThrow(/ENOSPC/);
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a checkpoint save that fails keeps the previous checkpoint loadable', () => {
    const path = join(dir, 'model.safetensors');
    const first = new Linear(8, 4, { seed: 1 });
    saveCheckpoint(path, first);
    failure.afterBytes = 100; // dies inside the tensor data
    expect(() => saveCheckpoint(path, new Linear(8, 4, { seed: 2 }))).toThrow(/ENOSPC/);
    failure.afterBytes = -1;
    const restored = new Linear(8, 4, { seed: 3 });
    loadCheckpoint(path, restored);
    expect(Array.from(restored.weight.data)).toEqual(Array.from(first.weight.data));
  });
});
