// The kernels import a *shared* memory (so that worker threads can run on it). Engines that refuse to
// make shared memories outside a cross-origin-isolated page (unlike Chromium, which only refuses to post
// them to workers) would then have no wasm at all. For them the build is loaded with its memory import
// declared unshared: one bit of the import's limits flags, no other change (one thread only, and the code
// uses no atomic instructions that an unshared memory would trap on).

const IMPORT_SECTION = 2;
const MEMORY_IMPORT = 2;
const SHARED_FLAG = 0x02;

/** A copy of a wasm binary whose imported memory is not shared; throws if it imports none that is. */
export function unshareMemoryImport(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes); // a copy (slice() of a Node buffer would share the bytes)
  let p = 8; // magic + version
  const u32 = (): number => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const b = out[p++];
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return result >>> 0;
    }
  };
  const limits = (): number => {
    const at = p;
    const flags = out[p++];
    u32();
    if (flags & 1) u32();
    return at;
  };
  while (p < out.length) {
    const id = out[p++];
    const size = u32();
    const end = p + size;
    if (id === IMPORT_SECTION) {
      for (let n = u32(); n > 0; n--) {
        for (let name = 0; name < 2; name++) {
          const len = u32(); // module name, then field name
          p += len;
        }
        const kind = out[p++];
        if (kind === 0) u32(); // function: type index
        else if (kind === 1) (p++, limits()); // table: element type, limits
        else if (kind === 3) p += 2; // global: value type, mutability
        else if (kind === 4) (p++, u32()); // tag: attribute, type index
        else if (kind === MEMORY_IMPORT) {
          const at = limits();
          if (out[at] & SHARED_FLAG) {
            out[at] &= ~SHARED_FLAG;
            return out;
          }
        } else throw new Error(`unshareMemoryImport: unknown import kind ${kind}`);
      }
    }
    p = end;
  }
  throw new Error('unshareMemoryImport: the module imports no shared memory');
}
