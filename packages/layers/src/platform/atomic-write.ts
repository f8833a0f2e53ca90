// Atomic file writes: a crash mid-write leaves the previous file intact.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { ConvgradError } from '@convgrad/core';

/** `.<name>.<pid>.<threadId>.<random>.tmp`: unique per process and thread, and never guessed. */
export function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${threadId}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Is a process with this id running? (EPERM: it exists but belongs to another user.) */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files beside `path` left by writers that died mid-write (`.<name>.<pid>.….tmp` whose
 * pid is not running; also the older `.<name>.<pid>.<ms>.tmp` form). Temps of live processes, this
 * one included (another thread may be writing), are left alone. Returns the names removed.
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path), prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(/^(\d+)\./.exec(name.slice(prefix.length))?.[1]);
    // (pid 0 counts as alive: kill(0, 0) addresses this process group)
    if (!Number.isSafeInteger(pid) || isAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      // another saver removed it first, or the folder is read-only: not this save's problem
    }
  }
  return removed;
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}${e.syscall ? ` from ${e.syscall}` : ''}` : e.message;
}

/** The file a save to `path` should replace: the target of a symlink; a non-regular file is refused. */
function resolveTarget(path: string, op: string): string {
  let target = path;
  try {
    if (lstatSync(path).isSymbolicLink()) target = realpathSync(path);
  } catch {
    return path; // does not exist (or a dangling link): created by the rename
  }
  let st;
  try {
    st = statSync(target);
  } catch {
    return target;
  }
  if (!st.isFile()) throw new ConvgradError(op, `cannot write '${path}': it exists and is not a regular file (${fileKind(st)})`);
  return target;
}

/** 'a directory', 'a FIFO', … for error messages. */
export function fileKind(st: { isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'an unknown kind of file';
}

/**
 * Writes `data` to a temp file beside `path` (same file system, so the rename is atomic), fsyncs
 * it, then renames it over `path`. On any error the temp file is removed and a ConvgradError for
 * `op` names `path` (never the temp name). Stale temps of dead writers to `path` are removed first.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, op = 'writeFileAtomic'): void {
  if (typeof path !== 'string' || path === '') throw new ConvgradError(op, `path must be a non-empty string, got ${typeof path === 'string' ? "''" : String(path)}`);
  const target = resolveTarget(path, op);
  const folder = dirname(target);
  let folderStat;
  try {
    folderStat = statSync(folder);
  } catch {
    throw new ConvgradError(op, `cannot write '${path}': the folder '${folder}' does not exist`);
  }
  if (!folderStat.isDirectory()) throw new ConvgradError(op, `cannot write '${path}': '${folder}' is not a folder (${fileKind(folderStat)})`);
  removeStaleTemps(target);
  const tmp = tempNameFor(target);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, target);
  } catch (err) {
    if (fd !== null) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    rmSync(tmp, { force: true });
    throw new ConvgradError(op, `cannot write '${path}' (${describeError(err)}); the previous file, if any, is unchanged`);
  }
  // Make the rename itself durable.
  try {
    const dfd = openSync(folder, 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch {
    // some file systems do not allow fsync on a directory; the rename is still atomic
  }
}
