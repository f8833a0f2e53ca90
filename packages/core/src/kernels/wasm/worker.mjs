// A kernel worker: instantiates the kernels on the shared memory and runs the ranges the main thread
// posts into its control slot (see pool.ts for the protocol). Plain JS so Node loads it without a TS loader.
import { workerData } from 'node:worker_threads';

const { module, memory, slot, spin } = workerData;
const GEN = 0, DONE = 1, KIND = 2, DESC = 3, FROM = 4, TO = 5, READY = 6, FAILED = 7;
const ctl = new Int32Array(memory.buffer, slot, 8);
const { run } = new WebAssembly.Instance(module, { env: { memory } }).exports;
Atomics.store(ctl, READY, 1);

let seen = 0;
for (;;) {
  let gen = Atomics.load(ctl, GEN);
  for (let i = 0; gen === seen && i < spin; i++) gen = Atomics.load(ctl, GEN);
  if (gen === seen) {
    Atomics.wait(ctl, GEN, seen, 1000); // a bounded wait keeps the thread terminable
    continue;
  }
  seen = gen;
  if (gen < 0) break; // shutdown
  try {
    run(ctl[KIND], ctl[DESC], ctl[FROM], ctl[TO]);
  } catch (e) {
    Atomics.store(ctl, FAILED, 1);
    console.error(`convgrad wasm worker: ${e?.message ?? e}`);
  }
  Atomics.store(ctl, DONE, gen);
  Atomics.notify(ctl, DONE);
}
