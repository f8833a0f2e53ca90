// A bump allocator over the shared wasm memory. Each kernel call resets it, so buffers are reused from
// call to call and nothing is allocated in the hot loops; the memory only grows.
// Inside a `share` scope (the calls of one backward rule, which all read the same gradient), the copies
// of the arrays named for the scope stay in memory across calls: later calls read them instead of copying
// again (the conv2d backward copies δ once for dX, dW and db instead of three times). Only named arrays
// are kept: scratch arrays that a caller rewrites between calls (conv-groups.ts) are never taken for
// their old contents.
import { MAXIMUM_PAGES, type WasmMemory } from './module.ts';
import { SLACK } from './layout.ts';

const PAGE = 65536;

/** Thrown by `alloc` when the request exceeds the largest memory allowed; callers fall back to js. */
export class WasmMemoryFull extends Error {}

/** A copy of src[lo, hi) at byte address ptr, kept for the scope (`finish` completes a staged one). */
interface Kept { src: Float32Array; lo: number; hi: number; ptr: number; finish: (() => void) | null }

/**
 * A copy into wasm memory made in parts: part 0 when it is started, the others when `finish` runs
 * (idempotent), each published in the i32 at byte address `ready` (parts copied so far) with a
 * sequentially consistent store, so a worker that reads the count sees the part's values. A job can
 * then start on part 0 while the caller copies the rest (winograd.ts: parts are the operand's images).
 */
export interface StagedCopy { readonly ready: number; readonly parts: number; finish(): void }

export class Arena {
  private top: number;
  /** Where `reset` goes back to: above the copies kept for the scope (else base). */
  private floor: number;
  private shareable: Set<Float32Array> | null = null;
  private kept: Kept[] = [];
  /** Copies avoided, and bytes copied into the arena by `copyIn` (for tests and tuning). */
  copiesShared = 0;
  bytesCopied = 0;
  private buffer: SharedArrayBuffer;
  f32: Float32Array;
  i32: Int32Array;

  constructor(readonly memory: WasmMemory, readonly base: number) {
    this.top = this.floor = base;
    this.buffer = memory.buffer;
    this.f32 = new Float32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
  }

  reset(): void {
    this.top = this.floor;
  }

  /**
   * Runs `fn` with the copies of `arrays` kept from call to call (see above). The caller promises that
   * nothing writes into them meanwhile (tensor data: ops never write into their inputs). Nests.
   */
  share<T>(arrays: readonly Float32Array[], fn: () => T): T {
    const outer = this.shareable;
    this.shareable = new Set([...(outer ?? []), ...arrays]);
    try {
      return fn();
    } finally {
      this.shareable = outer;
      if (outer === null) {
        this.kept = [];
        this.floor = this.base;
      }
    }
  }

  /** True inside a `share` scope. */
  get sharing(): boolean {
    return this.shareable !== null;
  }

  /** Byte address of a copy of src[lo, hi) in wasm memory: made now, or kept from an earlier call of the scope. */
  copyIn(src: Float32Array, lo = 0, hi = src.length): number {
    return this.copyInParts(src, lo, hi, 0).ptr;
  }

  /**
   * As `copyIn`, but with `part` > 0 and more than one part, only src[lo, lo + part) is copied now and
   * the rest in parts of `part` floats when `staged.finish()` runs (see StagedCopy). `staged` is null
   * when everything is copied (or was kept from an earlier call of the scope).
   */
  copyInParts(src: Float32Array, lo: number, hi: number, part: number): { ptr: number; staged: StagedCopy | null } {
    const share = this.shareable?.has(src) ?? false;
    if (share) {
      const k = this.kept.find((e) => e.src === src && e.lo <= lo && hi <= e.hi);
      if (k) {
        k.finish?.();
        this.copiesShared++;
        return { ptr: k.ptr + 4 * (lo - k.lo), staged: null };
      }
    }
    const parts = part > 0 ? Math.ceil((hi - lo) / part) : 1;
    const ready = parts > 1 ? this.alloc(4) : 0;
    const p = this.alloc(4 * (hi - lo));
    const first = parts > 1 ? lo + part : hi;
    this.f32.set(src.subarray(lo, first), p >> 2);
    this.bytesCopied += 4 * (hi - lo);
    let staged: StagedCopy | null = null;
    if (parts > 1) {
      Atomics.store(this.i32, ready >> 2, 1);
      let done = 1;
      const finish = () => {
        try {
          for (; done < parts; done++) {
            const from = lo + done * part;
            // this.f32, not a view taken earlier: an alloc since may have grown the memory
            this.f32.set(src.subarray(from, Math.min(hi, from + part)), (p >> 2) + done * part);
            Atomics.store(this.i32, ready >> 2, done + 1);
          }
        } finally {
          // never leave a job's workers waiting for parts that will not come
          Atomics.store(this.i32, ready >> 2, parts);
        }
      };
      staged = { ready, parts, finish };
    }
    if (share) {
      this.kept.push({ src, lo, hi, ptr: p, finish: staged?.finish ?? null });
      this.floor = this.top; // later calls of the scope allocate above it
    }
    return { ptr: p, staged };
  }

  /**
   * A 64-byte aligned block of `bytes` (+ SLACK) bytes; contents undefined. Returns its byte address.
   * Growing the memory replaces `f32`/`i32`: read them after the last alloc of a call.
   */
  alloc(bytes: number): number {
    const at = (this.top + 63) & ~63;
    const end = at + bytes + SLACK;
    if (end > MAXIMUM_PAGES * PAGE) throw new WasmMemoryFull(`wasm memory: ${end} bytes needed`);
    // Only this arena grows the memory, so the views' length is its size (reading memory.buffer of a
    // shared memory makes a new SharedArrayBuffer object each time: keep it off the common path).
    if (end > this.buffer.byteLength) {
      this.memory.grow(Math.ceil((end - this.buffer.byteLength) / PAGE));
      this.buffer = this.memory.buffer;
      this.f32 = new Float32Array(this.buffer);
      this.i32 = new Int32Array(this.buffer);
    }
    this.top = end;
    return at;
  }
}
