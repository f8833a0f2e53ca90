// A bump allocator over the shared wasm memory. Each kernel call resets it, so buffers are reused from
// call to call and nothing is allocated in the hot loops; the memory only grows.
import { MAXIMUM_PAGES, type WasmMemory } from './module.ts';
import { SLACK } from './layout.ts';

const PAGE = 65536;

export class Arena {
  private top: number;
  private buffer: ArrayBufferLike;
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

  /** Whether up to 16 `alloc` calls totalling `bytes` fit in the largest memory allowed. */
  fits(bytes: number): boolean {
    return this.base + bytes + 16 * (64 + SLACK) <= MAXIMUM_PAGES * PAGE;
  }

  /** A 64-byte aligned block of `bytes` (+ SLACK) bytes; contents undefined. Returns its byte address. */
  alloc(bytes: number): number {
    const at = (this.top + 63) & ~63;
    const end = at + bytes + SLACK;
    if (end > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((end - this.memory.buffer.byteLength) / PAGE));
    }
    if (this.memory.buffer.byteLength !== this.buffer.byteLength) {
      this.buffer = this.memory.buffer;
      this.f32 = new Float32Array(this.buffer);
      this.i32 = new Int32Array(this.buffer);
    }
    this.top = end;
    return at;
  }
}
