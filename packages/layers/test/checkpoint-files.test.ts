// Checkpoint files on a real file system: special files refused without blocking, the size checked
// before the payload is read, temp names that two threads cannot share, stale temps of dead writers
// removed, torn files impossible under SIGKILL, and errors that name the path the caller gave.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { ConvgradError, Tensor } from '@convgrad/core';
import { encodeSafetensors, Linear, loadCheckpoint, loadSafetensors, saveCheckpoint, saveSafetensors } from '../src/index.ts';
import { removeStaleTemps } from '../src/platform/atomic-write.ts';

const dir = mkdtempSync(join(tmpdir(), 'convgrad-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const temps = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.tmp'));
// Under `pnpm mutate` a mutant is active only in the test process: tests whose work runs in child
// processes or worker threads cannot kill one and only cost time there, so they are skipped.
const inChildren = it.skipIf(process.env.CONVGRAD_MUTATION_RUN === '1');

/** A pid that certainly ran and has exited. */
function deadPid(): number {
  const child = spawnSync('true');
  expect(child.pid).toBeGreaterThan(0);
  return child.pid!;
}

describe('loading only regular files', () => {
  inChildren('refuses /dev/zero, a FIFO and a directory at once, naming the path (in a child with a time limit)', () => {
    const fifo = join(dir, 'pipe.safetensors');
    execFileSync('mkfifo', [fifo]);
    const folder = join(dir, 'folder.safetensors');
    mkdirSync(folder);
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture('load-special.ts').pathname, '/dev/zero', fifo, folder], {
      timeout: 30_000, encoding: 'utf8',
    });
    expect(child.signal, `the loads hung (killed after ${Date.now() - started} ms); stderr: ${child.stderr}`).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    const results = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { path: string; name: string; message: string }[];
    const kinds = ['a character device', 'a FIFO', 'a directory'];
    results.forEach((r, i) => {
      expect(r.name, r.path).toBe('ConvgradError');
      expect(r.message).toBe(`loadCheckpoint: ${r.path}: not a regular file (${kinds[i]}); checkpoints load only from regular files`);
    });
    expect(results.map((r) => r.path)).toEqual(['/dev/zero', fifo, folder]);
  });

  it('refuses to save over something that is not a regular file', () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    expect(() => saveCheckpoint(folder, new Linear(2, 2))).toThrow(`saveCheckpoint: cannot write '${folder}': it exists and is not a regular file (a directory)`);
    expect(temps(dir)).toEqual([]);
  });

  it('checks the file size against the header before reading the payload (an 8 GiB sparse tail is not read)', () => {
    const path = join(dir, 'sparse.safetensors');
    writeFileSync(path, encodeSafetensors({ w: new Tensor(new Float32Array([1, 2]), [2]) }));
    truncateSync(path, 2 ** 33);
    const t0 = performance.now();
    expect(() => loadSafetensors(path)).toThrow(/^loadSafetensors: .*sparse\.safetensors: the tensors cover 8 bytes of data but the file has \d+ \(truncated or trailing bytes\)$/);
    expect(performance.now() - t0).toBeLessThan(2000); // reading 8 GiB would take far longer (or fail to allocate)
    // and a header length beyond the file is refused before the header is read
    const short = join(dir, 'short.safetensors');
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 1000n, true);
    writeFileSync(short, bytes);
    expect(() => loadSafetensors(short)).toThrow(/short\.safetensors: header length 1000 exceeds the 8 bytes after the length field/);
  });

  it('names the path when the file is missing or unreadable', () => {
    const missing = join(dir, 'nope', 'x.safetensors');
    expect(() => loadCheckpoint(missing, new Linear(2, 2))).toThrow(`loadCheckpoint: ${missing}: cannot read the file (ENOENT)`);
  });
});

describe('saving', () => {
  it('into a missing folder reports the path asked for, not a temp name', () => {
    const path = join(dir, 'no-such-folder', 'model.safetensors');
    let err: unknown;
    try {
      saveCheckpoint(path, new Linear(2, 2));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConvgradError);
    expect((err as Error).message).toBe(`saveCheckpoint: cannot write '${path}': the folder '${join(dir, 'no-such-folder')}' does not exist`);
    expect((err as Error).message).not.toMatch(/\.tmp/);
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  inChildren('two worker threads saving to one path 150 times each: 0 failures, a valid file, no temp left', async () => {
    const folder = mkdtempSync(join(dir, 'threads-'));
    const path = join(folder, 'shared.safetensors');
    const run = () => new Promise<{ saved: number; failures: string[] }>((resolve, reject) => {
      const w = new Worker(fixture('ts-worker.mjs'), { workerData: { entry: fixture('save-loop.ts').href, path, count: 150, size: 64 } });
      w.once('message', resolve);
      w.once('error', reject);
    });
    const results = await Promise.all([run(), run()]);
    expect(results.flatMap((r) => r.failures)).toEqual([]);
    expect(results.map((r) => r.saved)).toEqual([150, 150]);
    const { tensors, metadata } = loadSafetensors(path);
    const i = Number(metadata!.save);
    expect(Array.from(tensors.get('w')!.data)).toEqual(new Array(64).fill(i)); // one whole save, not a mix
    expect(temps(folder)).toEqual([]);
  }, 120_000);

  it('removes stale temps of dead writers at the next save, keeps those of live ones and of other files', () => {
    const folder = mkdtempSync(join(dir, 'stale-'));
    const path = join(folder, 'm.safetensors');
    const dead = deadPid();
    const stale = [`.m.safetensors.${dead}.1.0a1b2c3d4e5f.tmp`, `.m.safetensors.${dead}.1732800000000.tmp`]; // new and older name forms
    const live = [`.m.safetensors.${process.pid}.7.ffffffffffff.tmp`]; // this process: another thread may be writing it
    const other = [`.other.safetensors.${dead}.1.000000000000.tmp`, `.m.safetensors.x.tmp`];
    for (const f of [...stale, ...live, ...other]) writeFileSync(join(folder, f), 'partial');
    saveCheckpoint(path, new Linear(2, 2));
    expect(temps(folder).sort()).toEqual([...live, ...other].sort());
    expect(removeStaleTemps(path)).toEqual([]);
  });

  inChildren('SIGKILL mid-save: the file is never torn, and the dead writer\'s temp is removed by the next save', async () => {
    const folder = mkdtempSync(join(dir, 'kill-'));
    const path = join(folder, 'big.safetensors');
    const size = 1 << 21; // 8 MiB per save, so a kill often lands inside a write
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture('save-loop.ts').pathname, path, '1000', String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve())); // the first save is done
      await new Promise((r) => setTimeout(r, 30 + 40 * round));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const { tensors, metadata } = loadSafetensors(path); // never torn: a whole earlier save
      const data = tensors.get('w')!.data;
      expect(data.length).toBe(size);
      expect(data[0]).toBe(Number(metadata!.save));
      expect(data[size - 1]).toBe(Number(metadata!.save));
    }
    saveSafetensors(path, { w: new Tensor(new Float32Array([1]), [1]) });
    expect(temps(folder)).toEqual([]);
  }, 120_000);
});
