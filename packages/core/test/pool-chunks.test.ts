// The thread pool's chunking, through its public behaviour: `pool.run(kind, desc, units, flops, align)`
// must run every unit in [0, units) exactly where it belongs and nothing past the end, also when the
// unit count is not a multiple of the chunk (or of the alignment). The job is the kernels' own image
// copy (KIND_PREP with no padding or phases: unit n copies image n of a source block to image n of a
// destination), followed by a guard region that must stay untouched: a chunk end that is not clamped to
// `units` runs units ≥ `units`, which write into the guard.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend, type WasmBackend } from '../src/kernels/wasm/backend.ts';
import { F, FIELDS, KIND_PREP } from '../src/kernels/wasm/layout.ts';
import { loadWasmKernels, type WasmKernels } from '../src/kernels/wasm/module.ts';
import { PARALLEL_MIN_FLOPS } from '../src/kernels/wasm/pool.ts';
import { checkProperty } from './helpers.ts';

const PAGE = 65536;
const GUARD = -7.25; // a value no image holds
const MAX_UNITS = 300, MAX_FLOATS = 9;
/** Floats after the destination that must stay GUARD: more than any overshoot (chunk ≤ units, align ≤ 5). */
const GUARD_FLOATS = (MAX_UNITS + 8) * MAX_FLOATS;

let kernels: WasmKernels;
let backend: WasmBackend;
let base = 0;

beforeAll(async () => {
  const loaded = loadWasmKernels();
  if (typeof loaded === 'string' || loaded === null) throw new Error(loaded ?? 'the wasm kernels load asynchronously here');
  kernels = loaded;
  backend = createWasmBackend(kernels, 1); // the caller and one worker, whatever CONVGRAD_THREADS says
  backend.pool.adaptive = false; // every job is offered, however busy the machine
  expect(await backend.pool.warm()).toBe(1);
  // This test's region: far above the control block and the (unused) arena of its backend.
  base = (kernels.exports.heapBase() + 1024 * 1024 + 63) & ~63;
  const need = base + (FIELDS + 64) * 4 + (2 * MAX_UNITS * MAX_FLOATS + GUARD_FLOATS + 256) * 4;
  const have = kernels.memory.buffer.byteLength;
  if (need > have) kernels.memory.grow(Math.ceil((need - have) / PAGE));
});

interface Job { units: number; h: number; w: number; chunkTarget: number; align: number }

/** Runs the copy of `units` images of h×w floats through the pool; returns what it wrote and the guard. */
function runCopy(job: Job): { out: Float32Array; src: Float32Array; guard: Float32Array } {
  const { units, h, w } = job;
  const len = h * w;
  const desc = base, src = desc + (FIELDS + 64) * 4, dst = src + (units * len + 64) * 4;
  const i32 = new Int32Array(kernels.memory.buffer), f32 = new Float32Array(kernels.memory.buffer);
  i32.fill(0, desc >> 2, (desc >> 2) + FIELDS);
  const fields: [keyof typeof F, number][] = [
    ['X', src], ['SIMG', len * 4], ['SCH', 0], ['SROW', w * 4], ['SCOL', 4], ['CH', 1], ['H', h], ['W', w],
    ['FY', 0], ['SY', 1], ['FX', 0], ['SX', 1], ['PT', 0], ['PL', 0], ['P', 1], ['HP', h], ['WQ', w],
    ['B', dst], ['BIMG', len * 4], ['N', units],
  ];
  for (const [k, v] of fields) i32[(desc >> 2) + F[k]] = v;
  for (let i = 0; i < units * len; i++) f32[(src >> 2) + i] = Math.floor(i / len) * 1000 + (i % len) + 0.5;
  f32.fill(Number.NaN, dst >> 2, (dst >> 2) + units * len);
  f32.fill(GUARD, (dst >> 2) + units * len, (dst >> 2) + units * len + GUARD_FLOATS);
  // flops that make the pool's chunk about `chunkTarget` units (its chunk is ~units·250k/flops)
  const flops = Math.min(9_999_999, Math.max(PARALLEL_MIN_FLOPS, Math.ceil((units * 250_000) / job.chunkTarget)));
  backend.pool.run(KIND_PREP, desc, units, flops, job.align);
  return {
    src: f32.slice(src >> 2, (src >> 2) + units * len),
    out: f32.slice(dst >> 2, (dst >> 2) + units * len),
    guard: f32.slice((dst >> 2) + units * len, (dst >> 2) + units * len + GUARD_FLOATS),
  };
}

const jobArb: fc.Arbitrary<Job> = fc.record({
  units: fc.oneof(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 41, max: MAX_UNITS })),
  h: fc.integer({ min: 1, max: 3 }),
  w: fc.integer({ min: 1, max: 3 }),
  chunkTarget: fc.integer({ min: 2, max: 64 }),
  align: fc.constantFrom(1, 2, 3, 5),
});

describe('thread pool chunks', () => {
  it('every unit is run once in place and nothing past the last unit is written (uneven chunks, alignments)', () => {
    checkProperty(jobArb, (job) => {
      const before = backend.pool.parallelJobs;
      const { src, out, guard } = runCopy(job);
      expect(backend.pool.parallelJobs, 'the job was offered to the worker').toBe(before + 1);
      const wrong = out.findIndex((v, i) => v !== src[i]);
      expect(wrong, `unit ${Math.floor(wrong / (job.h * job.w))} of ${job.units} not copied`).toBe(-1);
      const touched = guard.findIndex((v) => v !== GUARD);
      expect(touched, `wrote ${touched} floats past the end of ${job.units} units`).toBe(-1);
    }, 120);
  });

  it('the awkward counts on purpose: primes against chunks of 2–8 units', () => {
    for (const units of [2, 3, 7, 11, 13, 29, 97, 211]) {
      for (const chunkTarget of [2, 3, 4, 8]) {
        const { src, out, guard } = runCopy({ units, h: 2, w: 3, chunkTarget, align: 1 });
        expect(Array.from(out)).toEqual(Array.from(src));
        expect(guard.every((v) => v === GUARD), `units ${units}, chunk ~${chunkTarget}: guard written`).toBe(true);
      }
    }
  });
});
