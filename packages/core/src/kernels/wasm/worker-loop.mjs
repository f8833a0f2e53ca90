// The body of a kernel worker (Node worker thread or Web Worker; the entry files are in src/platform/):
// instantiates the kernels on the shared memory and helps with the jobs the calling thread posts
// (protocol in pool.ts). Plain JS so Node loads it without a TS loader.
const GEN = 0, NEXT = 1, DONE = 2, KIND = 3, DESC = 4, TOTAL = 5, CHUNK = 6, READY = 7, FAILED = 8, ACTIVE = 9, CLAIMS = 16;
const TAG_SHIFT = 20, UNIT_MASK = (1 << TAG_SHIFT) - 1;

/** Never returns: waits for jobs, forever (the pool terminates the thread, or the process ends). */
export function serve({ module, memory, ctlAt, spin, index }) {
  const ctl = new Int32Array(memory.buffer, ctlAt, CLAIMS + index + 1);
  const { run } = new WebAssembly.Instance(module, { env: { memory } }).exports;
  Atomics.add(ctl, READY, 1);

  let seen = Atomics.load(ctl, GEN);
  for (;;) {
    let gen = Atomics.load(ctl, GEN);
    for (let i = 0; gen === seen && i < spin; i++) gen = Atomics.load(ctl, GEN);
    if (gen === seen) {
      Atomics.wait(ctl, GEN, seen, 1000); // a bounded wait keeps the thread terminable
      continue;
    }
    seen = gen;
    // a worker beyond the `threads` setting sits the job out (ACTIVE only changes between jobs)
    if (index >= Atomics.load(ctl, ACTIVE)) continue;
    const kind = ctl[KIND], desc = ctl[DESC], total = ctl[TOTAL], chunk = ctl[CHUNK];
    const tag = (gen & 0x7ff) << TAG_SHIFT;
    for (;;) {
      const v = Atomics.load(ctl, NEXT);
      const from = v & UNIT_MASK;
      // another job (checking GEN too narrows tag aliasing to a few instructions), or nothing left
      if ((v & ~UNIT_MASK) !== tag || from >= total || Atomics.load(ctl, GEN) !== gen) break;
      const to = Math.min(total, from + chunk);
      if (Atomics.compareExchange(ctl, NEXT, v, tag | to) !== v) continue;
      Atomics.add(ctl, CLAIMS + index, 1);
      try {
        run(kind, desc, from, to);
      } catch (e) {
        Atomics.store(ctl, FAILED, 1);
        console.error(`convgrad wasm worker: ${e?.message ?? e}`);
      }
      // only the last chunk of a job wakes the caller (one that is still running polls DONE itself)
      if (Atomics.add(ctl, DONE, to - from) + (to - from) === total) Atomics.notify(ctl, DONE);
    }
  }
}
