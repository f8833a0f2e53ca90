// Atomic writes: a write that fails part-way (simulated ENOSPC) leaves the previous file intact and
// no temp file behind; a successful write replaces the file.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Linear, loadCheckpoint, loadSafetensors, saveCheckpoint, saveSafetensors, writeFileAtomic } from '../src/index.ts';
import { Tensor } from '@convgrad/core';

// node:fs whose writeSync can fail after some bytes (ENOSPC, an errno-less Error or a thrown string)
// or write at most `chunk` bytes per call; whose openSync can fail for the temp file and records the
// temp paths it creates; and whose fsyncSync counts its calls.
const failure = vi.hoisted(() => ({ readChunk: 0, readFails: '' as '' | 'eof' | 'eio', afterBytes: -1, kind: 'errno' as 'errno' | 'code-only' | 'plain' | 'string', chunk: 0, openFails: false, created: [] as string[], fsyncs: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, buf: Uint8Array, off: number, len: number) => {
    if (failure.afterBytes >= 0) {
      const n = Math.min(len, failure.afterBytes);
      if (n > 0) fs.writeSync(fd, buf, off, n);
      if (failure.kind === 'plain') throw new Error('disk on fire');
      if (failure.kind === 'code-only') throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      if (failure.kind === 'string') throw 'a thrown string';
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    }
    return fs.writeSync(fd, buf, off, failure.chunk > 0 ? Math.min(len, failure.chunk) : len);
  }) as typeof fs.writeSync;
  const openSync = ((path: string, flags: string | number, mode?: number) => {
    if (flags === 'wx' || flags === 'w') {
      if (failure.openFails) throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: 'EACCES', syscall: 'open' });
      failure.created.push(String(path));
    }
    return fs.openSync(path, flags, mode);
  }) as typeof fs.openSync;
  const fsyncSync = ((fd: number) => {
    failure.fsyncs++;
    return fs.fsyncSync(fd);
  }) as typeof fs.fsyncSync;
  // reads of at most readChunk bytes; or a file that ends early (0 bytes) or fails with EIO
  const readSync = ((fd: number, buf: Uint8Array, off: number, len: number, pos: number) => {
    if (failure.readFails === 'eof') return 0;
    if (failure.readFails === 'eio') throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', syscall: 'read' });
    return fs.readSync(fd, buf, off, failure.readChunk > 0 ? Math.min(len, failure.readChunk) : len, pos);
  }) as typeof fs.readSync;
  const mocked = { writeSync, openSync, fsyncSync, readSync };
  return { ...fs, default: { ...fs, ...mocked }, ...mocked };
});

const dir = mkdtempSync(join(tmpdir(), 'convgrad-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  Object.assign(failure, { readChunk: 0, readFails: '', afterBytes: -1, kind: 'errno', chunk: 0, openFails: false, fsyncs: 0 });
  failure.created.length = 0;
});
const openFds = () => readdirSync('/proc/self/fd').length;
const temps = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

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
    failure.kind = 'plain';
    expect(() => writeFileAtomic(path, 'contents', 'myOp')).toThrow(`myOp: cannot write '${path}' (disk on fire); the previous file, if any, is unchanged`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an errno error without a syscall is reported by its code alone', () => {
    const path = join(dir, 'g.txt');
    failure.afterBytes = 0;
    failure.kind = 'code-only';
    expect(() => writeFileAtomic(path, 'contents')).toThrow(`writeFileAtomic: cannot write '${path}' (EIO); the previous file, if any, is unchanged`);
  });

  it('a thrown non-Error is reported as text', () => {
    const path = join(dir, 'd.txt');
    failure.afterBytes = 0;
    failure.kind = 'string';
    expect(() => writeFileAtomic(path, 'contents')).toThrow(`writeFileAtomic: cannot write '${path}' (a thrown string); the previous file, if any, is unchanged`);
    expect(temps()).toEqual([]);
  });

  it('continues short writes until every byte is written', () => {
    const path = join(dir, 'short.bin');
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256);
    failure.chunk = 3;
    writeFileAtomic(path, data);
    expect(Array.from(readFileSync(path))).toEqual(Array.from(data));
  });

  it('a temp file that cannot be created is reported with the path asked for (and nothing is left)', () => {
    const path = join(dir, 'e.txt');
    failure.openFails = true;
    expect(() => writeFileAtomic(path, 'x', 'saveCheckpoint')).toThrow(`saveCheckpoint: cannot write '${path}' (EACCES from open); the previous file, if any, is unchanged`);
    expect(temps()).toEqual([]);
  });

  it('fsyncs the file and then its folder, and leaves no file descriptor open, on success or failure', () => {
    const path = join(dir, 'f.txt');
    writeFileAtomic(path, 'warm-up'); // first-use allocations are not leaks
    const before = openFds();
    failure.fsyncs = 0;
    for (let i = 0; i < 5; i++) writeFileAtomic(path, `v${i}`);
    expect(failure.fsyncs).toBe(10); // the temp file and the folder, for each save
    failure.afterBytes = 1;
    for (let i = 0; i < 5; i++) expect(() => writeFileAtomic(path, 'longer contents')).toThrow(/ENOSPC/);
    expect(openFds()).toBe(before);
    expect(readFileSync(path, 'utf8')).toBe('v4');
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

describe('loadSafetensors reads', () => {
  const path = join(dir, 'r.safetensors');
  const values = Float32Array.from({ length: 37 }, (_, i) => i * 0.5 - 3);

  it('continue short reads until every byte is read', () => {
    saveSafetensors(path, { w: new Tensor(values.slice(), [37]), b: new Tensor(new Float64Array([1, 2]), [2]) });
    failure.readChunk = 5;
    const { tensors } = loadSafetensors(path);
    expect(Array.from(tensors.get('w')!.data)).toEqual(Array.from(values));
    expect(Array.from(tensors.get('b')!.data)).toEqual([1, 2]);
  });

  it('a file that ends early or fails to read is an error naming the path, and no descriptor stays open', () => {
    saveSafetensors(path, { w: new Tensor(values.slice(), [37]) });
    loadSafetensors(path); // warm-up
    const before = openFds();
    failure.readFails = 'eof';
    expect(() => loadSafetensors(path)).toThrow(`loadSafetensors: ${path}: file ended after 0 bytes while reading (changed during the load?)`);
    failure.readFails = 'eio';
    expect(() => loadSafetensors(path, 'loadCheckpoint')).toThrow(`loadCheckpoint: ${path}: cannot read the file (EIO)`);
    expect(openFds()).toBe(before);
  });
});
