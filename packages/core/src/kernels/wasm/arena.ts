// A bump allocator over the shared wasm memory. Each kernel call resets it, so buffers are reused from
// call to call and nothing is allocated in the hot loops; the memory only grows.
import { MAXIMUM_PAGES, type WasmMemory } from './module.ts';
import { SLACK } from './layout.ts';

const PAGE = 65536;

/** Thrown by `alloc` when the request exceeds the largest memory allowed; callers fall back to js. */
export class WasmMemoryFull extends Error {}

export class Arena {
  private top: number;
  private buffer: SharedArrayBuffer;
  f32: Float32Array;
  i32: Int32Array;

  constructor(readonly memory: WasmMemory, readonly base: number) {
    this.top = base;
    this.buffer = memory.buffer;
    this.f32 = new Float32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
  }

  reset(): void {
    this.top = this.base;
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
